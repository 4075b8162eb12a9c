-- The student groups of NC Tables 4 and 5a-c, one row per student and group type: the one place their labels and
-- order are written (the report definitions select from it). ordinal orders the group types as NC publishes them.
create view rpt.student_group as
select 1 as ordinal, 'sex' as group_type, coalesce(s.sex, 'Not reported') as student_group, s.student_key
from rpt.dim_student s
union all
select 2, 'race/ethnicity', s.race, s.student_key from rpt.dim_student s
union all
select 3, 'multilingual learners', case s.multilingual_learner when true then 'Multilingual learners'
       when false then 'Not multilingual learners' else 'Not reported' end, s.student_key
from rpt.dim_student s
union all
select 4, 'economically disadvantaged', case s.economically_disadvantaged when true then 'Economically disadvantaged'
       when false then 'Not economically disadvantaged' else 'Not reported' end, s.student_key
from rpt.dim_student s
union all
select 5, 'students with disabilities', case s.student_with_disability when true then 'Students with disabilities'
       when false then 'Students without disabilities' else 'Not reported' end, s.student_key
from rpt.dim_student s;
