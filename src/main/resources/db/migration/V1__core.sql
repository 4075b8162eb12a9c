-- credential-hub core schema. Direct identifiers: state student IDs are never stored in clear
-- (state_id_hash = HMAC-SHA256 hex); vendor-supplied names/birth dates live only in result_identity,
-- which the retention job purges.

-- Feeds: one row per configured delivery channel (SFTP layout, API, district entry).
create table feed (
    feed_code        text primary key,
    kind             text not null check (kind in ('sftp', 'api', 'district', 'sis')),
    layout           text not null,
    description      text,
    expected_cadence text,
    updated_at       timestamptz not null default now()
);

-- State catalog, per school year.
create table catalog_credential (
    school_year         text not null,
    credential_code     text not null,
    credential_name     text not null,
    tier                int,
    high_value          boolean not null default false,
    combined_credential text,
    delivered_by        text not null,
    primary key (school_year, credential_code)
);

create table catalog_exam_code (
    school_year     text not null,
    feed_code       text not null,
    exam_code       text not null,
    credential_code text not null,
    primary key (school_year, feed_code, exam_code)
);

-- Districts (PSUs) and schools.
create table district (
    district_code text primary key,
    name          text not null
);

create table school (
    school_code   text primary key,
    district_code text not null references district,
    name          text not null
);

-- The roster: students as the SIS knows them. Names and birth date are what matching needs.
create table student (
    student_id    bigserial primary key,
    state_id_hash text not null unique,
    first_name    text,
    last_name     text,
    birth_date    date,
    district_code text not null,
    school_code   text,
    updated_at    timestamptz not null default now()
);
create index student_district on student (district_code);

-- Camel's JDBC idempotent repository (content fingerprints of consumed files).
create table camel_messageprocessed (
    processorname varchar(255) not null,
    messageid     varchar(100) not null,
    createdat     timestamp    not null default now(),
    primary key (processorname, messageid)
);

-- One row per file (or API page) received, whatever became of it.
create table delivery (
    delivery_id    bigserial primary key,
    feed_code      text not null,
    source_name    text not null,
    content_sha256 text not null,
    size_bytes     bigint,
    received_at    timestamptz not null default now(),
    processed_at   timestamptz,
    status         text not null check (status in
                     ('processing', 'accepted', 'accepted_with_rejections', 'quarantined', 'duplicate', 'failed')),
    duplicate_of   bigint references delivery,
    rows_read      int not null default 0,
    rows_accepted  int not null default 0,
    rows_rejected  int not null default 0,
    reason         text
);
create index delivery_feed on delivery (feed_code, received_at desc);
create index delivery_sha on delivery (content_sha256);

-- Row-level rejections: row number, field, reason (never the offending value, which may be personal data).
create table delivery_rejection (
    delivery_id bigint not null references delivery on delete cascade,
    row_number  int    not null,
    field       text   not null,
    reason      text   not null,
    primary key (delivery_id, row_number, field)
);

-- Canonical results: one row per attempt, keyed by the feed's natural attempt key.
create table result (
    result_id           bigserial primary key,
    feed_code           text        not null,
    attempt_key         text        not null,
    delivery_id         bigint      not null references delivery,
    source_row          int         not null,
    vendor_candidate_id text,
    state_id_hash       text,
    exam_code           text        not null,
    credential_code     text,
    school_year         text        not null,
    attempted_on        date        not null,
    attempted_at        timestamptz,
    passed              boolean     not null,
    score               numeric,
    status              text        not null default 'active' check (status in ('active', 'revoked')),
    student_id          bigint references student,
    match_decision      text check (match_decision in ('match', 'review', 'none')),
    match_tier          text,
    match_score         double precision,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    unique (feed_code, attempt_key)
);
create index result_student on result (student_id);
create index result_year_credential on result (school_year, credential_code);

-- Every delivery row that touched a result (first delivery, corrections, re-sends).
create table result_lineage (
    result_id   bigint not null references result on delete cascade,
    delivery_id bigint not null references delivery,
    source_row  int    not null,
    primary key (result_id, delivery_id, source_row)
);

-- Vendor-supplied identifiers, kept only until the decision plus the retention period.
create table result_identity (
    result_id     bigint primary key references result on delete cascade,
    first_name    text,
    last_name     text,
    birth_date    date,
    email         text,
    school_code   text,
    school_name   text,
    district_code text,
    received_at   timestamptz not null default now()
);

-- Reporting schema: no direct identifiers.
create schema rpt;

create table rpt.load_run (
    load_id      bigserial primary key,
    started_at   timestamptz not null default now(),
    finished_at  timestamptz,
    trigger      text not null,
    status       text not null check (status in ('running', 'succeeded', 'failed')),
    rows_written int,
    message      text
);

create table rpt.earned_by_district_credential (
    school_year     text not null,
    district_code   text not null,
    credential_code text not null,
    earned          int  not null,
    load_id         bigint not null,
    primary key (school_year, district_code, credential_code)
);
