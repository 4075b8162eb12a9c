package org.credentialhub.reporting;

import org.credentialhub.store.EmptyTables;
import org.credentialhub.store.FirstRows;
import org.credentialhub.store.LocalSettings;
import org.credentialhub.store.ParallelSelect;
import org.credentialhub.store.PlannerStatistics;
import org.credentialhub.store.Rows;
import org.credentialhub.store.Rollback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the reporting database from the operational tables, set-based, in ONE transaction (readers see
 * the previous load until it commits; a load that dies halfway leaves nothing). Incremental: only the
 * school years whose inputs changed since the last load are rebuilt (all of them when the roster,
 * enrollments or catalog changed); rebuilding a year is idempotent, so running a load twice, or again
 * after a crash, gives identical tables. Two loads never run at once (advisory lock), whichever node
 * starts them.
 *
 * <p>The counting rules (docs/reporting.md, "Counting rules"): an attempt belongs to a school year by its date; a
 * credential is earned once per student, credential and year (the first pass); it counts toward a
 * course's attainment when the student was enrolled that year in a course aligned to it whose class
 * offers it; potential is every enrollment times each aligned credential its class offers; a combined
 * credential is derived when all its modules count toward the course in the same year.
 */
public final class ReportingLoad {
    private static final Logger LOG = LoggerFactory.getLogger(ReportingLoad.class);
    /** The advisory lock that lets one load run at a time, on any node ("HUB_RPT"). */
    public static final long LOCK_KEY = 0x4855425F52505400L;

    private final DataSource dataSource;
    private final Reports reports;
    /** For tests: told each step's name as it ends, inside the load's transaction ({@link #failAfter} too). */
    private volatile java.util.function.Consumer<String> afterStep;
    private volatile long keysMadeAfterRows = FirstRows.KEYS_MADE_AFTER_ROWS;
    private long stepStarted;
    /** The fact tables a load rebuilds a school year of (rpt schema). */
    static final List<String> FACT_TABLES = List.of("fact_attempt", "fact_earned", "fact_enrollment", "fact_potential",
            "fact_course_earned", "fact_combined");

    /** A step run before every load (the credentials' standing: org.credentialhub.standards.Standing), or null. */
    private final Before before;

    /** A step run before every load. */
    public interface Before {
        Object run() throws SQLException;
    }

    public ReportingLoad(DataSource dataSource, Reports reports) {
        this(dataSource, reports, null);
    }

    public ReportingLoad(DataSource dataSource, Reports reports, Before before) {
        this.dataSource = dataSource;
        this.reports = reports;
        this.before = before;
    }

    /** The last {@code n} reporting loads, newest first (for the operations console). */
    public List<java.util.Map<String, Object>> recentLoads(int n) throws SQLException {
        return Rows.list(dataSource, """
                select load_id as id, trigger, status, started_at::text as started, finished_at::text as finished,
                       rows_written from rpt.load_run order by load_id desc limit ?""", List.of(n));
    }

    /** Earned credentials per school year and district, from the last load. */
    public List<java.util.Map<String, Object>> earnedByDistrict() throws SQLException {
        return Rows.list(dataSource, """
                select r.school_year, r.district_code as district, coalesce(d.name, r.district_code) as name,
                       sum(r.earned) as earned
                from rpt.earned_by_district_credential r left join district d using (district_code)
                group by 1, 2, 3 order by 1, 2""", List.of());
    }

    /** The reporting gauge of the hub's metrics: when the last load succeeded (epoch seconds, 0: never). */
    public static void gauges(Connection c, java.util.Map<String, Double> into) throws SQLException {
        Rows.gauges(c, """
                select 'hub_reporting_last_load_seconds', '',
                  coalesce(extract(epoch from max(finished_at)), 0)::float8 from rpt.load_run where status = 'succeeded'""",
                into);
    }

    /** For tests: fail the load after {@code step} (null: never), as a crash would. */
    public void failAfter(String step) {
        this.afterStep = step == null ? null : name -> {
            if (name.equals(step)) {
                throw new IllegalStateException("load stopped after step " + name + " (test fault)");
            }
        };
    }

    /** For tests: {@code hook} is told each step's name as the step ends, inside the load's transaction. */
    void afterStep(java.util.function.Consumer<String> hook) {
        this.afterStep = hook;
    }

