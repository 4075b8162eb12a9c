-- The reporting database: facts and dimensions keyed by pseudonymous student keys only (no names,
-- birth dates or state IDs). rpt holds exact figures for authorized users; rpt_public holds the
-- small-cell-suppressed tables for everyone else. Loaded by ReportingLoad, one transaction per load.

-- A random key per student, the only student identifier the reporting schemas carry.
create table student_pseudonym (
    student_id  bigint primary key references student on delete cascade,
    student_key uuid   not null unique default gen_random_uuid()
);

create table rpt.dim_district (
    district_code text primary key,
    name          text not null,
    region        text not null default 'Unassigned'
);

create table rpt.dim_school (
    school_code   text primary key,
    district_code text,
    name          text not null
);

create table rpt.dim_course (
    state        text not null,
    school_year  text not null,
    course_code  text not null,
    course_title text not null,
    program_area text,
    primary key (state, school_year, course_code)
);

create table rpt.dim_credential (
    state               text not null,
    school_year         text not null,
    credential_code     text not null,
    credential_name     text not null,
    tier                int,
    high_value          boolean not null,
    combined_credential text,
    delivered_by        text not null,
    career_cluster      text,
    primary key (state, school_year, credential_code)
);

-- Student groups (from SIS demographics), by pseudonymous key.
create table rpt.dim_student (
    student_key        uuid primary key,
    sex                text,
    grade              text,
    hispanic_or_latino boolean,
    race               text
);

-- Every attempt (passed or not) of a matched student.
create table rpt.fact_attempt (
    school_year     text    not null,
    student_key     uuid    not null,
    credential_code text    not null,
    district_code   text,
    school_code     text,
    attempted_on    date    not null,
    passed          boolean not null,
    source          text    not null check (source in ('vendor', 'district')),
    feed_code       text    not null,
    result_id       bigint  not null
);
create index fact_attempt_year on rpt.fact_attempt (school_year, credential_code);

-- A credential earned: the first pass per student, credential and school year.
create table rpt.fact_earned (
    school_year     text    not null,
    student_key     uuid    not null,
    credential_code text    not null,
    district_code   text,
    school_code     text,
    earned_on       date    not null,
    source          text    not null,
    feed_code       text    not null,
    result_id       bigint  not null,
    aligned         boolean not null,
    primary key (school_year, student_key, credential_code)
);

-- Credential potential: every enrollment in a course, each aligned credential the class offers.
create table rpt.fact_potential (
    school_year      text not null,
    student_key      uuid not null,
    course_code      text not null,
    credential_code  text not null,
    district_code    text,
    school_code      text,
    class_sourced_id text
);
create index fact_potential_year on rpt.fact_potential (school_year, course_code, credential_code);

-- An earned credential counted toward a course the student was enrolled in (and that offered it).
create table rpt.fact_course_earned (
    school_year     text   not null,
    student_key     uuid   not null,
    course_code     text   not null,
    credential_code text   not null,
    district_code   text,
    school_code     text,
    result_id       bigint not null,
    primary key (school_year, student_key, course_code, credential_code)
);

-- A combined credential, derived when a student has earned all its modules.
create table rpt.fact_combined (
    school_year         text not null,
    student_key         uuid not null,
    combined_credential text not null,
    course_code         text not null,
    district_code       text,
    earned_on           date not null,
    primary key (school_year, student_key, combined_credential, course_code)
);

-- What each load saw, so the next one knows what changed (incremental loads).
alter table rpt.load_run add column years text[], add column watermark timestamptz;

-- The skeleton's table of earned credentials becomes a view over the facts.
drop table rpt.earned_by_district_credential;
create view rpt.earned_by_district_credential as
select school_year, district_code, credential_code, count(*)::int as earned
from rpt.fact_earned group by school_year, district_code, credential_code;

create schema rpt_public;
