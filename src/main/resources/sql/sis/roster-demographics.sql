-- Demographics delivered without their users (a delta): onto the roster through the user's student.
update student st set
    birth_date = coalesce(sd.birth_date, st.birth_date),
    sex = d.sex, american_indian_or_alaska_native = d.american_indian_or_alaska_native, asian = d.asian,
    black_or_african_american = d.black_or_african_american,
    native_hawaiian_or_other_pacific_islander = d.native_hawaiian_or_other_pacific_islander,
    white = d.white, two_or_more_races = d.two_or_more_races, hispanic_or_latino = d.hispanic_or_latino,
    economically_disadvantaged = d.economically_disadvantaged, multilingual_learner = d.multilingual_learner,
    student_with_disability = d.student_with_disability,
    updated_at = now()
from sis_stage_demographics sd
join sis_user u on u.sis_source = ?1 and u.sourced_id = sd.sourced_id
join sis_demographics d on d.sis_source = u.sis_source and d.sourced_id = u.sourced_id
where st.student_id = u.student_id and sd.status <> 'tobedeleted'
  and not exists (select 1 from sis_stage_users su where su.sourced_id = sd.sourced_id)
