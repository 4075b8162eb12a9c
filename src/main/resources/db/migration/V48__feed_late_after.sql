-- Issue 14: one rule for a late feed. The cadence's owner (feeds/Cadence) writes late_after (the
-- cadence and its grace) when the hub registers its feeds; ops_feed_status and the operations console
-- (GET /api/feeds) both read it. Before, the view compared against expected_every with no grace and
-- counted district and SIS feeds, while the API added a quarter and knew no 'quarterly'.
alter table feed add column late_after interval;

drop view ops_feed_status;
create view ops_feed_status as
select f.feed_code, f.kind, f.expected_cadence, f.expected_every, f.late_after,
       max(d.received_at) filter (where d.status in ('accepted', 'accepted_with_rejections')) as last_accepted_at,
       count(*) filter (where d.status = 'quarantined' and d.received_at > now() - interval '7 days') as quarantined_7d,
       coalesce(max(d.received_at), f.updated_at) + f.late_after as due_by,
       coalesce(coalesce(max(d.received_at), f.updated_at) + f.late_after < now(), false) as overdue
from feed f left join delivery d on d.feed_code = f.feed_code
group by f.feed_code, f.kind, f.expected_cadence, f.expected_every, f.late_after, f.updated_at;
