-- SIS enrollments from OneRoster CSV bundles. Every sis_* row belongs to one SIS source (the feed that
-- delivered it: its SFTP account or the configured folder) and is keyed by the SIS's sourcedId; a bulk
-- file replaces that source's rows of its kind, a delta file applies its changes. Names, birth dates,
-- e-mails, usernames and passwords are not kept here: students' names and birth dates go to the roster
-- (student), state student IDs only as keyed hashes.

create table sis_academic_session (
    sis_source         text not null,
    sourced_id         text not null,
    status             text not null,
    date_last_modified timestamptz,
    title              text,
    type               text,
    start_date         date,
    end_date           date,
    parent_sourced_id  text,
    school_year_number int,
    school_year        text,           -- as the state names it, e.g. 2024-2025
    delivery_id        bigint not null,
    primary key (sis_source, sourced_id)
);

create table sis_org (
    sis_source         text not null,
    sourced_id         text not null,
    status             text not null,
    date_last_modified timestamptz,
    name               text,
    type               text,
    identifier         text,           -- district_code / school_code
    parent_sourced_id  text,
    delivery_id        bigint not null,
    primary key (sis_source, sourced_id)
);

create table sis_course (
    sis_source             text not null,
    sourced_id             text not null,
    status                 text not null,
    date_last_modified     timestamptz,
    school_year_sourced_id text,
    title                  text,
    course_code            text,       -- the state catalog's course code
    grades                 text,
    org_sourced_id         text,
    subjects               text,
    delivery_id            bigint not null,
    primary key (sis_source, sourced_id)
);

create table sis_class (
    sis_source         text not null,
    sourced_id         text not null,
    status             text not null,
    date_last_modified timestamptz,
    title              text,
    grades             text,
    course_sourced_id  text,
    class_code         text,
    class_type         text,
    school_sourced_id  text,
    term_sourced_ids   text[],
    school_year        text,           -- from its terms (their school year), else its course's
    delivery_id        bigint not null,
    primary key (sis_source, sourced_id)
);

create table sis_user (
    sis_source             text not null,
    sourced_id             text not null,
    status                 text not null,
    date_last_modified     timestamptz,
    enabled_user           boolean,
    org_sourced_ids        text[],
    role                   text,       -- 1.1 users.role, 1.2 the primary role in roles.csv
    grades                 text,
    primary_org_sourced_id text,
    state_id_hash          text,       -- HMAC of the state student ID (identifier or userIds)
    student_id             bigint references student,
    delivery_id            bigint not null,
    primary key (sis_source, sourced_id)
);
create index sis_user_student on sis_user (student_id);

create table sis_role (
    sis_source         text not null,
    sourced_id         text not null,
    status             text not null,
    date_last_modified timestamptz,
    user_sourced_id    text,
    role_type          text,
    role               text,
    begin_date         date,
    end_date           date,
    org_sourced_id     text,
    delivery_id        bigint not null,
    primary key (sis_source, sourced_id)
);

create table sis_enrollment (
    sis_source         text not null,
    sourced_id         text not null,
    status             text not null,
    date_last_modified timestamptz,
    class_sourced_id   text,
    school_sourced_id  text,
    user_sourced_id    text,
    role               text,
    is_primary         boolean,
    begin_date         date,
    end_date           date,
    delivery_id        bigint not null,
    primary key (sis_source, sourced_id)
);

-- Demographics for student-group reporting (no birth date: that is on the roster).
create table sis_demographics (
    sis_source                                text not null,
    sourced_id                                text not null,   -- the user's sourcedId
    status                                    text not null,
    date_last_modified                        timestamptz,
    sex                                       text,
    american_indian_or_alaska_native          boolean,
    asian                                     boolean,
    black_or_african_american                 boolean,
    native_hawaiian_or_other_pacific_islander boolean,
    white                                     boolean,
    two_or_more_races                         boolean,
    hispanic_or_latino                        boolean,
    delivery_id                               bigint not null,
    primary key (sis_source, sourced_id)
);

-- The roster: SIS identity and the demographics student-group reporting needs.
alter table student alter column district_code drop not null;
alter table student
    add column sis_source                                text,
    add column sourced_id                                text,
    add column grade                                     text,
    add column sex                                       text,
    add column american_indian_or_alaska_native          boolean,
    add column asian                                     boolean,
    add column black_or_african_american                 boolean,
    add column native_hawaiian_or_other_pacific_islander boolean,
    add column white                                     boolean,
    add column two_or_more_races                         boolean,
    add column hispanic_or_latino                        boolean;

-- Every problem found in a delivered bundle: errors (the bundle was refused) and warnings (how the hub
-- read something not quite standard). Never the offending value when it may be personal data.
create table delivery_problem (
    delivery_id bigint not null references delivery on delete cascade,
    seq         int    not null,
    severity    text   not null check (severity in ('error', 'warning')),
    file        text,
    line        int    not null,        -- 1 = header, 0 = the file or bundle as a whole
    field       text,                   -- file:column, e.g. users.csv:identifier
    message     text   not null,
    primary key (delivery_id, seq)
);

-- What the reconciliation reads: one row per student enrollment in a class whose course has a
-- courseCode, with the school year of the class's terms.
create view student_course_enrollment as
select u.student_id,
       c.school_year,
       co.course_code,
       coalesce(case when d.type = 'district' then d.identifier end,
                case when s.type = 'district' then s.identifier end,
                st.district_code) as district_code,
       case when s.type = 'school' then s.identifier end as school_code,
       e.class_sourced_id,
       e.begin_date,
       e.end_date
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
