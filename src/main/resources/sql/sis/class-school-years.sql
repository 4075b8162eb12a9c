-- A class's school year: its terms' earliest, else its course's school year session's.
update sis_class c set school_year = coalesce(
    (select min(s.school_year) from sis_academic_session s
     where s.sis_source = c.sis_source and s.sourced_id = any (c.term_sourced_ids)),
    (select s.school_year from sis_course co join sis_academic_session s
       on s.sis_source = co.sis_source and s.sourced_id = co.school_year_sourced_id
     where co.sis_source = c.sis_source and co.sourced_id = c.course_sourced_id))
where c.sis_source = ?1 and c.school_year is distinct from coalesce(
    (select min(s.school_year) from sis_academic_session s
     where s.sis_source = c.sis_source and s.sourced_id = any (c.term_sourced_ids)),
    (select s.school_year from sis_course co join sis_academic_session s
       on s.sis_source = co.sis_source and s.sourced_id = co.school_year_sourced_id
     where co.sis_source = c.sis_source and co.sourced_id = c.course_sourced_id))
