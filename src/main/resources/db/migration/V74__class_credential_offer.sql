-- Issue 17: which credentials a class offers is a rule about classes, not enrollments. It was written inside
-- student_course_offer, over every enrollment: the planner then estimated the classes whose course is aligned by
-- multiplying the selectivities of three join columns (NC year: 93 classes estimated), judged the enrollments
-- joined to them a few thousand rows instead of 650,000 and built its hash tables on them, in many batches (the
-- reporting load's potential step, 3.2 s at the NC year's size; 66 s for 1.5 million students). The rule now has
-- its own view, class_credential_offer, and the reporting load joins it to the enrollments it has read once
-- (ReportingLoad). student_course_offer keeps its columns and rows: the enrollments joined to their class's offer.

-- Per class: every credential aligned in the catalog of the class's school year to its course that the class
-- lists, or every aligned one when the class lists no credential of that year's catalog.
create view class_credential_offer as
select c.sis_source,
       c.sourced_id as class_sourced_id,
       c.school_year,
       co.course_code,
       a.credential_code
from sis_class c
join sis_course co on co.sis_source = c.sis_source and co.sourced_id = c.course_sourced_id
join (select distinct school_year, course_code, credential_code from catalog_alignment) a
  on a.school_year = c.school_year and a.course_code = co.course_code
left join sis_class_credential o
  on o.sis_source = c.sis_source and o.class_sourced_id = c.sourced_id and o.credential_code = a.credential_code
left join (select distinct cc.sis_source, cc.class_sourced_id, k.school_year
           from sis_class_credential cc
           join catalog_credential k on k.credential_code = cc.credential_code) l
  on l.sis_source = c.sis_source and l.class_sourced_id = c.sourced_id and l.school_year = c.school_year
where o.credential_code is not null   -- the class lists it
   or l.class_sourced_id is null;     -- the class lists no credential of that year's catalog

-- Potential: one row per student enrollment and credential its class offers (the enrollment's school year and
-- course are its class's).
create or replace view student_course_offer as
select e.student_id,
       e.school_year,
       e.course_code,
       k.credential_code,
       e.district_code,
       e.school_code,
       e.class_sourced_id
from student_course_enrollment e
join class_credential_offer k on k.sis_source = e.sis_source and k.class_sourced_id = e.class_sourced_id;
