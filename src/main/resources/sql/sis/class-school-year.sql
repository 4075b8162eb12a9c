-- A class's school year, an expression (class-school-years.sql, and a classes file's rows as they are published:
-- RosterPublisher): its terms' earliest, else its course's school year session's. ${class}: the class's row (its
-- term_sourced_ids and course_sourced_id); ${source}: its SIS.
coalesce(
    (select min(ts.school_year) from sis_academic_session ts
     where ts.sis_source = ${source} and ts.sourced_id = any (${class}.term_sourced_ids)),
    (select ys.school_year from sis_course co join sis_academic_session ys
       on ys.sis_source = co.sis_source and ys.sourced_id = co.school_year_sourced_id
     where co.sis_source = ${source} and co.sourced_id = ${class}.course_sourced_id))
