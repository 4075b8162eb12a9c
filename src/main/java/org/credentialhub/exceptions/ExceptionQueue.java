package org.credentialhub.exceptions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Keeps the exception queue in step with the results, set-based: opens an exception for each result
 * the hub cannot settle (no match, ambiguous, unknown exam code, a version whose identity changed and that is
 * held for review, a credit award whose articulation agreement no catalog lists), assigns it to the student's district
 * as far as it can be told (the district or school the vendor sent, else the best candidate's district;
 * none: the state's queue), and closes those whose cause went away.
 */
public final class ExceptionQueue {
    /**
     * The advisory lock of the queue ("HUB_EXQ"): a refresh of the whole queue, or of what changed since a time, takes
     * it alone; a refresh of one feed's results (a delivery's, a feed's backlog, the feed) takes it shared, and its
     * feed's lock ({@link #FEED_LOCK_CLASS}) alone.
     */
    public static final long LOCK_KEY = 0x4855425F45585100L;
    /** The first key of a feed's lock (the second is the hash of its code): "HEXQ". */
    public static final int FEED_LOCK_CLASS = 0x48455851;
    private static final Logger LOG = LoggerFactory.getLogger(ExceptionQueue.class);

    /**
     * The district a result most likely belongs to, after {@code result r left join result_identity i}: the district
     * or school the vendor sent, a school name only one district has, the best candidate's, the matched student's.
     * Each is a subquery, an index probe made only for a row the ones before leave without a district (coalesce stops
     * at the first value):
     * <ul>
     *   <li>as joins, the school name and the student were looked up for every row, 0.07 ms a row for the student
     *       alone (a 433-row delivery's match rates 30 ms instead of 7, a state's year 10 s of statement time);</li>
     *   <li>a school name looked up in an aggregate of {@code school} scanned every school each time (most of a
     *       250,000-row file's time from pickup to acknowledgement): {@code school_name} holds each lower-case name
     *       with the one district its schools are in (kept by a trigger on {@code school});</li>
     *   <li>the district and school sent were joins, planned by the rows the statistics expect of a delivery: a
     *       21,873-row delivery taken for 529 compared each row with every school (7,261,836 rows removed by a join
     *       filter, 948 ms of the delivery's match rates in the NC year; docs/performance.md, session 26).</li>
     * </ul>
     * A statement that places every row of a delivery reads them by index ({@code MatchRates.BY_INDEX}): the planner
     * takes the few pages of {@code district} and {@code school} for cheaper read whole, each time. It is
     * {@link #placeDistrict} of the place sent, else {@link #studentDistrict} of the result.
     */
    public static final String DISTRICT_OF_RESULT = "coalesce(" + placeDistrict("i.district_code", "i.school_code",
            "i.school_name") + ",\n  " + studentDistrict("r.result_id", "r.student_id") + ")";

    /**
     * The district of a place a vendor sent (SQL expressions of its district code, school code and school name): the
     * district sent, the school sent's, or the one district whose schools have that name (in any case); else null.
     * Many results share a place: a statement that places many can look each place up once ({@code MatchRates}).
     */
    public static String placeDistrict(String districtCode, String schoolCode, String schoolName) {
        return """
                coalesce((select od.district_code from district od where od.district_code = %s),
                  (select os.district_code from school os where os.school_code = %s),
                  (select n.district_code from school_name n where n.name_key = lower(%s)))"""
                .formatted(districtCode, schoolCode, schoolName);
    }

    /**
     * The district of a result whose place says none (SQL expressions of its id and matched student): its best
     * candidate's, else its matched student's; else null.
     */
    public static String studentDistrict(String resultId, String studentId) {
        return """
                coalesce((select st.district_code from match_candidate mc join student st using (student_id)
                     where mc.result_id = %s order by mc.rank limit 1),
                  (select st.district_code from student st where st.student_id = %s))"""
                .formatted(resultId, studentId);
    }

    /**
     * SQL condition on {@code r}: a postsecondary credit award whose agreement (credential, institution, program) no
     * catalog year lists. Kept, like a result of an unknown exam code, until the catalog has it (or it is rejected).
     */
    static final String UNKNOWN_AGREEMENT = """
            exists (select 1 from result_award w where w.result_id = r.result_id and not exists (
                      select 1 from catalog_articulation a where a.credential_code = r.credential_code
                        and a.institution = w.institution and a.program = w.program))""";

    private final DataSource dataSource;

    public ExceptionQueue(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Brings the queue up to date for the results a delivery touched (route step). */
    public void refreshDelivery(@org.apache.camel.Header("hubDeliveryId") Long deliveryId) throws SQLException {
        if (deliveryId != null) {
            refresh("r.delivery_id = " + deliveryId.longValue(),
                    "(select feed_code from delivery where delivery_id = " + deliveryId.longValue() + ")");
        }
    }

    /** Brings the queue up to date for the feed's staged, unprocessed deliveries (route step after a pull). */
    public void refreshBacklog(@org.apache.camel.Header("hubFeed") String feed) throws SQLException {
        refresh(org.credentialhub.intake.Intake.backlogScope(feed), org.credentialhub.intake.Intake.feedLiteral(feed));
    }

    /** Route step: the whole queue up to date (after the roster changed), keeping the message as it is. */
    public void refreshAll() throws SQLException {
        refresh();
    }

    /**
     * Brings the queue up to date for the results changed at or after {@code since} (a time of the database's
     * clock), e.g. what a re-match just decided: the rest of the queue is as it was. Returns the exceptions opened.
     */
    public int refreshChangedSince(java.time.Instant since) throws SQLException {
        return refresh("r.updated_at >= timestamptz '" + since + "'", null);
    }

    /** Brings the queue up to date for one feed's results (e.g. district entries just validated); returns those opened. */
    public int refreshFeed(String feed) throws SQLException {
        String literal = org.credentialhub.intake.Intake.feedLiteral(feed);
        return refresh("r.feed_code = " + literal, literal);
    }

    /** Brings the queue up to date for every result; returns the number of exceptions opened. */
    public int refresh() throws SQLException {
        return refresh("true", null);
    }

    /**
     * Brings the queue up to date for the results of {@code scope} (an SQL condition on {@code r}); {@code feed} is
     * the SQL of the one feed those results are all of, or null when they may be any feed's.
     */
    private int refresh(String scope, String feed) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            int opened;
            try (Statement st = c.createStatement()) {
                // one refresh at a time for the same results (a delivery's, the roster's re-match, another node's):
                // two at once lock the exceptions they open and close in different orders when matching changed
                // results between their snapshots, and deadlocked (ConcurrentMatchingTest saw it); the second now
                // reads what the first wrote. Two feeds' results are different results: their refreshes run side by
                // side (a small file's refresh waited behind a large delivery's of another feed, 5-10 s in all of
                // the NC year's; docs/performance.md, session 27). The queue's lock before the feed's, always
                st.execute(feed == null ? "select pg_advisory_xact_lock(" + LOCK_KEY + ")"
                        : "select pg_advisory_xact_lock_shared(" + LOCK_KEY + "); select pg_advisory_xact_lock("
                        + FEED_LOCK_CLASS + ", hashtext(" + feed + "))");
                opened = st.executeUpdate("""
                        insert into result_exception (result_id, kind, district_code)
                        -- the exceptions first (a few of a delivery's rows), then their districts: the districts'
                        -- joins over every row of a large delivery, planned for a handful, cost minutes
                        with k as materialized (
                            select r.result_id, k.kind
                            from result r
                            cross join lateral (
                                select 'no_match' as kind where r.match_decision = 'none' and r.status = 'active'
                                union all select 'ambiguous' where r.match_decision = 'review' and r.status = 'active'
                                union all select 'unknown_exam_code' where r.credential_code is null and r.status = 'active'
                                                                      and r.match_decision is distinct from 'rejected'
                                union all select 'pending_entry' where r.status = 'pending' and exists (
                                    select 1 from district_entry de where de.result_id = r.result_id and de.decision = 'pending')
                                union all select 'identity_changed' where r.status = 'held'
                                union all select 'unknown_agreement' where r.status = 'active'
                                                                      and r.match_decision is distinct from 'rejected'
                                                                      and %s
                            ) k
                            where r.status in ('active', 'pending', 'held') and %s
                              -- a delivery held by its match-rate alarm (docs/guards.md) queues nothing until released
                              and not exists (select 1 from guard_alarm a where a.delivery_id = r.delivery_id and a.holding))
                        select r.result_id, k.kind, %s
                        from k join result r using (result_id)
                        left join result_identity i using (result_id)
                        on conflict (result_id, kind) do update
                            set status = 'open', resolution = null, resolved_at = null, resolved_by = null,
                                updated_at = now()
                            where result_exception.status = 'resolved' and result_exception.resolution = 'auto'
                        """.formatted(UNKNOWN_AGREEMENT, scope, DISTRICT_OF_RESULT));
                int closed = st.executeUpdate("""
                        update result_exception e set status = 'resolved', resolution = 'auto', resolved_at = now(),
                               resolved_by = 'system', updated_at = now()
                        from result r
                        where r.result_id = e.result_id and e.status <> 'resolved' and %s and not (
                              (e.kind = 'no_match' and r.match_decision = 'none')
                           or (e.kind = 'ambiguous' and r.match_decision = 'review')
                           or (e.kind = 'unknown_exam_code' and r.credential_code is null
                               and r.match_decision is distinct from 'rejected')
                           or (e.kind = 'pending_entry' and exists (select 1 from district_entry de
                                 where de.result_id = r.result_id and de.decision = 'pending'))
                           or (e.kind = 'identity_changed' and r.status = 'held')
                           or (e.kind = 'unknown_agreement' and r.match_decision is distinct from 'rejected' and %s)
                           or e.kind in ('not_enrolled', 'credit_not_earned'))
                           or (r.result_id = e.result_id and r.status not in ('active', 'pending')
                               and not (r.status = 'held' and e.kind = 'identity_changed')
                               and e.status <> 'resolved' and %s)"""
                        .formatted(scope, UNKNOWN_AGREEMENT, scope));
                c.commit();
                if (opened > 0 || closed > 0) {
                    LOG.info("Exception queue: {} opened or re-opened, {} closed", opened, closed);
                }
            }
            return opened;
        }
    }
}
