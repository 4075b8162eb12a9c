-- Which credentials each class offers: OneRoster resources.csv (vendorResourceId = the state catalog's
-- credential code) and classResources.csv (class -> resource), kept per SIS source like the other files,
-- and what they mean for counting: sis_class_credential (derived by the importer) and the view
-- student_course_offer.

create table sis_resource (
    sis_source         text not null,
    sourced_id         text not null,
    status             text not null,
    date_last_modified timestamptz,
    vendor_resource_id text,            -- the state catalog's credential code
    title              text,
    vendor_id          text,
    delivery_id        bigint not null,
    primary key (sis_source, sourced_id)
);

create table sis_class_resource (
    sis_source          text not null,
    sourced_id          text not null,
    status              text not null,
    date_last_modified  timestamptz,
    title               text,
    class_sourced_id    text,
    resource_sourced_id text,
    delivery_id         bigint not null,
    primary key (sis_source, sourced_id)
);

-- The credentials a class lists (its active classResources' active resources' vendorResourceId),
-- rebuilt for a SIS source whenever a bundle brings its resources or classResources.
create table sis_class_credential (
    sis_source       text not null,
    class_sourced_id text not null,
    credential_code  text not null,
    status           text not null default 'active',
    delivery_id      bigint not null,
    primary key (sis_source, class_sourced_id, credential_code)
);

-- student_course_enrollment gains its SIS source (last column), so class-level data can be joined.
create or replace view student_course_enrollment as
select u.student_id,
       c.school_year,
       co.course_code,
       coalesce(case when d.type = 'district' then d.identifier end,
                case when s.type = 'district' then s.identifier end,
                st.district_code) as district_code,
       case when s.type = 'school' then s.identifier end as school_code,
       e.class_sourced_id,
       e.begin_date,
       e.end_date,
       e.sis_source
from sis_enrollment e
join sis_user u   on u.sis_source = e.sis_source and u.sourced_id = e.user_sourced_id
join student st   on st.student_id = u.student_id
join sis_class c  on c.sis_source = e.sis_source and c.sourced_id = e.class_sourced_id
join sis_course co on co.sis_source = c.sis_source and co.sourced_id = c.course_sourced_id
left join sis_org s on s.sis_source = e.sis_source and s.sourced_id = coalesce(e.school_sourced_id, c.school_sourced_id)
left join sis_org d on d.sis_source = s.sis_source and d.sourced_id = s.parent_sourced_id
where e.role = 'student'
  and e.status = 'active'
  and co.course_code is not null;

-- Potential: one row per student enrollment and credential aligned to its course in the catalog of the
-- enrollment's school year (any state's catalog with that year and course) and offered by its class. A
-- class offers the credentials it lists; a class that lists no credential of that year's catalog offers
-- every aligned credential.
create view student_course_offer as
select e.student_id,
       e.school_year,
       e.course_code,
       a.credential_code,
       e.district_code,
       e.school_code,
       e.class_sourced_id
from student_course_enrollment e
join (select distinct school_year, course_code, credential_code from catalog_alignment) a
  on a.school_year = e.school_year and a.course_code = e.course_code
left join sis_class_credential o
  on o.sis_source = e.sis_source and o.class_sourced_id = e.class_sourced_id and o.credential_code = a.credential_code
left join (select distinct cc.sis_source, cc.class_sourced_id, k.school_year
           from sis_class_credential cc
           join catalog_credential k on k.credential_code = cc.credential_code) l
  on l.sis_source = e.sis_source and l.class_sourced_id = e.class_sourced_id and l.school_year = e.school_year
where o.credential_code is not null   -- the class lists it
   or l.class_sourced_id is null;     -- the class lists no credential of that year's catalog
