-- Keyed hashes of each state ID's deletion neighbourhood (support.Hmac.stateIdNear: for every position, the HMAC of
-- the ID with that character deleted, 64 bits, 16 hex characters each, in position order). The matcher finds IDs one
-- digit off (one digit changed, two adjacent digits swapped) by comparing them; no clear ID is stored.
-- student: written by the roster loaders. result: the sent ID's neighbourhood, to be written by intake beside
-- state_id_hash (until then null, and a mistyped ID is recognised only when it lands on another student's ID).
alter table student add column state_id_near text;
alter table result add column state_id_near text;
