-- The roster: students of the bundle's users file (with a state ID), with their demographics.
-- ${role_of_user}: role-of-user.sql; ${delta}: true for a delta users file (an older row does not replace a newer);
-- ${unchanged_left_out}: roster-students-unchanged.sql, or nothing when the roster is empty (RosterPublisher: its
-- first students); ${upsert}: roster-students-upsert.sql, or nothing when the roster is empty (its keys made after);
-- ${distinct_on} and ${last_first}: the last line of each state ID among the staged students (distinct on), or
-- nothing when no two staged users have the same state ID; ${order}: the state IDs' order, or nothing.
-- A user staged with a state ID but no state_id_near is a student whose neighbourhood the roster holds
-- (StoredNeighbourhoods): the stored one is kept.
-- ${d}: the demographics' table (d, sis_demographics, joined by ${stored_demographics}), or the staged ones (sd) when
-- the table holds only the file's rows (its first: the same values, and one join of 1,500,000 fewer).
-- The joins are planned apart from the filter on the user's role (offset 0): estimated, a role of roles.csv or of
-- enrollments is one user in two, and the staged users (wide: names, neighbourhoods) were then the side put in a hash
-- instead of the staged demographics (narrow), 500 MB for 1,500,000 students and about a second more.
insert into student (state_id_hash, first_name, last_name, birth_date, district_code, school_code,
                     sis_source, sourced_id, grade, sex, american_indian_or_alaska_native, asian,
                     black_or_african_american, native_hawaiian_or_other_pacific_islander, white,
                     two_or_more_races, hispanic_or_latino, economically_disadvantaged, multilingual_learner,
                     student_with_disability, state_id_near)
select i.* from (
select ${distinct_on} u.state_id_hash, u.first_name, u.last_name, u.birth_date, u.district_code, u.school_code,
       u.sis_source, u.sourced_id, u.grade, u.sex, u.american_indian_or_alaska_native, u.asian,
       u.black_or_african_american, u.native_hawaiian_or_other_pacific_islander, u.white, u.two_or_more_races,
       u.hispanic_or_latino, u.economically_disadvantaged, u.multilingual_learner, u.student_with_disability,
       u.state_id_near
from (select u.line, u.role, u.state_id_hash, u.given_name as first_name, u.family_name as last_name,
       sd.birth_date,
       case o.type when 'district' then o.identifier
                   else case when p.type = 'district' then p.identifier end end as district_code,
       case when o.type = 'school' then o.identifier end as school_code,
       u.sis_source, u.sourced_id, nullif(split_part(u.grades, ',', 1), '') as grade,
       ${d}.sex, ${d}.american_indian_or_alaska_native, ${d}.asian, ${d}.black_or_african_american,
       ${d}.native_hawaiian_or_other_pacific_islander, ${d}.white, ${d}.two_or_more_races, ${d}.hispanic_or_latino,
       ${d}.economically_disadvantaged, ${d}.multilingual_learner, ${d}.student_with_disability,
       u.state_id_near
from (select s2.line, s2.sourced_id, ?1::text as sis_source, s2.state_id_hash, s2.state_id_near, s2.grades,
             s2.given_name, s2.family_name, s2.org_sourced_ids, coalesce(s2.role, r.role) as role,
             case when s2.role is null then coalesce(s2.primary_org_sourced_id, r.org_sourced_id)
                  else s2.primary_org_sourced_id end as primary_org_sourced_id
      from sis_stage_users s2
      left join (${role_of_user}) r on r.user_sourced_id = s2.sourced_id
      where s2.status <> 'tobedeleted'
        and not exists (select 1 from sis_user k where k.sis_source = ?1 and k.sourced_id = s2.sourced_id
                        and k.date_last_modified > s2.date_last_modified and ${delta})) u
left join sis_org o on o.sis_source = u.sis_source
                   and o.sourced_id = coalesce(u.primary_org_sourced_id, u.org_sourced_ids[1])
left join sis_org p on p.sis_source = o.sis_source and p.sourced_id = o.parent_sourced_id
${stored_demographics}
left join sis_stage_demographics sd on sd.sourced_id = u.sourced_id and sd.status <> 'tobedeleted'
where u.state_id_hash is not null
offset 0) u
where (u.role = 'student' or u.sourced_id in (select e.user_sourced_id from sis_enrollment e
                                              where e.sis_source = ?1 and e.role = 'student'))
${last_first}) i
${unchanged_left_out}
${order}
${upsert}
