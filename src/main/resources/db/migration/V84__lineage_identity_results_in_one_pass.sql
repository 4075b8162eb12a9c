-- The check that a statement's new lineage or identity rows name results (V75): a large statement whose results lie
-- close together (a large file's, written just before in its own order) is checked in one ordered pass over its
-- results' range of the primary key, not one index descent a row.
--
-- At 1,000,000 rows the descents took 1.6-2.2 s of each statement (the lineage's and the identities': psql on the
-- 1,000,000-row file's tables; the rows' insert alone 1.85 s), the pass 0.3-1.1 s (docs/performance.md, session 44).
-- A statement of fewer rows, or whose results are spread (more than twice as many keys in their range as rows), is
-- looked up row by row as before: the plan V76 and V82 hold the function to (no hash, merge or sequential scan of
-- result, whatever the statistics say). The pass is planned for its own range each time (EXECUTE): a merge join of
-- the statement's rows, sorted, with the primary key's entries between their lowest and highest result.
-- The same rules as V75: every row names a result that exists, and results other transactions wrote are locked.
create or replace function lineage_identity_results_present() returns trigger language plpgsql
    set enable_hashjoin = off set enable_mergejoin = off set enable_seqscan = off set enable_nestloop = on as $$
declare
    missing bigint;
    others bigint;
    named bigint;
    lowest bigint;
    highest bigint;
begin
    select count(*), min(result_id), max(result_id) into named, lowest, highest from new_rows;
    if named >= 50000 and highest - lowest < 2 * named then
        -- (settings made here end with the function: its own SET clauses above are restored on exit)
        perform set_config('enable_mergejoin', 'on', true);
        perform set_config('enable_nestloop', 'off', true);
        execute format($q$
            select count(*) - count(r.result_id), count(*) filter (where r.xmin <> pg_current_xact_id()::xid)
            from new_rows n
            left join (select x.result_id, x.xmin from result x where x.result_id between %s and %s) r
                   on r.result_id = n.result_id$q$, lowest, highest)
            into missing, others;
        perform set_config('enable_mergejoin', 'off', true);
        perform set_config('enable_nestloop', 'on', true);
    else
        select count(*) - count(r.result_id), count(*) filter (where r.xmin <> pg_current_xact_id()::xid)
        into missing, others
        from new_rows n left join result r on r.result_id = n.result_id;
    end if;
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
