-- Stand-in for the SIS branch's student_course_offer (credentials a class offers); replaced when it lands.
create view student_course_offer as
select e.student_id, e.school_year, e.course_code, a.credential_code, e.district_code, e.school_code, e.class_sourced_id
from student_course_enrollment e
join catalog_alignment a on a.school_year = e.school_year and a.course_code = e.course_code;