    /** For tests: the rows from which a first load writes a table's rows before its keys (default {@link FirstRows#KEYS_MADE_AFTER_ROWS}). */
    void keysMadeAfterRows(long rows) {
        this.keysMadeAfterRows = rows;
    }

    /**
     * Whether {@code table} gets its first rows from {@code source}, at least {@link #keysMadeAfterRows} of them: it is
     * empty, and taken for the rest of the load (readers wait for its rows rather than read none), without waiting:
     * when anyone reads it at this moment, its rows are written as in any later load.
     */
    private boolean firstRows(Connection c, String source, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select count(*) >= ? from (select 1 from " + source + " limit ?) x")) {
            ps.setLong(1, keysMadeAfterRows);
            ps.setLong(2, keysMadeAfterRows);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return false;
                }
            }
        }
        return FirstRows.taken(c, table, "access exclusive mode nowait");
    }

    /** Runs one load; returns the number of fact rows written. */
    public int load(String trigger) throws SQLException {
        if (before != null) {
            before.run();   // a credential revoked since, or valid since, is counted as it now stands
        }
        long loadId;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "insert into rpt.load_run (trigger, status) values (?, 'running') returning load_id")) {
            ps.setString(1, trigger == null ? "manual" : trigger);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                loadId = rs.getLong(1);
            }
        }
        try (Connection c = dataSource.getConnection()) {
            // one load at a time, on any node: wait for the lock BEFORE the load's snapshot is taken
            try (Statement st = c.createStatement()) {
                st.execute("select pg_advisory_lock(" + LOCK_KEY + ")");
            }
            try {
                java.sql.Timestamp watermark = watermark(c);
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                int rows = run(c, loadId, watermark);
                c.commit();
                return rows;
            } catch (SQLException | RuntimeException e) {
                Rollback.after(c, e);
                markFailed(loadId, e);
                throw e;
            } finally {
                c.setAutoCommit(true);
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                try (Statement st = c.createStatement()) {
                    st.execute("select pg_advisory_unlock(" + LOCK_KEY + ")");
                }
            }
        }
    }

    /**
     * What the next load looks back to: this moment, or the start of the oldest transaction still open in the
     * database now, if earlier. Taken before this load's snapshot, so a change this load cannot see (its transaction
     * was open at the snapshot) was written at or after the watermark (writers stamp {@code updated_at = now()}, their
     * transaction's start) and the next load rebuilds its year; a change it can see is not looked at again.
     * (pg_stat_activity shows the transactions of the hub's own database role; see docs/reporting.md.)
     */
    private static java.sql.Timestamp watermark(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                select least(clock_timestamp(), min(xact_start)) from pg_stat_activity
                where datname = current_database() and pid <> pg_backend_pid() and xact_start is not null""")) {
            rs.next();
            return rs.getTimestamp(1);
        }
    }

    private int run(Connection c, long loadId, java.sql.Timestamp watermark) throws SQLException {
        List<String> years = changedYears(c);
        int rows = 0;
        if (!years.isEmpty()) {
            Array y = c.createArrayOf("text", years.toArray());
            stepStarted = System.nanoTime();
            // the students without one (only a load writes pseudonyms, one load at a time: a plain insert, not an
            // upsert's speculative insertion per row; NC year's first load, 88,393 students: 0.77 s -> 0.60 s). A first
            // load writes them before the table's keys (FirstRows; psql, the NC year's 88,393 into an empty copy, five
            // runs each alternating: 2.16-3.23 s into the keys, 1.49-1.98 s with the keys' builds). Their foreign key to
            // the roster stays and checks each student: dropped to be made again after the rows, it took the roster
            // from every reader until the load committed (FirstRows.OWN_ALREADY)
            String pseudonyms = """
                    insert into student_pseudonym (student_id)
                    select s.student_id from student s
                    where not exists (select 1 from student_pseudonym p where p.student_id = s.student_id)""";
            if (firstRows(c, "student", "student_pseudonym")) {
                FirstRows.insertBeforeKeys(c, "student_pseudonym", () -> Rows.update(c, pseudonyms));
            } else {
                Rows.update(c, pseudonyms);
            }
            // a load right after a first roster import must not plan its joins on empty-table statistics (it
            // would take hours): the pseudonyms just written, and the roster side and results where they gained or lost
            // a tenth of their rows since their statistics were taken (a roster import's tables are analyzed as it
            // publishes them, with its rows)
            Rows.update(c, "analyze student_pseudonym");
            PlannerStatistics.analyzeIfChanged(c, "student", "sis_user", "sis_enrollment",
                    "sis_class", "sis_course", "sis_org", "sis_class_credential", "result");
            refreshDimensions(c);
            step("dimensions");
            // a first load (no facts yet) writes them into tables emptied again in its transaction (without WAL on a
            // server that writes none for those: the embedded one); readers that come meanwhile wait for its facts
            // rather than read none. Otherwise readers see the previous load's facts until this one commits
            List<String> facts = FACT_TABLES.stream().map(t -> "rpt." + t).toList();
            boolean first = EmptyTables.truncatedIfEmpty(c, facts);
            if (!first) {
                for (String table : facts) {
                    Rows.update(c, "delete from " + table + " where school_year = any (?)", y);
                }
            }
            // the years' enrollments, read once for the enrollment and potential facts: a table of the transaction's
            // own, with statistics, so that the offers are joined to as many rows as there are (the SIS side of the
            // views is estimated at a few thousand rows whatever its size, and the offers' joins were then planned as
            // hash tables of every enrollment, in many batches: NC year 3.5 s for potential, 1.5M students 66 s)
            Rows.update(c, """
                    create temp table load_enrollment on commit drop as
                    select e.school_year, p.student_key, e.course_code, e.district_code, e.school_code,
                           e.class_sourced_id, e.sis_source
                    from student_course_enrollment e join student_pseudonym p using (student_id)
                    where e.school_year = any (?)""", y);
            Rows.update(c, "analyze load_enrollment");
            rows += analyzed(c, "rpt.fact_enrollment", Rows.update(c, """
                    insert into rpt.fact_enrollment (school_year, student_key, course_code, district_code, school_code,
                                                     class_sourced_id)
                    select e.school_year, e.student_key, e.course_code, e.district_code, e.school_code, e.class_sourced_id
                    from load_enrollment e
                    where exists (select 1 from catalog_course k where k.school_year = e.school_year
                                  and k.course_code = e.course_code)"""));
            step("enrollment");
            // potential: the enrollments times the credentials their class offers (the rule: class_credential_offer;
            // the same rows as student_course_offer joined to the pseudonyms). The offers are still estimated at a
            // few hundred classes: hash joins only, never a loop over the enrollments for each of them
            Rows.update(c, "set local enable_nestloop = off");
            rows += Rows.update(c, """
                    insert into rpt.fact_potential (school_year, student_key, course_code, credential_code, district_code,
                                                    school_code, class_sourced_id)
                    select e.school_year, e.student_key, e.course_code, k.credential_code, e.district_code,
                           e.school_code, e.class_sourced_id
                    from load_enrollment e
                    join class_credential_offer k on k.sis_source = e.sis_source and k.class_sourced_id = e.class_sourced_id""");
            Rows.update(c, "reset enable_nestloop");
            step("potential");
            Rows.update(c, "analyze rpt.fact_potential");
            rows += analyzed(c, "rpt.fact_attempt", Rows.update(c, """
                    insert into rpt.fact_attempt (school_year, student_key, credential_code, district_code, school_code,
                                                  attempted_on, passed, source, feed_code, result_id)
                    select r.school_year, p.student_key, r.credential_code, s.district_code, s.school_code,
                           r.attempted_on, r.passed, case when r.feed_code = 'district' then 'district' else 'vendor' end,
                           r.feed_code, r.result_id
                    from result r join student s using (student_id) join student_pseudonym p using (student_id)
                    where r.school_year = any (?) and r.status = 'active' and r.match_decision = 'match'
                      and r.credential_code is not null
                      -- a postsecondary credit award is no attempt of its credential (CreditAwards counts it)
                      and not exists (select 1 from result_award w where w.result_id = r.result_id)""", y));
            summarizeYears(c);
            step("attempts");
            rows += keyedFacts(c, first, "rpt.fact_earned", EARNED, y, y);
            step("earned");
            // the facts just written are joined next: plan on their statistics (ANALYZE in the load's transaction
            // samples its own rows). Without them a first load, on tables with none, took ten times as long
            Rows.update(c, "analyze rpt.fact_earned");
            rows += keyedFacts(c, first, "rpt.fact_course_earned", """
                    insert into rpt.fact_course_earned (school_year, student_key, course_code, credential_code,
                                                        district_code, school_code, result_id)
                    -- the student's key before the year: see EARNED
                    select distinct on (e.student_key, e.school_year, f.course_code, e.credential_code)
                           e.school_year, e.student_key, f.course_code, e.credential_code, f.district_code,
                           f.school_code, e.result_id
                    from rpt.fact_earned e
                    join rpt.fact_potential f on f.student_key = e.student_key and f.school_year = e.school_year
                                             and f.credential_code = e.credential_code
                    where e.school_year = any (?)
                    order by e.student_key, e.school_year, f.course_code, e.credential_code, f.district_code""", y);
            Rows.update(c, "analyze rpt.fact_course_earned");
            step("course-earned");
            // a combined credential's module count, per state, year and course, counted once and compared with each
            // student's count after grouping (it was a subquery run for every student's group: 47,159 times in the
            // NC year, half the statement; joined before grouping, the join's estimate fell to one row)
            rows += analyzed(c, "rpt.fact_combined", keyedFacts(c, first, "rpt.fact_combined", """
                    insert into rpt.fact_combined (school_year, student_key, combined_credential, course_code,
                                                   district_code, earned_on)
                    select g.school_year, g.student_key, g.combined_credential, g.course_code, g.district_code,
                           g.earned_on
                    from (select x.school_year, x.student_key, cc.state, cc.combined_credential, cc.course_code,
                                 min(x.district_code) as district_code, max(e.earned_on) as earned_on,
                                 count(distinct cc.module_credential_code) as modules
                          from catalog_combined cc
                          join rpt.fact_course_earned x on x.school_year = cc.school_year
                                                       and x.course_code = cc.course_code
                                                       and x.credential_code = cc.module_credential_code
                          join rpt.fact_earned e on e.result_id = x.result_id
                          where cc.school_year = any (?)
                          -- the student's key before the year: see EARNED
                          group by x.student_key, x.school_year, cc.state, cc.combined_credential, cc.course_code) g
                    join (select state, school_year, combined_credential, course_code,
                                 count(distinct module_credential_code) as modules
                          from catalog_combined where school_year = any (?)
                          group by state, school_year, combined_credential, course_code) m
                      on m.state = g.state and m.school_year = g.school_year
                     and m.combined_credential = g.combined_credential and m.course_code = g.course_code
                     and m.modules = g.modules""", y, y));
            step("combined");
            rows += analyzed(c, "rpt.fact_credit_award", CreditAwards.load(c));
            step("credit-awards");
            notEnrolledExceptions(c, y);
            step("not-enrolled");
            // the public tables' reports (about twenty, each grouping a year's facts) are planned with the parallel
            // workers' cost nearer what it is for them: each worker returns a few rows per group, not a row per fact,
            // and PostgreSQL's defaults (1,000 to start them, 0.1 a row) kept every report on one core. The NC year's
            // public step 7.6-8.9 s -> 6.1-6.8 s (first loads of a finished run's facts, three alternations; the same
            // tables: docs/performance.md, session 59)
            String setupBefore = LocalSettings.set(c, "parallel_setup_cost", "100");
            String tupleBefore = LocalSettings.set(c, "parallel_tuple_cost", "0.01");
            reports.writePublic(c, years);
            LocalSettings.set(c, "parallel_setup_cost", setupBefore);
            LocalSettings.set(c, "parallel_tuple_cost", tupleBefore);
            step("public");
        }
        try (PreparedStatement ps = c.prepareStatement("""
                update rpt.load_run set status = 'succeeded', finished_at = clock_timestamp(), rows_written = ?,
                       years = ?, watermark = ? where load_id = ?""")) {
            ps.setInt(1, rows);
            ps.setArray(2, c.createArrayOf("text", years.toArray()));
            ps.setTimestamp(3, watermark);
            ps.setLong(4, loadId);
            ps.executeUpdate();
        }
        LOG.info("Reporting load {}: school year(s) {} rebuilt, {} fact row(s)", loadId,
                years.isEmpty() ? "none (nothing changed)" : String.join(", ", years), rows);
        return rows;
    }

    /**
     * A keyed fact table's rows ({@code sql} with its {@code args}): a first load ({@code first}: its fact tables emptied
     * again in its transaction) writes them before the table's key, which it then builds from them ({@link
     * FirstRows#insertBeforeKeys}: one sorted build instead of an insertion a row; psql, the NC year's 373,736 earned
     * facts 0.78-0.98 s -> 0.45 s with the build). The steps after it read the table with its key, as in any load.
     */
    private static int keyedFacts(Connection c, boolean first, String table, String sql, Object... args)
            throws SQLException {
        // (their selects sort and join the year's facts: run by parallel workers, ParallelSelect)
        return first ? FirstRows.insertBeforeKeys(c, table, () -> ParallelSelect.insert(c, sql, args))
                : ParallelSelect.insert(c, sql, args);
    }

    /**
     * Summarizes the block ranges the facts just written filled (V80: the facts' year indexes are block-range
     * summaries). A range without a summary is read by every query of any year: "has this year any facts?"
     * ({@link Rankings#loaded}) would read the whole table about twenty times a load.
     */
    private static void summarizeYears(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("select brin_summarize_new_values('rpt.fact_enrollment_year'), "
                    + "brin_summarize_new_values('rpt.fact_potential_year'), "
                    + "brin_summarize_new_values('rpt.fact_attempt_year')");
        }
    }

    private void step(String name) {
        long now = System.nanoTime();
        LOG.info("Reporting load step {}: {} ms", name, (now - stepStarted) / 1_000_000);
        stepStarted = now;
        java.util.function.Consumer<String> hook = afterStep;
        if (hook != null) {
            hook.accept(name);
        }
    }

    /**
     * The earned facts of the years ({@code ?}, twice): each student's first passed attempt of each credential, and
     * whether it is aligned: the student was enrolled that year in a course aligned to the credential (a potential fact
     * of it), decided here and not by updating every earned fact after the course-earned facts were written. The
     * potential facts are joined as they are: a student's credential offered by two courses gives its attempts twice,
     * alike, and the distinct on keeps one. Grouping them first (one row per student and credential) hashed every
     * potential fact into a group of its own, on disk: half of the statement (the NC year's select 2.1 s, 1.05-1.34 s
     * without; docs/performance.md, session 47).
     *
     * <p>The attempts are sorted, and merged with the potential facts, by the student's random key before the year, as
     * the course-earned and combined facts are: the same rows are kept in either order, but PostgreSQL sorts by the
     * first column's abbreviated key (its first bytes, compared as an integer) before it compares whole values. A
     * year ("2024-2025") has one or two values whose first eight bytes are alike, so every comparison went on to the
     * whole text and then the next column; a student's random key (a UUID) tells nearly every pair apart by its first
     * bytes. The NC year's earned facts 1.95-2.29 s -> 1.31-1.42 s, its course-earned facts 1.28-1.59 s -> 1.05-1.11 s
     * (psql, a finished NC run's facts, alternating; docs/performance.md, session 54).
     */
    static final String EARNED = """
            insert into rpt.fact_earned (school_year, student_key, credential_code, district_code, school_code,
                                         earned_on, source, feed_code, result_id, aligned)
            select distinct on (a.student_key, a.school_year, a.credential_code)
                   a.school_year, a.student_key, a.credential_code, a.district_code, a.school_code, a.attempted_on,
                   a.source, a.feed_code, a.result_id, f.student_key is not null
            from rpt.fact_attempt a
            left join rpt.fact_potential f
                   on f.student_key = a.student_key and f.school_year = a.school_year
                  and f.credential_code = a.credential_code and f.school_year = any (?)
            where a.school_year = any (?) and a.passed
            order by a.student_key, a.school_year, a.credential_code, a.attempted_on, a.result_id""";

    /**
     * {@link #changedYears}' statement. When every year is rebuilt (a first load, a roster changed) the other branches
     * are not read (each adds to every year nothing): on the NC year's first load they read all results twice, 0.63 s
     * of the load's serial start; and each branch's years are told apart by a hash of its rows, not a sort of the
     * facts' 412,370 attempts (docs/performance.md, session 44).
     */
    static final String CHANGED_YEARS = """
            with w as (select max(watermark) as since from rpt.load_run where status = 'succeeded'),
            all_years as (
                select distinct school_year from result
                union select distinct school_year from rpt.fact_attempt
                union select distinct school_year from student_course_enrollment
                union select school_year from catalog_year),
            everything as (
                select (select since from w) is null
                    or exists (select 1 from student where updated_at >= (select since from w))
                    or exists (select 1 from delivery where feed_code in (select feed_code from feed where kind = 'sis')
                                 and (received_at >= (select since from w) or processed_at >= (select since from w)))
                    as yes)
            select school_year from all_years where (select yes from everything)
            union
            select * from (
                select distinct school_year from result where updated_at >= (select since from w)
                union
                -- a school year's catalog is that year's alone
                select school_year from catalog_year where loaded_at >= (select since from w)
                union
                """ + CreditAwards.CHANGED_YEARS + """
            ) changed where not (select yes from everything)
            order by 1""";

    /**
     * The school years to rebuild: those with results changed since the last successful load's watermark (see
     * {@link #watermark}) and those whose catalog was loaded since, or every year when the roster or enrollments
     * changed, or on the first load.
     */
    private static List<String> changedYears(Connection c) throws SQLException {
        List<String> years = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(CHANGED_YEARS)) {
            while (rs.next()) {
                if (rs.getString(1) != null) {
                    years.add(rs.getString(1));
                }
            }
        }
        return years;
    }

    /** Earned credentials of students not enrolled in an aligned course that year: the district's to resolve. */
    private static void notEnrolledExceptions(Connection c, Array years) throws SQLException {
        // a year with no potential (no SIS enrollments) flags nothing: the years with potential are looked up first,
        // on their own (inside the insert, a plan chosen with more work_mem looked them up again for every earned fact)
        Array withPotential;
        try (PreparedStatement ps = c.prepareStatement("""
                select array(select y from unnest(?::text[]) y
                             where exists (select 1 from rpt.fact_potential f where f.school_year = y))""")) {
            ps.setArray(1, years);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                withPotential = rs.getArray(1);
            }
        }
        Rows.update(c, """
                insert into result_exception (result_id, kind, district_code)
                select e.result_id, 'not_enrolled', e.district_code
                from rpt.fact_earned e
                where e.school_year = any (?) and not e.aligned
                on conflict (result_id, kind) do update set status = 'open', resolution = null, resolved_at = null,
                    resolved_by = null, updated_at = now()
                where result_exception.status = 'resolved' and result_exception.resolution = 'auto'""", withPotential);
        // planned on the exceptions just written: with statistics from before them the open not-enrolled exceptions
        // were estimated at one row, and each of the 1,122 of the NC year scanned the earned facts (91 s)
        Rows.update(c, "analyze result_exception");
        Rows.update(c, """
                update result_exception x set status = 'resolved', resolution = 'auto', resolved_at = now(),
                       resolved_by = 'system', updated_at = now()
                from result r
                where x.kind = 'not_enrolled' and x.status <> 'resolved' and r.result_id = x.result_id
                  and r.school_year = any (?)
                  and not exists (select 1 from rpt.fact_earned e where e.result_id = x.result_id and not e.aligned)""", years);
    }

    private void refreshDimensions(Connection c) throws SQLException {
        Rows.update(c, """
                insert into rpt.dim_district (district_code, name)
                select district_code, name from district
                on conflict (district_code) do update set name = excluded.name""");
        Rows.update(c, """
                insert into rpt.dim_school (school_code, district_code, name)
                select school_code, district_code, name from school
                on conflict (school_code) do update set district_code = excluded.district_code, name = excluded.name""");
        Rows.update(c, "delete from rpt.dim_course");
        analyzed(c, "rpt.dim_course", Rows.update(c, """
                insert into rpt.dim_course (state, school_year, course_code, course_title, program_area)
                select state, school_year, course_code, course_title, program_area from catalog_course"""));
        Rows.update(c, "delete from rpt.dim_credential");
        analyzed(c, "rpt.dim_credential", Rows.update(c, """
                insert into rpt.dim_credential (state, school_year, credential_code, credential_name, tier, high_value,
                                                combined_credential, delivered_by, career_cluster)
                select cc.state, cc.school_year, cc.credential_code, cc.credential_name, cc.tier, cc.high_value,
                       cc.combined_credential, cc.delivered_by,
                       (select min(pa.program_area) from catalog_credential_program_area pa
                         where pa.state = cc.state and pa.school_year = cc.school_year
                           and pa.credential_code = cc.credential_code)
                from catalog_credential cc"""));
        // (the students-by-group reports count the students by these values: rpt.student_groups). A first load writes
        // them before the table's key (psql, the NC year's 88,393: 0.54-0.66 s -> 0.19-0.23 s with the key's build)
        String students = """
                insert into rpt.dim_student (student_key, sex, grade, hispanic_or_latino, race, economically_disadvantaged,
                                             multilingual_learner, student_with_disability)
                select p.student_key, s.sex, s.grade, s.hispanic_or_latino,
                       case when s.hispanic_or_latino then 'Hispanic/Latino'
                            when (coalesce(s.american_indian_or_alaska_native, false)::int + coalesce(s.asian, false)::int
                                  + coalesce(s.black_or_african_american, false)::int
                                  + coalesce(s.native_hawaiian_or_other_pacific_islander, false)::int
                                  + coalesce(s.white, false)::int) > 1 or s.two_or_more_races then 'Two or More Races'
                            when s.american_indian_or_alaska_native then 'American Indian/Alaska Native'
                            when s.asian then 'Asian'
                            when s.black_or_african_american then 'Black/African American'
                            when s.native_hawaiian_or_other_pacific_islander then 'Native Hawaiian/Pacific Islander'
                            when s.white then 'White'
                            else 'Not reported' end,
                       s.economically_disadvantaged, s.multilingual_learner, s.student_with_disability
                from student s join student_pseudonym p using (student_id)""";
        if (firstRows(c, "student_pseudonym", "rpt.dim_student")) {
            analyzed(c, "rpt.dim_student", FirstRows.insertBeforeKeys(c, "rpt.dim_student", () -> Rows.update(c, students)));
            return;
        }
        analyzed(c, "rpt.dim_student", Rows.update(c, students + """

                on conflict (student_key) do update set sex = excluded.sex, grade = excluded.grade,
                    hispanic_or_latino = excluded.hispanic_or_latino, race = excluded.race,
                    economically_disadvantaged = excluded.economically_disadvantaged,
                    multilingual_learner = excluded.multilingual_learner,
                    student_with_disability = excluded.student_with_disability
                -- a student whose dimensions are as they were is left alone (every load wrote every student again:
                -- a new row version of each, 88,393 in the NC year, 1.5 million at a large state's size)
                where (rpt.dim_student.sex, rpt.dim_student.grade, rpt.dim_student.hispanic_or_latino,
                       rpt.dim_student.race, rpt.dim_student.economically_disadvantaged,
                       rpt.dim_student.multilingual_learner, rpt.dim_student.student_with_disability)
                      is distinct from
                      (excluded.sex, excluded.grade, excluded.hispanic_or_latino, excluded.race,
                       excluded.economically_disadvantaged, excluded.multilingual_learner,
                       excluded.student_with_disability)"""));
    }

    /**
     * Rows just written to a fact or dimension table ({@code written}), after analyzing it where they are new or a
     * tenth of it ({@link PlannerStatistics#analyzeIfStale}): the public tables' queries read them in this transaction,
     * and a table never analyzed is planned from its pages with a default selectivity for its year (the NC year's
     * 263,286 enrollments of a year taken for 1,356; docs/performance.md, session 47).
     */
    private static int analyzed(Connection c, String table, int written) throws SQLException {
        PlannerStatistics.analyzeIfStale(c, written, table);
        return written;
    }


    private void markFailed(long loadId, Exception cause) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "update rpt.load_run set status = 'failed', finished_at = now(), message = ? where load_id = ?")) {
            ps.setString(1, cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
            ps.setLong(2, loadId);
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("Could not mark reporting load {} failed: {}", loadId, e.getMessage());
        }
    }
}
