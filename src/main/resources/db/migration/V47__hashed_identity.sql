-- Issue 12, badge identity: the identities an Open Badges vendor sends hashed with a salt (hashed: true), kept as sent
-- (sha256$<hex> and the salt) beside the plain ones. The hub never learns the values: the matcher compares them by
-- hashing its roster candidates' names and birth dates with the same salt. They go with result_identity (retention).
alter table result_identity
    add column name_hash text,
    add column name_salt text,
    add column birth_date_hash text,
    add column birth_date_salt text;
