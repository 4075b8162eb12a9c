-- The state catalog keyed by state and school year (config/catalog/<state>/<year>/), so every state's
-- folders load side by side: courses, credential alignments, combined credentials and program areas.

alter table catalog_credential add column state text not null default 'nc';
alter table catalog_credential alter column state drop default;
alter table catalog_credential drop constraint catalog_credential_pkey;
alter table catalog_credential add primary key (state, school_year, credential_code);

alter table catalog_exam_code add column state text not null default 'nc';
alter table catalog_exam_code alter column state drop default;
alter table catalog_exam_code drop constraint catalog_exam_code_pkey;
alter table catalog_exam_code add primary key (state, school_year, feed_code, exam_code);
create index catalog_exam_code_lookup on catalog_exam_code (school_year, feed_code, exam_code);

-- One row per loaded catalog folder (catalog.yaml).
create table catalog_year (
    state       text not null,
    school_year text not null,
    first_day   date not null,
    last_day    date not null,
    loaded_at   timestamptz not null default now(),
    primary key (state, school_year)
);

create table catalog_course (
    state        text not null,
    school_year  text not null,
    course_code  text not null,
    course_title text not null,
    program_area text,
    primary key (state, school_year, course_code)
);

-- Which credentials a course is aligned to (course_credentials.csv).
create table catalog_alignment (
    state           text not null,
    school_year     text not null,
    course_code     text not null,
    credential_code text not null,
    primary key (state, school_year, course_code, credential_code)
);

-- Combined credentials and their modules, per course (combined_credentials.csv).
create table catalog_combined (
    state                  text not null,
    school_year            text not null,
    combined_credential    text not null,
    course_code            text not null,
    module_credential_code text not null,
    high_value             boolean not null default false,
    primary key (state, school_year, combined_credential, course_code, module_credential_code)
);

-- Program areas (and pathways) a credential is approved in, where the state publishes them
-- (credential_program_areas.csv, optional).
create table catalog_credential_program_area (
    state           text not null,
    school_year     text not null,
    credential_code text not null,
    program_area    text not null,
    pathway         text not null default '',
    primary key (state, school_year, credential_code, program_area, pathway)
);
