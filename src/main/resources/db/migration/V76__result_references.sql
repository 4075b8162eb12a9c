-- The references of result to student and to delivery, checked once per statement on insert instead of once per row,
-- and the look-ups of V75's per-statement checks made by index, whatever the table's size.
--
-- Publishing inserts a result for every attempt of a file, and most of them already carry their student (a file is
-- matched on its staged rows, DeliveryMatcher.matchStaged). A foreign key checks each row by a trigger call of its own,
-- a look-up and a row lock: in the NC year 516,675 student checks (5.7 s, pg_stat_statements) and 487,564 delivery
-- checks (1.9 s), besides the calls themselves; 427,681 results copied into a table with both keys took 11.0-12.1 s,
-- without them 6.0-7.0 s (docs/performance.md, session 26). The triggers below keep the same rules:
--   * a result inserted names a delivery, and a student or none, that exist (SQLSTATE 23503, foreign_key_violation, as
--     a key); the rows it names are locked FOR KEY SHARE, as a key locks them, each once a statement;
--   * a result updated to another delivery or student is checked and locks it the same way, row by row, as a key
--     does (an upsert's conflicting rows and a decision's update: a trigger called only when the key changed);
--   * a student or delivery that a result names is not deleted, nor its key changed (as a key without an action);
--     neither table is truncated while results name its rows (where a key let TRUNCATE ... CASCADE empty result as
--     well: a trigger cannot tell CASCADE from RESTRICT, and refuses; truncate result first).
-- The hub deletes neither students nor deliveries; these rules keep the tables as consistent as the keys did.

alter table result drop constraint result_student_id_fkey;
alter table result drop constraint result_delivery_id_fkey;

-- V75's check of the results a lineage or identity statement names: one index look-up a row. The planner took a
-- statement's rows at their number against the whole table and, from a few thousand rows, read all of result into a
-- hash (a delivery of 21,873 rows: 767 ms, growing with the table; by index 117 ms in the same database).
alter function lineage_identity_results_present() set enable_hashjoin = off;
alter function lineage_identity_results_present() set enable_mergejoin = off;

-- The deliveries and students named by the statement's new results: locked, and all present. One look-up a delivery
-- and a student named (a file's results name one delivery and each of its students once or a few times): those a
-- look-up locks are those present (a row deleted meanwhile is not locked).
create function result_references_present() returns trigger language plpgsql
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
    with named as (select distinct student_id from new_rows where student_id is not null),
         locked as (select s.student_id from student s where s.student_id in (select student_id from named)
                    for key share of s)
    select (select count(*) from named) - (select count(*) from locked) into missing;
    if missing > 0 then
        raise foreign_key_violation using
            message = format('insert on table "result" names %s student(s) that do not exist', missing);
    end if;
    return null;
end $$;

create trigger result_references_present after insert on result
    referencing new table as new_rows for each statement execute function result_references_present();

-- A result moved to another delivery or student (an upsert's conflicting row, a decision): checked as a key checks it.
create function result_reference_changed() returns trigger language plpgsql as $$
begin
    if new.delivery_id is distinct from old.delivery_id then
        perform 1 from delivery d where d.delivery_id = new.delivery_id for key share of d;
        if not found then
            raise foreign_key_violation using
                message = format('update on table "result" names delivery %s, which does not exist', new.delivery_id);
        end if;
    end if;
    if new.student_id is distinct from old.student_id and new.student_id is not null then
        perform 1 from student s where s.student_id = new.student_id for key share of s;
        if not found then
            raise foreign_key_violation using
                message = 'update on table "result" names a student that does not exist';
        end if;
    end if;
    return null;
end $$;

create trigger result_reference_changed after update of delivery_id, student_id on result
    for each row when (new.delivery_id is distinct from old.delivery_id
                       or (new.student_id is distinct from old.student_id and new.student_id is not null))
    execute function result_reference_changed();

-- A student that results name is not deleted, nor its key changed: one look-up a student (result_student).
create function student_results_kept() returns trigger language plpgsql as $$
begin
    if (tg_op = 'DELETE' or old.student_id is distinct from new.student_id)
       and exists (select 1 from result r where r.student_id = old.student_id) then
        -- (no student's key in the message: it reaches logs)
        raise foreign_key_violation using
            message = 'a student named by table "result" is not deleted, nor its key changed';
    end if;
    return case when tg_op = 'DELETE' then old else new end;
end $$;

create trigger student_results_kept before delete or update of student_id on student
    for each row execute function student_results_kept();

-- A delivery that results or lineage name (V75) is not deleted, nor its key changed.
create or replace function delivery_lineage_kept() returns trigger language plpgsql as $$
begin
    if (tg_op = 'DELETE' or old.delivery_id is distinct from new.delivery_id)
       and (exists (select 1 from result r where r.delivery_id = old.delivery_id)
            or exists (select 1 from result_lineage l where l.delivery_id = old.delivery_id)) then
        raise foreign_key_violation using
            message = format('delivery %s is named by table "result" or "result_lineage"', old.delivery_id);
    end if;
    return case when tg_op = 'DELETE' then old else new end;
end $$;

-- Neither is truncated while results name their rows.
create function result_referenced_truncated() returns trigger language plpgsql as $$
begin
    if (tg_table_name = 'student' and exists (select 1 from result where student_id is not null))
       or (tg_table_name = 'delivery' and (exists (select 1 from result) or exists (select 1 from result_lineage))) then
        raise foreign_key_violation using
            message = format('table "%s" is named by table "result": truncate result first', tg_table_name);
    end if;
    return null;
end $$;

create trigger student_results_truncated before truncate on student
    for each statement execute function result_referenced_truncated();
create trigger delivery_results_truncated before truncate on delivery
    for each statement execute function result_referenced_truncated();
