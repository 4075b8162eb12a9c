-- Failed sign-ins per account name (as typed, whether or not such an account exists) and source address:
-- each failure beyond the free ones doubles the wait before the next attempt from that source is heard.
-- Replaces the account lock-out (account.failed_logins / locked_until are no longer used).
create table sign_in_throttle (
    username        text        not null,
    source          text        not null,
    failures        int         not null default 0,
    next_allowed_at timestamptz not null default now(),
    last_failure_at timestamptz not null default now(),
    primary key (username, source)
);
create index sign_in_throttle_last_failure on sign_in_throttle (last_failure_at);
