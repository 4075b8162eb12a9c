-- Issue 19, guards 2-4 (docs/guards.md).

-- Guard 2: each vendor delivery's automatic match rate (right after matching), whole and per district, and
-- the alarms it raised: below the feed's floor, or a sharp drop against the feed's (district's) trailing median.
create table delivery_match_rate (
    delivery_id   bigint not null references delivery,
    feed_code     text not null,
    district_code text not null,           -- '' for the whole delivery
    results       int not null,
    matched       int not null,
    rate          numeric not null,        -- percent
    computed_at   timestamptz not null default now(),
    primary key (delivery_id, district_code)
);
create index delivery_match_rate_feed on delivery_match_rate (feed_code, district_code, delivery_id desc);

create table guard_alarm (
    alarm_id      bigserial primary key,
    kind          text not null check (kind in ('match_rate_floor', 'match_rate_drop', 'district_match_rate_drop', 'feed_late')),
    feed_code     text not null,
    delivery_id   bigint references delivery,
    district_code text,
    message       text not null,           -- counts and rates only, never personal data
    holding       boolean not null default false,  -- the delivery's exceptions wait until it is released
    raised_at     timestamptz not null default now(),
    due_by        timestamptz,             -- feed_late: the lateness it is about (one alert per lateness)
    notified_at   timestamptz,             -- the notifier (e-mail / webhook) sent it
    cleared_at    timestamptz,
    cleared_by    text
);
create unique index guard_alarm_late_once on guard_alarm (feed_code, due_by) where kind = 'feed_late';
create index guard_alarm_open on guard_alarm (raised_at) where cleared_at is null;

-- Guard 3: corrections back to vendors, one per district decision, sent once.
create table vendor_correction (
    correction_id     bigserial primary key,
    feed_code         text not null,
    result_id         bigint not null references result on delete cascade,
    decision          text not null check (decision in ('linked', 'rejected')),
    student_id        bigint,
    vendor_candidate_id text,               -- as the vendor sent it (null when it sent none)
    source_name       text not null,        -- the vendor's own file and row
    source_row        int not null,
    reason_code       text,
    decided_at        timestamptz not null,
    recorded_at       timestamptz not null default now(),
    sent_at           timestamptz,
    sent_as           text                  -- the corrections file it went out in
);
create unique index vendor_correction_once on vendor_correction (result_id, decision, coalesce(student_id, 0));
create index vendor_correction_unsent on vendor_correction (feed_code) where sent_at is null;
