-- Issue 17: which roster the matcher's in-memory index holds is asked before every delivery. It was
-- count(*), max(student_id) and max(updated_at) over the whole student table: a full scan per delivery
-- (tens of milliseconds at 1.5M students, for every small file). Now one row, bumped in the same
-- transaction as any change to student, so a reader sees the version of exactly the students it sees.
create table roster_version (
    one     boolean primary key default true check (one),
    version bigint  not null
);
insert into roster_version (one, version) values (true, 1);

create function roster_version_bump() returns trigger language plpgsql as $$
begin
    update roster_version set version = version + 1;
    return null;
end $$;

create trigger student_roster_version
    after insert or update or delete on student
    for each statement execute function roster_version_bump();
create trigger student_roster_version_truncate
    after truncate on student
    for each statement execute function roster_version_bump();
