-- The reporting facts' year indexes become block-range summaries (BRIN) of the school year.
--
-- Each was a B-tree over the year and a second column with few values (fact_potential: course and credential,
-- fact_attempt: credential) or random ones (fact_enrollment: the student's random key), and the load, which writes
-- every fact of the years it rebuilds, spent most of each insert on it: the NC year's 649,378 potential facts took
-- 4.0 s into the table with its B-tree, 0.8-1.2 s into the same table with none or with this summary, 2.2 s with a
-- B-tree of the year alone (psql, a finished NC run's data; docs/performance.md, session 32). What reads these tables
-- reads a year's facts whole (the reports, `where school_year = ?`, then grouped), which a summary serves as well; a
-- trace of one credential's attempts (Trace) reads its year's attempts.
--
-- The load summarizes the ranges it filled (brin_summarize_new_values): a range without a summary is read by every
-- query of any year, and "has this year any facts?" (Rankings.loaded, about twenty times a load) would read the table.
-- autosummarize covers ranges filled by anything else.
drop index rpt.fact_potential_year;
drop index rpt.fact_attempt_year;
drop index rpt.fact_enrollment_year;
create index fact_potential_year on rpt.fact_potential using brin (school_year) with (autosummarize = on);
create index fact_attempt_year on rpt.fact_attempt using brin (school_year) with (autosummarize = on);
create index fact_enrollment_year on rpt.fact_enrollment using brin (school_year) with (autosummarize = on);
