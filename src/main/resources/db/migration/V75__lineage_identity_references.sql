-- The references of result_lineage (to result and to delivery) and of result_identity (to result), checked once per
-- statement instead of once per row.
--
-- Publishing writes a lineage row and an identity row for every row of a file. A foreign key checks each of them by a
-- trigger call of its own, a look-up and a row lock: at a million rows, three million such calls, about half of the
-- time the file's lineage and identities took to write (docs/performance.md, session 24). The triggers below keep the
-- same rules with one set-based statement per statement:
--   * a row inserted must name a result and a delivery that exist (SQLSTATE 23503, foreign_key_violation, as a key);
--     the rows it names are locked FOR KEY SHARE, as a key locks them, so that no other transaction deletes them
--     before this one commits; results this transaction wrote itself are not locked again (no other transaction can
--     delete them before it ends: it cannot see a result inserted, and waits for one updated);
--   * a row's result and delivery are never changed (no statement does);
--   * deleting or truncating results deletes or truncates their lineage and identities (ON DELETE CASCADE);
--   * a delivery that lineage names cannot be deleted (as a key without an action: 23503).
-- Nothing but publishing (intake.Intake) inserts lineage or identities; retention deletes identities.

alter table result_lineage drop constraint result_lineage_result_id_fkey;
alter table result_lineage drop constraint result_lineage_delivery_id_fkey;
alter table result_identity drop constraint result_identity_result_id_fkey;

-- The results named by the statement's new rows: all present, and locked unless this transaction wrote them. One look-up
-- a row; a second pass only when some were written by others (publishing names the results it has just written).
create function lineage_identity_results_present() returns trigger language plpgsql as $$
declare
    missing bigint;
    others bigint;
begin
    select count(*) - count(r.result_id), count(*) filter (where r.xmin <> pg_current_xact_id()::xid)
    into missing, others
    from new_rows n left join result r on r.result_id = n.result_id;
    if missing = 0 and others > 0 then
        -- lock them, then look again: a result deleted meanwhile is missing
        perform 1 from result r join new_rows n on n.result_id = r.result_id
        where r.xmin <> pg_current_xact_id()::xid
        for key share of r;
        select count(*) - count(r.result_id) into missing from new_rows n left join result r on r.result_id = n.result_id;
    end if;
    if missing > 0 then
        raise foreign_key_violation using
            message = format('insert on table "%s" names %s result(s) that do not exist', tg_table_name, missing);
    end if;
    return null;
end $$;

-- The deliveries named by the statement's new lineage rows (one or a few): locked, and all present.
create function lineage_deliveries_present() returns trigger language plpgsql as $$
declare
    missing bigint;
begin
    perform 1 from delivery d where d.delivery_id in (select distinct n.delivery_id from new_rows n) for key share of d;
    select n.delivery_id into missing from (select distinct delivery_id from new_rows) n
    where not exists (select 1 from delivery d where d.delivery_id = n.delivery_id) limit 1;
    if found then
        raise foreign_key_violation using
            message = format('insert on table "%s" names delivery %s, which does not exist', tg_table_name, missing);
    end if;
    return null;
end $$;

create trigger result_lineage_result_present after insert on result_lineage
    referencing new table as new_rows for each statement execute function lineage_identity_results_present();
create trigger result_lineage_delivery_present after insert on result_lineage
    referencing new table as new_rows for each statement execute function lineage_deliveries_present();
create trigger result_identity_result_present after insert on result_identity
    referencing new table as new_rows for each statement execute function lineage_identity_results_present();

create function lineage_identity_keys_kept() returns trigger language plpgsql as $$
begin
    raise foreign_key_violation using
        message = format('the result or delivery of a row of table "%s" is not changed', tg_table_name);
end $$;

create trigger result_lineage_keys_kept before update of result_id, delivery_id on result_lineage
    for each row when (old.result_id is distinct from new.result_id or old.delivery_id is distinct from new.delivery_id)
    execute function lineage_identity_keys_kept();
create trigger result_identity_key_kept before update of result_id on result_identity
    for each row when (old.result_id is distinct from new.result_id)
    execute function lineage_identity_keys_kept();

-- ON DELETE CASCADE from result.
create function result_lineage_identity_deleted() returns trigger language plpgsql as $$
begin
    delete from result_lineage where result_id in (select o.result_id from old_rows o);
    delete from result_identity where result_id in (select o.result_id from old_rows o);
    return null;
end $$;

create trigger result_lineage_identity_deleted after delete on result
    referencing old table as old_rows for each statement execute function result_lineage_identity_deleted();

create function result_lineage_identity_truncated() returns trigger language plpgsql as $$
begin
    truncate result_lineage, result_identity;
    return null;
end $$;

create trigger result_lineage_identity_truncated after truncate on result
    for each statement execute function result_lineage_identity_truncated();

-- A delivery that lineage names is not deleted, nor its key changed (no statement changes it): one look-up a delivery.
create function delivery_lineage_kept() returns trigger language plpgsql as $$
begin
    if (tg_op = 'DELETE' or old.delivery_id is distinct from new.delivery_id)
       and exists (select 1 from result_lineage l where l.delivery_id = old.delivery_id) then
        raise foreign_key_violation using
            message = format('delivery %s is named by table "result_lineage"', old.delivery_id);
    end if;
    return case when tg_op = 'DELETE' then old else new end;
end $$;

create trigger delivery_lineage_kept before delete or update of delivery_id on delivery
    for each row execute function delivery_lineage_kept();
