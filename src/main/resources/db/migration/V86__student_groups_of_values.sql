-- The student groups (V70, V83) of a student's dimension values, as a function the view and the reports share: the
-- reports of students by group (NC Tables 4 and 5a-c) count their students by these values first (a few hundred
-- combinations) and only then spread the counts over the groups, instead of joining every student with its five
-- groups (the NC year's 441,965 rows; 2,188,895 at five times its size, hashed whole on a plan that took the set of
-- students for 837 billion rows: docs/performance.md, session 47). The same rows: labels and order as V70 wrote them.
create function rpt.student_groups(sex text, race text, multilingual_learner boolean,
                                   economically_disadvantaged boolean, student_with_disability boolean)
returns table (ordinal integer, group_type text, student_group text)
language sql immutable parallel safe as $$
values
    (1, 'sex', coalesce(sex, 'Not reported')),
    (2, 'race/ethnicity', race),
    (3, 'multilingual learners', case multilingual_learner when true then 'Multilingual learners'
        when false then 'Not multilingual learners' else 'Not reported' end),
    (4, 'economically disadvantaged', case economically_disadvantaged when true then 'Economically disadvantaged'
        when false then 'Not economically disadvantaged' else 'Not reported' end),
    (5, 'students with disabilities', case student_with_disability when true then 'Students with disabilities'
        when false then 'Students without disabilities' else 'Not reported' end)
$$;

-- (one read of each student's row, as V83's: the function is inlined into the view's plan)
create or replace view rpt.student_group as
select g.ordinal, g.group_type, g.student_group, s.student_key
from rpt.dim_student s
cross join lateral rpt.student_groups(s.sex, s.race, s.multilingual_learner, s.economically_disadvantaged,
                                      s.student_with_disability) g;
