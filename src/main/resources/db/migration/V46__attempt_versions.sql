-- Issue 12: identity-changing corrections. A later row with the same attempt key whose person (name, birth date,
-- state ID) or exam differs is a new version of the attempt, held for review ('held': counts for nothing until a
-- district decides), not a silent overwrite. Decisions are bound to the version they were made on.
alter table result drop constraint result_status_check;
alter table result add constraint result_status_check
    check (status in ('active', 'revoked', 'pending', 'rejected', 'held'));
-- version: 1, then one more for each identity-changing correction; hold_reason: "identity changed since <file>, row <n>"
alter table result add column version int not null default 1;
alter table result add column hold_reason text;

-- Each row that touched a result belongs to one version; content_hash is the SHA-256 of the row's keyed identity
-- (state-ID hash, keyed hash of names and birth date) and exam code: no value of a person can be read from it.
alter table result_lineage add column version int not null default 1;
alter table result_lineage add column content_hash text;

-- The exception a held version opens for the student's district.
alter table result_exception drop constraint result_exception_kind_check;
alter table result_exception add constraint result_exception_kind_check check (kind in
    ('no_match', 'ambiguous', 'not_enrolled', 'unknown_exam_code', 'pending_entry', 'identity_changed'));

-- Rows of a delivery that became versions held for review (the acknowledgement's held_for_review).
alter table delivery add column rows_held int not null default 0;
