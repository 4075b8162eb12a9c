-- The per-statement reference checks (V75, V76, V81) look the rows they name up by index, whatever the tables' size
-- when the check was planned.
--
-- A trigger function's statements are planned at their first run in a database session, and PL/pgSQL keeps that plan
-- for the session until a table it reads is analyzed again. With hash and merge joins turned off (V76), a check first
-- run on a fresh hub (a file of 13 rows, a result table of a few pages) was planned as a nested loop over the whole
-- table read once and kept in memory: each new row compared with every result. The plan stayed while the tables grew,
-- until autovacuum analyzed them: a 1,317-row skills workbook checked against 5,035 results made 6.6 million
-- comparisons (224 ms; a skills workbook's publishing 200-1,350 ms instead of 20; docs/performance.md, session 40).
-- The check of the students a file's results name falls into the same plan when first run on a roster of a few rows
-- (ResultReferencesTest). Without sequential scans the only plan left is the one the checks were written for: one
-- index look-up a row named.
alter function lineage_identity_results_present() set enable_seqscan = off;
alter function result_references_present() set enable_seqscan = off;
-- the deliveries a lineage statement names (one, or a few), looked up by the delivery's key as the table grows
alter function lineage_deliveries_present() set enable_seqscan = off;
