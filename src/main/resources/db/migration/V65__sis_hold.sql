-- Issue 19, guard 1: hold-and-approve for SIS bundles (docs/guards.md). A bundle that would change too much
-- of a source's data is recorded as a delivery in status 'held', nothing of it applied; so is every later
-- bundle of that source until operations decide (it waits behind the held one).
alter table delivery drop constraint delivery_status_check;
alter table delivery add constraint delivery_status_check check (status in
    ('received', 'processing', 'accepted', 'accepted_with_rejections', 'rejected', 'quarantined', 'duplicate',
     'failed', 'held'));

create table sis_hold (
    delivery_id        bigint primary key references delivery,
    feed_code          text not null,
    bundle_path        text not null,            -- the held copy of the bundle (zip or folder) under the data folder
    reason             text not null,
    impact             jsonb,                    -- added/removed/changed per kind and district, samples by sourcedId
    waits_for          bigint references delivery, -- a bundle held only because an earlier one of its source is
    held_at            timestamptz not null default now(),
    decision           text check (decision in ('approved', 'rejected')),
    decided_by         text,
    decided_at         timestamptz,
    outcome            text,                     -- the delivery's status after the decision
    outcome_sent_at    timestamptz               -- the outcome's acknowledgement is in the SIS's outbox
);
create index sis_hold_pending on sis_hold (feed_code, delivery_id) where decision is null;
