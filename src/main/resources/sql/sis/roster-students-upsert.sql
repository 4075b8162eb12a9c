-- The roster's upsert (roster-students.sql's ${upsert}): a student on the roster is updated where the bundle changes it.
on conflict (state_id_hash) do update set
    first_name = excluded.first_name, last_name = excluded.last_name,
    birth_date = coalesce(excluded.birth_date, student.birth_date),
    district_code = coalesce(excluded.district_code, student.district_code),
    school_code = coalesce(excluded.school_code, student.school_code),
    sis_source = excluded.sis_source, sourced_id = excluded.sourced_id,
    grade = coalesce(excluded.grade, student.grade),
    sex = excluded.sex, american_indian_or_alaska_native = excluded.american_indian_or_alaska_native,
    asian = excluded.asian, black_or_african_american = excluded.black_or_african_american,
    native_hawaiian_or_other_pacific_islander = excluded.native_hawaiian_or_other_pacific_islander,
    white = excluded.white, two_or_more_races = excluded.two_or_more_races,
    hispanic_or_latino = excluded.hispanic_or_latino,
    state_id_near = coalesce(excluded.state_id_near, student.state_id_near),
    economically_disadvantaged = excluded.economically_disadvantaged,
    multilingual_learner = excluded.multilingual_learner, student_with_disability = excluded.student_with_disability,
    updated_at = now()
where (student.first_name, student.last_name, student.birth_date, student.district_code,
       student.school_code, student.sis_source, student.sourced_id, student.grade, student.sex,
       student.american_indian_or_alaska_native, student.asian, student.black_or_african_american,
       student.native_hawaiian_or_other_pacific_islander, student.white, student.two_or_more_races,
       student.hispanic_or_latino, student.economically_disadvantaged, student.multilingual_learner,
       student.student_with_disability)
  is distinct from
      (excluded.first_name, excluded.last_name, coalesce(excluded.birth_date, student.birth_date),
       coalesce(excluded.district_code, student.district_code),
       coalesce(excluded.school_code, student.school_code), excluded.sis_source, excluded.sourced_id,
       coalesce(excluded.grade, student.grade), excluded.sex, excluded.american_indian_or_alaska_native,
       excluded.asian, excluded.black_or_african_american,
       excluded.native_hawaiian_or_other_pacific_islander, excluded.white, excluded.two_or_more_races,
       excluded.hispanic_or_latino, excluded.economically_disadvantaged, excluded.multilingual_learner,
       excluded.student_with_disability)
