-- Issue 16: credentials read as their standards say (org.credentialhub.standards).
-- exam_name, exam_ids: what was earned as the source names it (an achievement's name; its id, alignment codes and
--   URLs, CTID), any of which the catalog may know; shown with an unknown credential.
-- held_until: a credential not yet valid is kept pending until then, and counted from then on.
-- status_entries: the credential's status entries (revocation lists), re-checked on every pull and before every
--   reporting load; a credential newly revoked retracts its result.
alter table result add column exam_name text,
                   add column exam_ids text[],
                   add column held_until timestamptz,
                   add column status_entries text[];
create index result_held_until on result (held_until) where status = 'pending' and held_until is not null;
create index result_status_entries on result (feed_code) where status_entries is not null and status <> 'revoked';
