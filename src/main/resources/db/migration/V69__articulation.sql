-- Issue 18 (ExcelinEd 4.B.e / 5.A.e): articulation credit.

-- The catalog's articulation agreements (articulation_agreements.csv, optional): an institution grants credit
-- hours in one of its programs for a credential earned in a school year from first_year to last_year.
create table catalog_articulation (
    state           text    not null,
    school_year     text    not null,
    credential_code text    not null,
    institution     text    not null,
    program         text    not null,
    credit_hours    numeric not null check (credit_hours > 0),
    first_year      text    not null,
    last_year       text    not null,
    primary key (state, school_year, credential_code, institution, program)
);
create index catalog_articulation_agreement on catalog_articulation (credential_code, institution, program);

-- A postsecondary credit award is a result (feed, attempt key, delivery, lineage, matching, exceptions, retention
-- all as for an exam attempt: result.credential_code is the credential credited, attempted_on the award date);
-- what only an award has is here. Results with a row here are awards and count for no credential's attempts.
create table result_award (
    result_id    bigint  primary key references result on delete cascade,
    institution  text    not null,
    program      text    not null,
    credit_hours numeric not null
);

-- An award whose agreement no catalog lists; an award that counts toward no earned credential of its agreement.
alter table result_exception drop constraint result_exception_kind_check;
alter table result_exception add constraint result_exception_kind_check check (kind in
    ('no_match', 'ambiguous', 'not_enrolled', 'unknown_exam_code', 'pending_entry', 'identity_changed',
     'unknown_agreement', 'credit_not_earned'));

-- An award counted toward the earned credential it articulates: school_year is that earning's year.
create table rpt.fact_credit_award (
    school_year     text    not null,
    student_key     uuid    not null,
    credential_code text    not null,
    institution     text    not null,
    program         text    not null,
    credit_hours    numeric not null,
    awarded_on      date    not null,
    result_id       bigint  not null primary key
);
create index fact_credit_award_year on rpt.fact_credit_award (school_year, credential_code);
