-- FERPA-minimal retention (RetentionPurge, ./hub purge): what each purge removed, as counts only.
-- Vendor-sent identities (result_identity) go once a result is decided and the retention period has
-- passed (never while an exception on it is open or deferred); archived raw files of old deliveries;
-- expired web sessions. A dry run records nothing.
create table retention_run (
    run_id            bigserial primary key,
    started_at        timestamptz not null default now(),
    finished_at       timestamptz,
    trigger           text not null,          -- schedule (routes/retention.yaml) or cli (./hub purge)
    identity_days     int  not null,          -- hub.retention.vendor-identity-days in force
    archive_days      int  not null,          -- hub.retention.archive-days in force
    identities_purged int  not null default 0,
    files_purged      int  not null default 0,
    sessions_purged   int  not null default 0
);
