-- The console's daily work (issue 15): who has taken an exception ("mine"), and the audit page (newest first).
alter table result_exception add column assigned_to text;
alter table result_exception add column assigned_at timestamptz;
create index result_exception_assignee on result_exception (assigned_to, status) where assigned_to is not null;
create index audit_log_at on audit_log (at desc, audit_id desc);
