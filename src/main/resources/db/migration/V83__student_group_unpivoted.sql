-- The student groups (V70) as one read of each student's row, turned into its five groups, instead of five reads of
-- rpt.dim_student put one after the other. The report joined with them (attainment by student group) read the five
-- for each of its students, one index look-up each: 441,965 look-ups for the NC year's 88,393 students, 0.65 s of a
-- 1.3-1.75 s report (docs/performance.md, session 43). The same rows: labels and order are as V70 wrote them.
create or replace view rpt.student_group as
select g.ordinal, g.group_type, g.student_group, s.student_key
from rpt.dim_student s
cross join lateral (values
    (1, 'sex', coalesce(s.sex, 'Not reported')),
    (2, 'race/ethnicity', s.race),
    (3, 'multilingual learners', case s.multilingual_learner when true then 'Multilingual learners'
        when false then 'Not multilingual learners' else 'Not reported' end),
    (4, 'economically disadvantaged', case s.economically_disadvantaged when true then 'Economically disadvantaged'
        when false then 'Not economically disadvantaged' else 'Not reported' end),
    (5, 'students with disabilities', case s.student_with_disability when true then 'Students with disabilities'
        when false then 'Students without disabilities' else 'Not reported' end)
) g(ordinal, group_type, student_group);
