-- The students roster-students.sql leaves out (its ${unchanged_left_out}): those already on the roster as the bundle
-- has them (one hashed anti-join); the upsert would leave them as they are, but finds that out row by row.
where not exists (
    select 1 from student st where st.state_id_hash = i.state_id_hash
      and (st.first_name, st.last_name, st.birth_date, st.district_code, st.school_code, st.sis_source,
           st.sourced_id, st.grade, st.sex, st.american_indian_or_alaska_native, st.asian,
           st.black_or_african_american, st.native_hawaiian_or_other_pacific_islander, st.white,
           st.two_or_more_races, st.hispanic_or_latino, st.economically_disadvantaged, st.multilingual_learner,
           st.student_with_disability, st.state_id_near)
      is not distinct from
          (i.first_name, i.last_name, coalesce(i.birth_date, st.birth_date),
           coalesce(i.district_code, st.district_code), coalesce(i.school_code, st.school_code),
           i.sis_source, i.sourced_id, coalesce(i.grade, st.grade), i.sex,
           i.american_indian_or_alaska_native, i.asian, i.black_or_african_american,
           i.native_hawaiian_or_other_pacific_islander, i.white, i.two_or_more_races,
           i.hispanic_or_latino, i.economically_disadvantaged, i.multilingual_learner,
           i.student_with_disability, coalesce(i.state_id_near, st.state_id_near)))
