-- The students that results name are checked present without locking each of them; a student's deletion (or a change
-- of its key, which the hub never makes) waits instead for every transaction that writes results, and then finds any
-- result that names it.
--
-- V76 locked every student a statement's results name FOR KEY SHARE, as a foreign key does, so that no transaction
-- could delete it before the results were committed. A row lock is a write: the student's row header and a WAL record,
-- for every student of every delivery (a student with results from three feeds at once: a multixact), 10 us a student
-- (psql, 21,122 students of a feed: 296 ms with the locks, 76 ms without), and in the NC year 6.4 s of the result
-- inserts' statement time, with 1.1 s more in decisions' updates (pg_stat_statements; docs/performance.md, session
-- 34). The hub deletes no student. The rule stays the same for transactions at READ COMMITTED (the hub's):
--   * a result inserted or updated names a student that exists (SQLSTATE 23503), looked up once per statement (insert)
--     or per row whose student changed (update), by a fresh snapshot in the trigger, after the statement's own writes;
--   * deleting students (or changing a student's key) first takes result in SHARE mode: it waits for every transaction
--     that has written results to end, and keeps new writers out until it ends; its check then sees every result
--     committed, and a writer that comes after it sees the student gone (its trigger refuses the result).
-- The deliveries a statement names (one or a few) are still locked FOR KEY SHARE, as before.

create or replace function result_references_present() returns trigger language plpgsql
    set enable_hashjoin = off set enable_mergejoin = off as $$
declare
    missing bigint;
begin
    with named as (select distinct delivery_id from new_rows),
         locked as (select d.delivery_id from delivery d where d.delivery_id in (select delivery_id from named)
                    for key share of d)
    select (select count(*) from named) - (select count(*) from locked) into missing;
    if missing > 0 then
        select n.delivery_id into missing from (select distinct delivery_id from new_rows) n
        where not exists (select 1 from delivery d where d.delivery_id = n.delivery_id) limit 1;
        raise foreign_key_violation using
            message = format('insert on table "result" names delivery %s, which does not exist', missing);
    end if;
    select count(*) into missing
    from (select distinct student_id from new_rows where student_id is not null) n
    where not exists (select 1 from student s where s.student_id = n.student_id);
    if missing > 0 then
        raise foreign_key_violation using
            message = format('insert on table "result" names %s student(s) that do not exist', missing);
    end if;
    return null;
end $$;

create or replace function result_reference_changed() returns trigger language plpgsql as $$
begin
    if new.delivery_id is distinct from old.delivery_id then
        perform 1 from delivery d where d.delivery_id = new.delivery_id for key share of d;
        if not found then
            raise foreign_key_violation using
                message = format('update on table "result" names delivery %s, which does not exist', new.delivery_id);
        end if;
    end if;
    if new.student_id is distinct from old.student_id and new.student_id is not null
       and not exists (select 1 from student s where s.student_id = new.student_id) then
        raise foreign_key_violation using
            message = 'update on table "result" names a student that does not exist';
    end if;
    return null;
end $$;

-- A deletion of students: after every transaction writing results has ended, none of them is named.
create or replace function students_deleted_results_kept() returns trigger language plpgsql as $$
begin
    lock table result in share mode;
    if exists (select 1 from result r where r.student_id in (select o.student_id from old_rows o)) then
        -- (no student's key in the message: it reaches logs)
        raise foreign_key_violation using
            message = 'a student named by table "result" is not deleted, nor its key changed';
    end if;
    return null;
end $$;

-- A student's key changed (never, by the hub; V77's trigger calls this only when it changes): the same, row by row.
create or replace function student_results_kept() returns trigger language plpgsql as $$
begin
    lock table result in share mode;
    if exists (select 1 from result r where r.student_id = old.student_id) then
        raise foreign_key_violation using
            message = 'a student named by table "result" is not deleted, nor its key changed';
    end if;
    return new;
end $$;
