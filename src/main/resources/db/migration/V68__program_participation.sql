-- Program participation (issue 18, NC Table 4): whether a student is economically disadvantaged, a multilingual
-- learner, a student with a disability. OneRoster has no such fields: the SIS sends them as documented extension
-- columns of demographics.csv (docs/oneroster.md). Flags only; null = not reported.
alter table sis_demographics
    add column economically_disadvantaged boolean,
    add column multilingual_learner       boolean,
    add column student_with_disability    boolean;

alter table student
    add column economically_disadvantaged boolean,
    add column multilingual_learner       boolean,
    add column student_with_disability    boolean;

alter table rpt.dim_student
    add column economically_disadvantaged boolean,
    add column multilingual_learner       boolean,
    add column student_with_disability    boolean;

-- CTE enrollment: every student enrollment in a course of the school year's catalog (the state's CTE courses),
-- whether or not its class offers a credential (rpt.fact_potential has those that do).
create table rpt.fact_enrollment (
    school_year      text not null,
    student_key      uuid not null,
    course_code      text not null,
    district_code    text,
    school_code      text,
    class_sourced_id text
);
create index fact_enrollment_year on rpt.fact_enrollment (school_year, student_key);

-- Table 4's public form gains columns: the next load writes it again with them.
drop table if exists rpt_public.attainment_by_student_group;
