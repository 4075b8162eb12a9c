-- A delivery is a small state machine (docs/reliability.md):
--   received -> staged (accepted | accepted_with_rejections | rejected) -> matched (processed_at)
--            -> acknowledged (acknowledged_at)
--   or quarantined / duplicate (final once acknowledged).
-- Each step is recorded in the transaction of its effect; a delivery that is not acknowledged is resumed
-- at start-up and on a schedule, from its archived file.
alter table delivery drop constraint delivery_status_check;
alter table delivery add constraint delivery_status_check check (status in
    ('received', 'processing', 'accepted', 'accepted_with_rejections', 'rejected', 'quarantined', 'duplicate', 'failed'));

-- pickup_ref: the per-pickup folder a file was moved to out of the inbox (unique per feed), so a file
-- found there again after a crash resumes its delivery instead of making another.
alter table delivery add column pickup_ref text;
create unique index delivery_pickup on delivery (feed_code, pickup_ref) where pickup_ref is not null;

-- acknowledged_at: the acknowledgement was written to the vendor's outbox (the delivery's last step).
alter table delivery add column acknowledged_at timestamptz;
update delivery set acknowledged_at = coalesce(processed_at, received_at);

-- Who works on an unfinished delivery, until when (a lease: a node that died lets go when it runs out,
-- and a node that restarts lets go of its own at once); the last fault and how many times it was tried.
alter table delivery add column claimed_by text;
alter table delivery add column claimed_until timestamptz;
alter table delivery add column attempts int not null default 0;
alter table delivery add column last_error text;
create index delivery_unfinished on delivery (delivery_id) where acknowledged_at is null;

-- A SIS bundle's verdict beyond the delivery row (OneRoster version, rows per file), so that the verdict
-- of a bundle imported just before a crash can be acknowledged after the restart exactly as it was.
alter table delivery add column verdict_detail jsonb;
