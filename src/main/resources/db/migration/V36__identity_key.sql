-- The keyed hash (HMAC-SHA256) of the names and birth date a vendor sent: the crosswalk key of a candidate with no
-- vendor candidate id and no state ID. Replaces an unkeyed MD5 computed in SQL, which anyone who could read the table
-- and guess a name and birth date could test.
alter table result_identity add column identity_key text;
