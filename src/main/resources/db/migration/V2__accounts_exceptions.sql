-- People who use the hub's web pages and API, their sessions, and the audit trail.
create table account (
    account_id     bigserial primary key,
    username       text not null unique,
    role           text not null check (role in ('ops', 'district_admin', 'district_staff', 'vendor')),
    district_code  text,
    feed_code      text,
    password_hash  text not null,
    failed_logins  int  not null default 0,
    locked_until   timestamptz,
    disabled       boolean not null default false,
    created_at     timestamptz not null default now(),
    created_by     text,
    check ((role in ('district_admin', 'district_staff')) = (district_code is not null)),
    check ((role = 'vendor') = (feed_code is not null))
);

-- Sessions: only a SHA-256 of the cookie's token is stored.
create table web_session (
    session_hash text primary key,
    account_id   bigint not null references account on delete cascade,
    csrf_token   text not null,
    created_at   timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    expires_at   timestamptz not null
);
create index web_session_account on web_session (account_id);

-- Who did what, when, to what, with the state before and after.
create table audit_log (
    audit_id      bigserial primary key,
    at            timestamptz not null default now(),
    account_id    bigint references account on delete set null,
    username      text not null,
    action        text not null,
    object_type   text,
    object_id     text,
    district_code text,
    before        jsonb,
    after         jsonb
);
create index audit_log_object on audit_log (object_type, object_id);
create index audit_log_district on audit_log (district_code, at desc);

-- A result a district rejected (not our student, invalid) is decided, not unmatched.
alter table result drop constraint result_match_decision_check;
alter table result add constraint result_match_decision_check
    check (match_decision in ('match', 'review', 'none', 'rejected'));

-- The candidate students the matcher weighed for a result it could not settle.
create table match_candidate (
    result_id  bigint not null references result on delete cascade,
    student_id bigint not null references student on delete cascade,
    rank       int not null,
    score      double precision not null,
    reasons    jsonb not null default '[]',
    primary key (result_id, student_id)
);

-- Earlier decisions (tier 3 of matching): a vendor candidate linked to a student, or rejected.
create table match_crosswalk (
    feed_code     text not null,
    candidate_key text not null,
    student_id    bigint references student on delete cascade,
    decision      text not null check (decision in ('link', 'reject')),
    decided_by    text not null,
    decided_at    timestamptz not null default now(),
    primary key (feed_code, candidate_key)
);

-- What the hub cannot settle itself, for the student's district (or the state when no district is known).
create table result_exception (
    exception_id  bigserial primary key,
    result_id     bigint not null references result on delete cascade,
    kind          text not null check (kind in
                    ('no_match', 'ambiguous', 'not_enrolled', 'unknown_exam_code', 'pending_entry')),
    district_code text,
    status        text not null default 'open' check (status in ('open', 'deferred', 'resolved')),
    resolution    text,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    resolved_at   timestamptz,
    resolved_by   text,
    unique (result_id, kind)
);
create index result_exception_queue on result_exception (district_code, status, kind);
