-- The classes whose school year (class-school-year.sql: ${school_year}, of the class c) is not the one stored: after
-- their sessions or courses changed (a classes file's rows are published with theirs).
update sis_class c set school_year = ${school_year}
where c.sis_source = ?1 and c.school_year is distinct from ${school_year}
