-- Feeds: every vendor layout, API pulls, district entry.

-- API records carry their own id: result.source_ref (the OB3 credential id, the issued badge id), so a
-- record is found by (feed, source_ref) and its lineage row is 1. Null for file rows.
alter table result add column source_ref text;
create index result_source_ref on result (feed_code, source_ref) where source_ref is not null;

-- pending: district-entered, waiting for a district administrator; rejected: refused by one.
-- Only active results count.
alter table result drop constraint result_status_check;
alter table result add constraint result_status_check check (status in ('active', 'revoked', 'pending', 'rejected'));

-- A delivery whose every row was rejected is 'rejected' (not "accepted with rejections").
alter table delivery drop constraint delivery_status_check;
alter table delivery add constraint delivery_status_check check (status in
    ('processing', 'accepted', 'accepted_with_rejections', 'rejected', 'quarantined', 'duplicate', 'failed'));

-- When a feed is expected to deliver (from config/feeds.yaml cadence), for the overdue view.
alter table feed add column expected_every interval;

-- Where each API feed stands: the since-cursor of the next pull and, during a pull, the next page, so
-- a restart continues where it stopped. run_max: the newest record time seen in the current pull; it
-- becomes `since` when the pull reaches its last page.
create table api_cursor (
    feed_code  text primary key,
    since      text,
    next_page  text,
    run_max    text,
    pages      bigint not null default 0,
    updated_at timestamptz not null default now()
);

-- What operations staff look at: deliveries that were quarantined or failed, and feeds that are late.
create view ops_delivery_problem as
select d.delivery_id, d.feed_code, d.source_name, d.status, d.reason, d.received_at
from delivery d
where d.status in ('quarantined', 'failed');

create view ops_feed_status as
select f.feed_code, f.kind, f.expected_cadence, f.expected_every,
       max(d.received_at) filter (where d.status in ('accepted', 'accepted_with_rejections')) as last_accepted_at,
       count(*) filter (where d.status = 'quarantined' and d.received_at > now() - interval '7 days') as quarantined_7d,
       (f.expected_every is not null and coalesce(max(d.received_at), '-infinity') < now() - f.expected_every) as overdue
from feed f left join delivery d on d.feed_code = f.feed_code
group by f.feed_code, f.kind, f.expected_cadence, f.expected_every;

-- District entry: evidence files (PDF, PNG or JPEG, size-checked) and the validation of each entry.
create table district_evidence (
    evidence_id bigserial primary key,
    delivery_id bigint not null references delivery,
    file_name   text   not null,
    media_type  text   not null check (media_type in ('application/pdf', 'image/png', 'image/jpeg')),
    size_bytes  int    not null,
    sha256      text   not null,
    content     bytea  not null,
    uploaded_at timestamptz not null default now(),
    unique (delivery_id, file_name)
);

create table district_entry (
    result_id       bigint primary key references result on delete cascade,
    delivery_id     bigint not null references delivery,
    source_row      int    not null,
    district_code   text   not null,
    evidence_id     bigint not null references district_evidence,
    entered_by      text   not null,
    entered_at      timestamptz not null default now(),
    decision        text   not null default 'pending' check (decision in ('pending', 'validated', 'rejected')),
    validated_by    text,
    validated_at    timestamptz,
    decision_reason text
);
create index district_entry_pending on district_entry (district_code) where decision = 'pending';
