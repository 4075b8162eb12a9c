-- Each feed's fitted m/u model for the roster it was fitted against (docs/matching.md), kept so that a hub
-- that restarts (even after kill -9) matches with the model it had, not one fitted on another batch: a
-- crash changes no decision.
create table match_model (
    feed_code      text primary key,
    roster_version text        not null,
    fitted_rows    int         not null,
    model          jsonb       not null,
    fitted_at      timestamptz not null default now()
);
