-- A class's school year: its terms' earliest, else its course's school year session's. Worked out for all of the
-- source's classes at once (joins hashed, not two look-ups per class: 240,000 classes 4.1 s as correlated subqueries),
-- and written only where it changes.
with terms as (
    select c.sourced_id, min(s.school_year) as school_year
    from sis_class c
    cross join lateral unnest(c.term_sourced_ids) as u(term_sourced_id)
    join sis_academic_session s on s.sis_source = c.sis_source and s.sourced_id = u.term_sourced_id
    where c.sis_source = ?1
    group by c.sourced_id),
course_years as (
    select co.sourced_id, s.school_year
    from sis_course co
    join sis_academic_session s on s.sis_source = co.sis_source and s.sourced_id = co.school_year_sourced_id
    where co.sis_source = ?1),
wanted as (
    select c.sourced_id, coalesce(t.school_year, k.school_year) as school_year
    from sis_class c
    left join terms t on t.sourced_id = c.sourced_id
    left join course_years k on k.sourced_id = c.course_sourced_id
    where c.sis_source = ?1)
update sis_class c set school_year = w.school_year
from wanted w
where c.sis_source = ?1 and c.sourced_id = w.sourced_id and c.school_year is distinct from w.school_year
