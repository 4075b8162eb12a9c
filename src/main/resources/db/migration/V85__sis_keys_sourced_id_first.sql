-- The keys of the SIS's three largest tables with the sourcedId first, and a block-range index on the SIS source for a
-- source's own rows.
--
-- A B-tree's build sorts with an abbreviated key of its first column only: with the source first, the same in every
-- row, each comparison went on to the whole texts. A first load's keys (1,500,000 students × 4: sis.RosterPublisher
-- makes them after the rows) took 6.7 s for the 6,000,000 enrollments, 4.2-4.4 s with the sourcedId first (psql, a
-- table of that shape: 9.6-11.8 s -> 4.6-5.1 s; docs/performance.md, sessions 35, 42 and 46). A key still finds a
-- source's row by its sourcedId (both columns given) and is what ON CONFLICT (sis_source, sourced_id) names. What reads
-- one source's rows alone (a bulk's comparison with the stored rows, the line sets, whether a source has rows) reads
-- the block ranges that hold them: a source's rows are written together, by its bulk files (0.6 s to build at 6,000,000).
alter table sis_enrollment drop constraint sis_enrollment_pkey;
alter table sis_enrollment add constraint sis_enrollment_pkey primary key (sourced_id, sis_source);
create index sis_enrollment_source on sis_enrollment using brin (sis_source) with (autosummarize = on);

alter table sis_user drop constraint sis_user_pkey;
alter table sis_user add constraint sis_user_pkey primary key (sourced_id, sis_source);
create index sis_user_source on sis_user using brin (sis_source) with (autosummarize = on);

alter table sis_demographics drop constraint sis_demographics_pkey;
alter table sis_demographics add constraint sis_demographics_pkey primary key (sourced_id, sis_source);
create index sis_demographics_source on sis_demographics using brin (sis_source) with (autosummarize = on);
