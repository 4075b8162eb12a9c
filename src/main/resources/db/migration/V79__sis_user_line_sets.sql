-- users.csv too is staged as the delta it is (sis.LineSets; docs/performance.md, session 31): each published user keeps
-- its line's hash. An unchanged user's line is staged again when what the roster derives from it may change for
-- another reason (its organisation, role, demographics or enrollments changed, another user shares its state ID);
-- a student row rewritten by anyone else (the CSV roster, another SIS source) is caught by the trigger below.
alter table sis_user add column line_hash bigint;
alter table sis_user set (fillfactor = 90);

-- The users and demographics line sets stand for the roster as the source's files last gave it: when another writer
-- (the CSV roster, another SIS source's import) rewrites a student row the source's import wrote, the source's next
-- bulk users and demographics files are staged whole, so that their unchanged lines give those students back (names,
-- birth dates) as whole files would. The importing
-- source names itself in the transaction's setting hub.roster_source; its own writes leave its line set alone.
create function sis_line_set_student_rewritten() returns trigger language plpgsql as $$
begin
    delete from sis_line_set l
    where l.file in ('users', 'demographics')
      and l.sis_source <> coalesce(current_setting('hub.roster_source', true), '')
      and exists (select 1 from rewritten_student o where o.sis_source = l.sis_source);
    return null;
end $$;

create trigger student_rewritten after update on student
    referencing old table as rewritten_student
    for each statement execute function sis_line_set_student_rewritten();
