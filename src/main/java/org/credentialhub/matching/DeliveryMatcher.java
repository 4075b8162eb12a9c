package org.credentialhub.matching;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Header;
import org.credentialhub.exceptions.Decisions;
import org.credentialhub.intake.Intake;
import org.credentialhub.store.CopyWriter;
import org.credentialhub.store.LocalSettings;
import org.credentialhub.store.Scratch;
import org.credentialhub.store.Rollback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides whose result each row of a delivery is. Earlier district decisions come first (a rejected
 * vendor candidate stays rejected, a linked one goes to the same student); then the matcher's tiers
 * (corroborated state ID, Fellegi-Sunter) run against an in-memory index of the roster, which is
 * rebuilt when the roster changes. Decisions and the candidates weighed are written back set-based.
 */
public final class DeliveryMatcher {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryMatcher.class);
    /** Batches from this size on are written with planner statistics of their staged decisions. */
    public static final int ANALYZE_FROM_ROWS = org.credentialhub.store.PlannerStatistics.SCRATCH_FROM_ROWS;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;
    private final MatchSettings settings;
    private RosterIndex index;
    private String rosterVersion;
    /** Per feed, the model last fitted on its results against the current roster index. */
    private final Map<String, Fitted> models = new java.util.concurrent.ConcurrentHashMap<>();
    /** Models fitted by this matcher (not taken from a feed's earlier fit): read by tests. */
    private final java.util.concurrent.atomic.AtomicInteger fits = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * A feed's model and the roster index it was fitted against, which it does not keep: a feed with no delivery since
     * the roster changed kept the replaced index (as large as the roster) until its next one.
     */
    private record Fitted(java.lang.ref.WeakReference<RosterIndex> against, FsModel model, int rows) {
        Fitted(RosterIndex roster, FsModel model, int rows) {
            this(new java.lang.ref.WeakReference<>(roster), model, rows);
        }

        RosterIndex roster() {
            return against.get();
        }
    }

    public DeliveryMatcher(DataSource dataSource, MatchSettings settings) {
        this(dataSource, settings, BATCH_ROWS);
    }

    /**
     * @param batchRows a staged file of more results than this is matched in parts of about this many
     *                  ({@code hub.matching.batch-rows}), so that its memory does not grow with the file
     */
    public DeliveryMatcher(DataSource dataSource, MatchSettings settings, int batchRows) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.stored = new ModelStore();
        this.batchRows = Math.max(1, batchRows);
    }

    /** Results a staged file is matched in at once, by default ({@link #DeliveryMatcher(DataSource, MatchSettings, int)}). */
    public static final int BATCH_ROWS = 100_000;
    private final int batchRows;
    /** Results a model's fit samples at most ({@link #fitSampleResults}). */
    private int fitSample = ModelTrainer.SAMPLE_RESULTS;

    /**
     * A batch of more results than this is fitted on a sample of this many ({@code hub.matching.fit-sample-results}):
     * a fit's cost stops growing with the batch, and more rows say little more about a vendor's error rates.
     */
    public DeliveryMatcher fitSampleResults(int results) {
        this.fitSample = Math.max(1, results);
        return this;
    }

    /** The fitted models as they were before a restart. */
    private final ModelStore stored;

    /**
     * The roster index, rebuilt when students were added, changed or removed since it was built (migration V49: one
     * version row, bumped with every change to student, instead of a scan of the whole table per delivery). The usual
     * case, once per delivery, is one read and no transaction of its own (setting and resetting an isolation level
     * were two more round trips a file).
     */
    public synchronized RosterIndex index() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return index(c);
        }
    }

    /** The roster index as it stands, without building it (null before the first build). */
    synchronized RosterIndex indexed() {
        return index;
    }

    /**
     * {@link #index()} on the caller's connection (staging a file, in its transaction): read and, when the roster
     * changed, built on it, so that it never waits for a second one from the pool while holding its own (as many
     * routes staging at once as the pool has connections stalled one another: {@code StagingConnectionTest}).
     */
    public synchronized RosterIndex index(Connection current) throws SQLException {
        String version = versionOf(current);
        if (index != null && version.equals(rosterVersion)) {
            return index;
        }
        // the students read after the version: they are as new as the version that labels them, or newer (a change
        // committed in between is in the index under the version before it, which the next delivery builds again)
        if (!current.getAutoCommit()) {
            return build(current, version);
        }
        current.setAutoCommit(false);   // the students streamed (a fetch size holds only in a transaction)
        try {
            RosterIndex built = build(current, version);
            current.commit();
            return built;
        } catch (SQLException | RuntimeException e) {
            Rollback.after(current, e);
            throw e;
        } finally {
            current.setAutoCommit(true);
        }
    }

    /** Builds the index from the students {@code c} reads, labelled {@code version}. */
    private synchronized RosterIndex build(Connection c, String version) throws SQLException {
        // the index this one replaces is let go first: kept while its successor was built, the heap held both (661 MB
        // each at 1,500,000 students, against the 1 GB target); a delivery matching with it keeps it until it is done
        index = null;
        RosterIndex.Builder builder;
        try (Statement st = c.createStatement()) {
            // sized for the roster (counted as read: a few more read later are added, the arrays grown): its arrays
            // are allocated once, not grown by copies
            try (ResultSet rs = st.executeQuery("select count(*) from student")) {
                rs.next();
                builder = RosterIndex.builder((int) Math.min(Integer.MAX_VALUE, rs.getLong(1)));
            }
            st.setFetchSize(20_000);
            try (ResultSet rs = st.executeQuery("""
                    select student_id, state_id_hash, first_name, last_name, birth_date, school_code, district_code,
                           state_id_near
                    from student""")) {
                while (rs.next()) {
                    builder.add(new RosterRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getObject(5, LocalDate.class), rs.getString(6), rs.getString(7), rs.getString(8)));
                }
            }
        }
        index = builder.build();
        rosterVersion = version;
        LOG.info("Roster index built: {} students in {} ms", index.size(), index.buildMillis());
        return index;
    }

    /** The roster's version as the index labels it. */
    private static String versionOf(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select version from roster_version")) {
            rs.next();
            return "v" + rs.getLong(1);
        }
    }

    /** One district's students: the index its entries are matched against, and their roster ids. */
    private record District(RosterIndex index, java.util.Set<Long> students) {
    }

    /**
     * Students whose districts' indexes are kept between uses, at most: the districts used last stay (a district enters
     * its results now and then). Kept all, a scale-5 state's 143 districts were the roster indexed a second time, and
     * the heap stood at its limit while their entries were matched.
     */
    static final int DISTRICT_STUDENTS_KEPT = 100_000;

    /** The districts' indexes, the one used last at the end; at most {@link #DISTRICT_STUDENTS_KEPT} students in all. */
    private final java.util.LinkedHashMap<String, District> districts = new java.util.LinkedHashMap<>(16, 0.75f, true);
    private int districtStudents;
    private String districtsVersion;

    /**
     * The index of one district's students only: results a district enters itself (feeds of kind district) are
     * matched within the entering district, so an entry never tells its district whether a person is a student
     * elsewhere, nor credits another district's student. Rebuilt with the roster index; read on the caller's
     * connection ({@link #index(Connection)}).
     */
    private synchronized District districtIndex(Connection c, String districtCode) throws SQLException {
        index(c);
        if (!rosterVersion.equals(districtsVersion)) {
            districts.clear();
            districtStudents = 0;
            districtsVersion = rosterVersion;
        }
        District cached = districts.get(districtCode);
        if (cached != null) {
            return cached;
        }
        RosterIndex.Builder builder = RosterIndex.builder();
        java.util.Set<Long> ids = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("""
                     select student_id, state_id_hash, first_name, last_name, birth_date, school_code, district_code
                     from student where district_code = ?""")) {
            ps.setString(1, districtCode);
            ps.setFetchSize(20_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                    builder.add(new RosterRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getObject(5, LocalDate.class), rs.getString(6), rs.getString(7)));
                }
            }
        }
        District d = new District(builder.build(), java.util.Set.copyOf(ids));
        districts.put(districtCode, d);
        districtStudents += ids.size();
        // the districts used longest ago go first, never the one just built
        var eldest = districts.entrySet().iterator();
        while (districtStudents > DISTRICT_STUDENTS_KEPT && districts.size() > 1) {
            districtStudents -= eldest.next().getValue().students().size();
            eldest.remove();
        }
        return d;
    }

    public void matchDelivery(@Header(Intake.FEED) String feed, @Header(Intake.DELIVERY_ID) long deliveryId)
            throws SQLException {
        // a vendor file is matched as it is staged (matchStaged) and its results written with their decisions: none is
        // open here unless the delivery was staged by a hub that matched once published. Asked first, in one query,
        // instead of the roster index's version, the rejections' update and the read in a transaction of their own,
        // which found nothing to decide (four round trips a file: docs/performance.md, session 63)
        if (!anyOpen(deliveryId)) {
            return;
        }
        match("r.delivery_id = " + deliveryId, feed, "Delivery " + deliveryId);
    }

    /** Whether a result of the delivery has no decision yet ({@link #OPEN}). */
    private boolean anyOpen(long deliveryId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select exists (select 1 from result r where r.delivery_id = ? and " + OPEN + ")")) {
            ps.setLong(1, deliveryId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }


    /**
     * Route step after a pull: matches, as one batch, the results of every delivery of the feed that is staged but
     * not yet processed (all pages of this pull, and any a failed pull left behind).
     */
    public void matchBacklog(@Header(Intake.FEED) String feed) throws SQLException {
        match(Intake.backlogScope(feed), feed, "Feed " + feed + " (staged pages)");
    }

    /**
     * A school the vendor named by name only: the one school of that name ({@code school_name}, kept by a trigger on
     * {@code school}: a table whose size the planner knows, unlike a join with the unique names worked out from
     * {@code school}, which it took for one row and compared every row with every school). {@code %s}: the name.
     */
    private static final String SCHOOL_BY_NAME = """
            left join school_name sn on sn.name_key = lower(%s) and sn.school_code is not null""";

    /**
     * Matches every result in scope (a SQL condition on {@code r}) whose decision is open, as one batch, with the
     * feed's model (see {@link #model}); {@code feed} null when the scope spans feeds.
     */
    private void match(String scope, String feed, String what) throws SQLException {
        match(scope, false, feed, what);
    }

    /** The results a match decides, of those in its scope: those whose decision is open. */
    private static final String OPEN = "r.match_decision is null";

    /**
     * The results a re-match decides ({@link #rematchUnsettled}): those whose decision is open, and those the matcher
     * could not settle (no match or for review: never a district's decision) whose vendor-sent identity is kept
     * ({@code i}, the result's identity, a left join in the read, an inner one in {@link #applyRejections}).
     */
    private static final String UNSETTLED = "(r.match_decision is null or (r.match_decision in ('none', 'review') "
            + "and r.status in ('active', 'pending') and i.result_id is not null))";

    /**
     * The order a batch of published results is matched in: the vendor's, by feed, file (its name, then its content)
     * and row (an API record by its own id), the attempt key only where that leaves a tie. The model's sample (the rows
     * at the places it draws) and the one-to-one assignment's ties depend on the order, so it must be the same in
     * every hub for the same results: however the rows lie on disk (a restarted hub, another node), and whatever the
     * hub's identity key, which an attempt key holding personal data is hashed with ({@code k:…}: in the order of
     * those, the NC year's re-match drew another 8,000 of its 10,329 results on every new data folder, and its
     * automatic matches were 20 or 21). {@link #STAGED_ORDER} is the same order for one file's staged rows.
     */
    static final String PUBLISHED_ORDER = "r.feed_code, d.source_name, d.content_sha256, r.source_row, r.source_ref, "
            + "r.attempt_key";

    /** {@link #PUBLISHED_ORDER} for the staged rows {@code t} of one file: its rows, as they are read once published. */
    static final String STAGED_ORDER = "t.source_row, t.source_ref, t.attempt_key";

    /** How many models this matcher has fitted (not taken from a feed's earlier fit). */
    int fits() {
        return fits.get();
    }

    /**
     * The planner's cost of a page read at random for a re-match's read: its unsettled results are a few of all, found
     * by their partial index (V87), and each one's identity is then one look-up by key, not a scan of every identity
     * hashed against them, which PostgreSQL's default cost (4, a disk's seek) chose. The hub's pages are in memory
     * (its shared buffers and the system's cache): psql on a finished NC year, the read of its 10,482 unsettled results
     * 440-544 ms before, 340-480 ms with the index alone, 160-210 ms with both (docs/performance.md, session 63).
     */
    static final String REMATCH_READ_PAGE_COST = "1.1";

    /** The results a match decides of those in its scope: {@link #UNSETTLED} for a re-match, else {@link #OPEN}. */
    private static String open(boolean rematch) {
        return rematch ? UNSETTLED : OPEN;
    }

    /**
     * What a match reads of the results in {@code scope} (a SQL condition on {@code r}) that it decides: those whose
     * decision is open, and for a re-match ({@code rematch}) those left unsettled too, locked by the read; in the
     * vendor's order ({@link #PUBLISHED_ORDER}).
     */
    static String read(String scope, boolean rematch) {
        return """
                    select r.result_id, r.feed_code, r.exam_code || '|' || r.attempted_on as group_key, r.state_id_hash,
                           r.state_id_near,
                           i.first_name, i.last_name, i.birth_date,
                           coalesce(sc.school_code, sn.school_code, i.school_code) as school,
                           coalesce(i.district_code, sc.district_code, sn.district_code) as district,
                           %s as candidate_key,
                           -- the district's earlier link of the candidate
                           %s as linked,
                           f.kind = 'district' as entered, coalesce(de.district_code, i.district_code, '') as entered_by,
                           i.name_hash, i.name_salt, i.birth_date_hash, i.birth_date_salt,
                           r.match_decision is not null as decided_before
                    from result r
                    join feed f on f.feed_code = r.feed_code
                    left join district_entry de on de.result_id = r.result_id
                    left join result_identity i on i.result_id = r.result_id
                    left join school sc on sc.school_code = i.school_code
                    %s
                    join delivery d on d.delivery_id = r.delivery_id
                    where %s and %s
                    order by %s%s""".formatted(
                Decisions.CANDIDATE_KEY, crosswalk("student_id", "link"), SCHOOL_BY_NAME.formatted("i.school_name"),
                scope, open(rematch), PUBLISHED_ORDER,
                // a re-match's results are its transaction's from here on, as a district's decision of one of
                // them, made meanwhile, is taken after it (it waits for the re-match, then finds the result as
                // the re-match left it)
                rematch ? " for update of r" : "");
    }

    /**
     * Matches the results in {@code scope} whose decision is open ({@link #OPEN}), and for a re-match
     * ({@code rematch}) those left unsettled too ({@link #UNSETTLED}); returns how many of them had a decision before
     * (a re-match's unsettled results): a re-match that finds none of those leaves the rest as they are (and the
     * results it read unlocked).
     */
    private int match(String scope, boolean rematch, String feed, String what) throws SQLException {
        long t0 = System.nanoTime();
        RosterIndex roster = index();
        long indexed = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            int rejected = applyRejections(c, scope, open(rematch));
            int decidedBefore = 0;
            List<ResultRecord> batch = new ArrayList<>();
            Map<String, Long> links = new HashMap<>();
            // district-entered results, by the district that entered them: matched within its students only
            Map<String, List<ResultRecord>> entered = new java.util.TreeMap<>();
            Map<String, Map<String, Long>> enteredLinks = new HashMap<>();
            // the feed the district-entered results came in by, when they all came in by one
            String enteredFeed = null;
            boolean oneEnteredFeed = true;
            Map<Long, HashedIdentity.Sent> hashed = new HashMap<>();
            // a re-match reads its results by the unsettled ones' index, and their identities by their key (V87)
            String costBefore = rematch ? LocalSettings.set(c, "random_page_cost", REMATCH_READ_PAGE_COST) : null;
            try (PreparedStatement ps = c.prepareStatement(read(scope, rematch))) {
                ps.setFetchSize(10_000);
                try (ResultSet rs = ps.executeQuery()) {
                    Columns at = Columns.of(rs);
                    while (rs.next()) {
                        if (rs.getBoolean("decided_before")) {
                            decidedBefore++;
                        }
                        String key = rs.getString("candidate_key");
                        long linked = rs.getLong("linked");
                        boolean isLinked = !rs.wasNull() && key != null;
                        List<ResultRecord> into = batch;
                        Map<String, Long> linksInto = links;
                        if (rs.getBoolean("entered")) {
                            String feedCode = rs.getString("feed_code");
                            oneEnteredFeed &= enteredFeed == null || enteredFeed.equals(feedCode);
                            enteredFeed = feedCode;
                            into = entered.computeIfAbsent(rs.getString("entered_by"), d -> new ArrayList<>());
                            linksInto = enteredLinks.computeIfAbsent(rs.getString("entered_by"), d -> new HashMap<>());
                        }
                        if (isLinked) {
                            linksInto.put(key, linked);
                        }
                        HashedIdentity.Sent sent = sent(rs, at);
                        if (sent != null && into == batch) {
                            hashed.put(rs.getLong("result_id"), sent);
                        }
                        into.add(record(rs, at, rs.getLong("result_id"), key));
                    }
                }
            }
            if (costBefore != null) {
                LocalSettings.set(c, "random_page_cost", costBefore);
            }
            long read = System.nanoTime();
            if (rematch) {
                if (decidedBefore == 0) {
                    c.rollback();
                    return 0;
                }
                LOG.info("Re-match: {} unsettled result(s) reopened", decidedBefore);
            }
            List<Decision> decisions = new ArrayList<>(decide(c, feed, roster, batch, links, hashed, what));
            // each district's entries with the model of the feed they came in by, as when that feed's delivery was
            // matched (a re-match spans feeds: fitted afresh for each district, 72 fits of 10-16 ms one after the
            // other at the end of the NC year, for districts of a few entries each)
            String districtFeed = feed != null ? feed : oneEnteredFeed ? enteredFeed : null;
            for (Map.Entry<String, List<ResultRecord>> d : entered.entrySet()) {
                decisions.addAll(decideEntered(c, districtFeed, roster, d.getKey(), d.getValue(),
                        enteredLinks.getOrDefault(d.getKey(), Map.of())));
            }
            long decided = System.nanoTime();
            // a file matched in its staging transaction (matchStaged) has nothing left to decide here
            if (decisions.isEmpty() && rejected == 0) {
                c.commit();
                return decidedBefore;
            }
            int[] counts = decisions.isEmpty() ? new int[3] : write(c, decisions);
            c.commit();
            logged(what, counts, rejected, t0, indexed, read, decided);
            return decidedBefore;
        }
    }

    /**
     * Decides, inside a vendor file's staging transaction, whose result each of its staged attempts is: the last row
     * of each attempt key in {@code stage_result}, read as {@link #matchDelivery} reads the published results, in the
     * same order, with the same earlier district decisions and the same model. The decisions go to
     * {@link #STAGE_MATCH} and the candidates for review to {@link #STAGE_MATCH_CANDIDATE}, keyed by attempt key, and
     * publishing writes each result once, with its decision: matched after publishing, every result of a file was
     * written a second time (the decision's update touches {@code student_id}, indexed, so it is never in place).
     *
     * @param roster     the roster index staging took ({@link #index(Connection)}) in this transaction
     * @param stagedRows the rows the file staged (staging counted them): more than {@code batchRows}, and the file is
     *                   matched in parts ({@link #matchStagedInParts})
     * @param keysRepeat whether the file's attempt keys may repeat ({@link org.credentialhub.support.KeyRepeats}):
     *                   then {@link Intake#lastOfItsAttempt} leaves out the rows a later row replaces
     * @return whether candidates for review were staged ({@link #STAGE_MATCH_CANDIDATE} has rows)
     */
    public boolean matchStaged(Connection c, RosterIndex roster, String feed, String what, int stagedRows,
                               boolean keysRepeat) throws SQLException {
        long t0 = System.nanoTime();
        long indexed = t0;
        Scratch.ensure(c, STAGE_MATCH, STAGE_MATCH_CANDIDATE);
        // the staged rows, as many as the file's attempts or more (a repeated attempt is a row more)
        if (stagedRows > batchRows) {
            return matchStagedInParts(c, feed, what, roster, t0, indexed, keysRepeat);
        }
        Staged all = new Staged();
        try (PreparedStatement ps = c.prepareStatement(staged(keysRepeat) + " order by " + STAGED_ORDER)) {
            ps.setString(1, feed);
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    all.add(rs);
                }
            }
        }
        long read = System.nanoTime();
        List<Decision> decisions = decide(c, feed, roster, all.batch, all.links, all.hashed, what);
        long decided = System.nanoTime();
        int[] counts = new int[3];
        boolean candidates = all.copy(c, decisions, counts);
        analyzeStaged(c, all.keys.size() + all.rejected.size(), candidates);
        logged(what, counts, all.rejected.size(), t0, indexed, read, decided);
        return candidates;
    }

    /**
     * One district's entered results decided within its own students ({@link #districtIndex}), with the model of the
     * feed they came in by (fitted against the whole roster, as for any batch of that feed); an earlier district
     * decision links only to a student of that district. The one owner of this rule for the match step
     * ({@link #matchDelivery} and the re-match) and for an upload's staged entries ({@link #matchStagedEntries}).
     */
    private List<Decision> decideEntered(Connection c, String feed, RosterIndex roster, String districtCode,
                                         List<ResultRecord> rows, Map<String, Long> links) throws SQLException {
        District district = districtIndex(c, districtCode);
        Map<String, Long> own = new HashMap<>(links);
        own.values().removeIf(student -> !district.students().contains(student));
        return new Matcher(district.index(), model(c, feed, roster, rows), settings, Crosswalk.of(own)).matchBatch(rows);
    }

    /**
     * Decides, inside a district upload's staging transaction, whose result each of its staged attempts is, as
     * {@link #matchDelivery} decides the upload's published results: each district's entries (by the district that
     * entered them: the staged row's, which its district entry then carries) within that district's students only, with
     * the feed's model, in the file's order ({@link #STAGED_ORDER}); an earlier district decision links or rejects as it does
     * there. The decisions go to {@link #STAGE_MATCH} and {@link #STAGE_MATCH_CANDIDATE} and publishing writes each
     * result once, with its decision: matched after publishing, every entered result was written a second time, its
     * decision an update that is never in place (a new row version and an entry in each of the table's indexes, and a
     * trigger call a row whose student changed: the NC year's 19,298 entries 2.3 s of statement time).
     *
     * @param roster the roster index staging took ({@link #index(Connection)}) in this transaction, which the feed's
     *               model is fitted against (as {@link #matchDelivery} fits it)
     * @return whether candidates for review were staged
     */
    public boolean matchStagedEntries(Connection c, RosterIndex roster, String feed, String what, boolean keysRepeat)
            throws SQLException {
        long t0 = System.nanoTime();
        Scratch.ensure(c, STAGE_MATCH, STAGE_MATCH_CANDIDATE);
        // by the entering district, each district's rows in the file's order (matchDelivery's order)
        Map<String, Staged> entered = new java.util.TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement(stagedEntries(keysRepeat) + " order by " + STAGED_ORDER)) {
            ps.setString(1, feed);
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                int districtAt = rs.findColumn("entered_by");
                while (rs.next()) {
                    entered.computeIfAbsent(rs.getString(districtAt), d -> new Staged()).add(rs);
                }
            }
        }
        long read = System.nanoTime();
        int[] counts = new int[3];
        int rows = 0;
        int rejected = 0;
        boolean candidates = false;
        for (Map.Entry<String, Staged> d : entered.entrySet()) {
            Staged rowsOf = d.getValue();
            List<Decision> decisions = rowsOf.batch.isEmpty() ? List.of()
                    : decideEntered(c, feed, roster, d.getKey(), rowsOf.batch, rowsOf.links);
            candidates |= rowsOf.copy(c, decisions, counts);
            rows += rowsOf.keys.size() + rowsOf.rejected.size();
            rejected += rowsOf.rejected.size();
        }
        long decided = System.nanoTime();
        analyzeStaged(c, rows, candidates);
        logged(what, counts, rejected, t0, t0, read, decided);
        return candidates;
    }

    /**
     * The last row of each attempt key in {@code stage_result} (the row publishing keeps: {@link Intake#lastOfItsAttempt}),
     * with its school and district as the match step reads them, its earlier district decision and its hashed
     * identity. Parameter 1: the feed. {@code keysRepeat}: whether the file's attempt keys may repeat.
     */
    private static String staged(boolean keysRepeat) {
        return STAGED.formatted("", Intake.lastOfItsAttempt(keysRepeat, "s"));
    }

    /**
     * {@link #staged}, with the district that entered each row ({@code entered_by}: its staged district, which its
     * district entry carries once published), for a district upload's entries ({@link #matchStagedEntries}) alone.
     */
    private static String stagedEntries(boolean keysRepeat) {
        return STAGED.formatted(", coalesce(t.district_code, '') as entered_by",
                Intake.lastOfItsAttempt(keysRepeat, "s"));
    }

    /**
     * {@link #staged}'s statement, left to fill ({@code %s}): columns after its own, and its condition on the staged
     * row {@code s}.
     */
    private static final String STAGED = """
            select t.attempt_key, t.exam_code || '|' || t.attempted_on as group_key, t.state_id_hash, t.state_id_near,
                   t.first_name, t.last_name, t.birth_date,
                   coalesce(sc.school_code, sn.school_code, t.school_code) as school,
                   coalesce(t.district_code, sc.district_code, sn.district_code) as district,
                   %1$s as candidate_key, x.decision as earlier, x.student_id as linked,
                   t.name_hash, t.name_salt, t.birth_date_hash, t.birth_date_salt, t.source_row, t.source_ref%%s
            from (select attempt_key, source_row, source_ref, coalesce(exam_code, credential_code) as exam_code,
                         attempted_on, vendor_candidate_id, state_id_hash, state_id_near, identity_key, first_name,
                         last_name, birth_date, school_code, school_name, district_code,
                         name_hash, name_salt, birth_date_hash, birth_date_salt
                  from stage_result s where %%s) t   -- the row publishing keeps
            left join school sc on sc.school_code = t.school_code
            %2$s
            left join match_crosswalk x on x.feed_code = ? and x.candidate_key = %1$s"""
            .formatted(Decisions.candidateKey("t", "t"), SCHOOL_BY_NAME.formatted("t.school_name"));

    /** {@link #STAGED}'s rows of a file matched in parts: its columns in {@link #STAGED}'s order. */
    private static final Scratch.Table STAGE_READ = new Scratch.Table("stage_read", """
            attempt_key text, group_key text, state_id_hash text, state_id_near text, first_name text, last_name text,
            birth_date date, school text, district text, candidate_key text, earlier text, linked bigint,
            name_hash text, name_salt text, birth_date_hash text, birth_date_salt text, source_row int, source_ref text""");

    /** Staged rows read for matching, as one batch: their keys, records, earlier links and rejections, hashed identities. */
    private static final class Staged {
        final List<String> keys = new ArrayList<>();
        final List<String> rejected = new ArrayList<>();
        final List<ResultRecord> batch = new ArrayList<>();
        final Map<String, Long> links = new HashMap<>();
        final Map<Long, HashedIdentity.Sent> hashed = new HashMap<>();

        /** The result set {@link #add} read last, and where its columns are. */
        private ResultSet read;
        private Columns at;
        private int attemptAt;
        private int earlierAt;
        private int keyAt;
        private int linkedAt;

        /** Adds the row: to the batch, or to the rejections when the district rejected its vendor candidate before. */
        void add(ResultSet rs) throws SQLException {
            if (rs != read) {
                read = rs;
                at = Columns.of(rs);
                attemptAt = rs.findColumn("attempt_key");
                earlierAt = rs.findColumn("earlier");
                keyAt = rs.findColumn("candidate_key");
                linkedAt = rs.findColumn("linked");
            }
            String attempt = rs.getString(attemptAt);
            String earlier = rs.getString(earlierAt);
            if ("reject".equals(earlier)) {
                rejected.add(attempt);   // the district rejected this vendor candidate before: it stays rejected
                return;
            }
            String key = rs.getString(keyAt);
            long id = keys.size();
            keys.add(attempt);
            if ("link".equals(earlier) && key != null) {
                links.put(key, rs.getLong(linkedAt));
            }
            HashedIdentity.Sent sent = sent(rs, at);
            if (sent != null) {
                hashed.put(id, sent);
            }
            batch.add(record(rs, at, id, key));
        }

        /** Writes the batch's decisions and rejections to the staged-match scratch tables; true when candidates were. */
        boolean copy(Connection c, List<Decision> decisions, int[] counts) throws SQLException {
            return copyDecisions(c, decisions, counts, "attempt_key", STAGE_MATCH, STAGE_MATCH_CANDIDATE,
                    id -> keys.get((int) id), rejected);
        }

        void clear() {
            keys.clear();
            rejected.clear();
            batch.clear();
            links.clear();
            hashed.clear();
        }
    }

    /**
     * A staged file of more than {@code batchRows} results, matched in parts so that memory does not grow with the file
     * (a 1,000,000-row file as one batch ran a 1 GB heap out of memory), with the decisions one batch would make:
     * <ul>
     *   <li>the model is fitted, when the feed needs a fit, on the rows a fit of the whole batch samples (the trainer
     *       names their places in the batch's order, and only those rows are read);</li>
     *   <li>each result's decision depends on its own row, the model and its own earlier link, except that of several
     *       auto-matches of one student within a group key (exam and date) only the strongest stays: the parts are
     *       read in group order and cut between groups, so each group is decided within one part.</li>
     * </ul>
     * A single group larger than a part is the exception: it is cut as well, and the one-to-one check then holds
     * within each piece (logged). Returns whether candidates for review were staged.
     */
    private boolean matchStagedInParts(Connection c, String feed, String what, RosterIndex roster, long t0, long indexed,
                                       boolean keysRepeat) throws SQLException {
        // the rows are worked out once (the last of each attempt, its school by code or name, its earlier decision)
        // and kept for the transaction: counted, sampled and read in parts from there (each read of STAGED sorted the
        // file and looked up every row's school name again: 7 s a read at 1,000,000 rows)
        Scratch.ensure(c, STAGE_READ);
        int total;
        try (Statement st = c.createStatement()) {
            st.execute("truncate " + STAGE_READ.name());
        }
        try (PreparedStatement ps = c.prepareStatement("insert into " + STAGE_READ.name() + " " + staged(keysRepeat))) {
            ps.setString(1, feed);
            ps.executeUpdate();
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) filter (where earlier is distinct from 'reject') from "
                     + STAGE_READ.name())) {
            rs.next();
            total = rs.getInt(1);
        }
        FsModel model = model(c, feed, roster, total, trainer -> {
            ModelTrainer.Sample sample = trainer.sample(total);
            Map<Integer, Integer> slot = new HashMap<>();
            for (int i = 0; i < sample.rows().length; i++) {
                slot.put(sample.rows()[i], i);
            }
            ResultRecord[] picked = new ResultRecord[sample.rows().length];
            Staged one = new Staged();
            Map<Long, HashedIdentity.Sent> hashed = new HashMap<>();
            // the sampled rows by their place among the rows not rejected, in the batch's order (STAGED_ORDER): the
            // places are numbered on the order's columns alone (a sort of those, not of the rows), and the sampled
            // rows then read by their attempt keys
            Map<String, Integer> slotOfKey = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("select attempt_key, position from (select attempt_key, "
                    + "(row_number() over (order by " + STAGED_ORDER + "))::int - 1 as position from "
                    + STAGE_READ.name() + " t where earlier is distinct from 'reject') n where position = any (?)")) {
                ps.setArray(1, c.createArrayOf("integer", Arrays.stream(sample.rows()).boxed().toArray()));
                ps.setFetchSize(10_000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        slotOfKey.put(rs.getString(1), slot.get(rs.getInt(2)));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("select * from " + STAGE_READ.name()
                    + " where attempt_key = any (?)")) {
                ps.setArray(1, c.createArrayOf("text", slotOfKey.keySet().toArray()));
                ps.setFetchSize(Math.min(10_000, batchRows));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int at = slotOfKey.get(rs.getString("attempt_key"));
                        one.add(rs);
                        picked[at] = one.batch.get(0).withId(at);
                        HashedIdentity.Sent sent = one.hashed.get(0L);
                        if (sent != null) {
                            hashed.put((long) at, sent);
                        }
                        one.clear();
                    }
                }
            }
            List<ResultRecord> rows = new ArrayList<>(List.of(picked));
            resolveHashed(c, roster, rows, hashed, what + " (the model's sample)");
            return trainer.train(roster, sample, rows);
        });
        long read = System.nanoTime();
        int[] counts = new int[3];
        int rejected = 0;
        int parts = 0;
        boolean candidates = false;
        Staged part = new Staged();
        try (PreparedStatement ps = c.prepareStatement("select * from " + STAGE_READ.name()
                + " t order by group_key, " + STAGED_ORDER)) {
            // a part is matched and written while the rows after it wait in the cursor
            ps.setFetchSize(Math.min(10_000, batchRows));
            String group = null;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String g = rs.getString("group_key");
                    int size = part.keys.size() + part.rejected.size();
                    if (size >= batchRows && (g == null || !g.equals(group) || size >= 2 * batchRows)) {
                        if (g != null && g.equals(group)) {
                            LOG.warn("{}: a group of results (one exam on one date) larger than {} is matched in parts;"
                                    + " one student's several auto-matches in it are checked within each part", what,
                                    2 * batchRows);
                        }
                        rejected += part.rejected.size();
                        candidates |= matchPart(c, roster, model, part, counts, what);
                        parts++;
                        part.clear();
                    }
                    group = g;
                    part.add(rs);
                }
            }
        }
        rejected += part.rejected.size();
        candidates |= matchPart(c, roster, model, part, counts, what);
        parts++;
        long decided = System.nanoTime();
        analyzeStaged(c, total + rejected, candidates);
        LOG.info("{}: {} results matched in {} parts of about {}", what, total, parts, batchRows);
        logged(what, counts, rejected, t0, indexed, read, decided);
        return candidates;
    }

    /** Matches one part of a staged file and writes its decisions; true when candidates were written. */
    private boolean matchPart(Connection c, RosterIndex roster, FsModel model, Staged part, int[] counts, String what)
            throws SQLException {
        resolveHashed(c, roster, part.batch, part.hashed, what);
        List<Decision> decisions = part.batch.isEmpty() ? List.of()
                : new Matcher(roster, model, settings, Crosswalk.of(part.links)).matchBatch(part.batch);
        return part.copy(c, decisions, counts);
    }

    private static void analyzeStaged(Connection c, int rows, boolean candidates) throws SQLException {
        if (candidates) {
            org.credentialhub.store.PlannerStatistics.analyzeScratch(c, rows, "stage_match", "stage_match_candidate");
        } else {
            org.credentialhub.store.PlannerStatistics.analyzeScratch(c, rows, "stage_match");
        }
    }

    /** One row of a batch as the matcher reads it (the columns of both reads above). */
    private static ResultRecord record(ResultSet rs, Columns at, long id, String candidateKey) throws SQLException {
        return new ResultRecord(id, rs.getString(at.groupKey), rs.getString(at.stateIdHash), rs.getString(at.firstName),
                rs.getString(at.lastName), rs.getObject(at.birthDate, LocalDate.class), rs.getString(at.school),
                rs.getString(at.district), candidateKey, rs.getString(at.stateIdNear));
    }

    private static HashedIdentity.Sent sent(ResultSet rs, Columns at) throws SQLException {
        return HashedIdentity.Sent.of(rs.getString(at.nameHash), rs.getString(at.nameSalt),
                rs.getString(at.birthDateHash), rs.getString(at.birthDateSalt));
    }

    /**
     * Where the columns {@link #record} and {@link #sent} read are in a result set, found once for it: a value read by
     * its column's name looked the name up for each row and value (a sixth of a large file's read for matching, JFR).
     */
    private record Columns(int groupKey, int stateIdHash, int firstName, int lastName, int birthDate, int school,
                           int district, int stateIdNear, int nameHash, int nameSalt, int birthDateHash,
                           int birthDateSalt) {
        static Columns of(ResultSet rs) throws SQLException {
            return new Columns(rs.findColumn("group_key"), rs.findColumn("state_id_hash"), rs.findColumn("first_name"),
                    rs.findColumn("last_name"), rs.findColumn("birth_date"), rs.findColumn("school"),
                    rs.findColumn("district"), rs.findColumn("state_id_near"), rs.findColumn("name_hash"),
                    rs.findColumn("name_salt"), rs.findColumn("birth_date_hash"), rs.findColumn("birth_date_salt"));
        }
    }

    /** A batch's decisions: hashed identities resolved first, then the matcher's tiers with the feed's model. */
    private List<Decision> decide(Connection c, String feed, RosterIndex roster, List<ResultRecord> batch,
                                  Map<String, Long> links, Map<Long, HashedIdentity.Sent> hashed, String what)
            throws SQLException {
        resolveHashed(c, roster, batch, hashed, what);
        return batch.isEmpty() ? List.of()
                : new Matcher(roster, model(c, feed, roster, batch), settings, Crosswalk.of(links)).matchBatch(batch);
    }

    /** Resolves the hashed identities a batch's rows sent ({@link HashedIdentity}), in place. */
    private void resolveHashed(Connection c, RosterIndex roster, List<ResultRecord> batch,
                               Map<Long, HashedIdentity.Sent> hashed, String what) {
        if (!hashed.isEmpty()) {
            HashedIdentity.Counts h = HashedIdentity.resolve(roster, batch, hashed, settings.maxBlockSize(),
                    ids -> students(c, ids));
            LOG.info("{}: {} result(s) sent hashed identities: {} agreed with a candidate, {} IDs not trusted",
                    what, h.rows(), h.resolved(), h.idsDistrusted());
        }
    }

    private static void logged(String what, int[] counts, int rejected, long t0, long indexed, long read, long decided) {
        long written = System.nanoTime();
        LOG.info("{}: {} matched, {} for review, {} without a match, {} rejected earlier by the district", what,
                counts[0], counts[1], counts[2], rejected);
        if (written - t0 > 1_000_000_000L) {
            LOG.info("{}: roster index {} ms, read {} ms, matched {} ms, written {} ms", what,
                    (indexed - t0) / 1_000_000, (read - indexed) / 1_000_000, (decided - read) / 1_000_000,
                    (written - decided) / 1_000_000);
        }
    }

    /** The plain name and birth date of the given students, for comparing hashed identities ({@link HashedIdentity}). */
    private static Map<Long, RosterRecord> students(Connection c, java.util.Collection<Long> ids) {
        Map<Long, RosterRecord> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "select student_id, first_name, last_name, birth_date from student where student_id = any(?)")) {
            ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), new RosterRecord(rs.getLong(1), null, rs.getString(2), rs.getString(3),
                            rs.getObject(4, LocalDate.class), null, null));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading candidates' names for hashed identities failed: " + e.getSQLState(), e);
        }
        return out;
    }

    /**
     * Tries again, after the roster changed, every result the matcher could not settle (no match or for
     * review; never a district's decision): a student who joined the roster later is found now. A result
     * whose vendor-sent identity was purged (retention, see {@code RetentionPurge}) keeps its decision:
     * re-matched on the state ID alone it would be decided on less than the first time.
     * Returns how many unsettled results were matched again.
     *
     * <p>They are read as they are, with the results whose decision is open, and locked by the read; their decisions
     * are written once, by the re-match's write, in its transaction: a re-match that stops half-way (a crash, a fault)
     * leaves them decided as before, for the next one. (They were reopened first, by an update of each, which wrote
     * every unsettled result twice: the NC year's 10,504 in 1.4 s before their read; docs/performance.md, session 62.)
     */
    public int rematchUnsettled() throws SQLException {
        return match("true", true, null, "Re-match of unsettled results against the current roster");
    }

    /**
     * The m/u model for a batch. Fitting costs about a second whatever the batch's size (u is sampled from random
     * roster pairs), and a weekly file of a few rows says little about a vendor's error rates, so a feed's model is
     * fitted once per roster and again only on a batch more than twice as large as the one it was fitted on (up to
     * the trainer's sample size): a state's hundreds of small files then cost a handful of fits, not hundreds.
     */
    private FsModel model(Connection c, String feed, RosterIndex roster, List<ResultRecord> batch) throws SQLException {
        return model(c, feed, roster, batch.size(), trainer -> trainer.train(roster, batch));
    }

    /** How a batch's model is fitted when the feed needs a fit. */
    private interface Fit {
        FsModel fit(ModelTrainer trainer) throws SQLException;
    }

    /** The m/u model for a batch of {@code size} results, fitted by {@code fit} when the feed needs a fit. */
    private FsModel model(Connection c, String feed, RosterIndex roster, int size, Fit fit) throws SQLException {
        Fitted fitted = feed == null ? null : models.get(feed);
        String version = rosterVersion;
        if (feed != null && (fitted == null || fitted.roster() != roster)) {
            ModelStore.Loaded before = stored.load(c, feed, version);
            fitted = before == null ? null : new Fitted(roster, before.model(), before.rows());
            // kept for the feed's next deliveries once committed: one this transaction fitted goes with its rollback
            if (fitted != null && !before.ownTransaction()) {
                models.put(feed, fitted);
            }
        }
        if (fitted != null && fitted.roster() == roster
                && (size <= 2 * fitted.rows() || fitted.rows() >= fitSample)) {
            return fitted.model();
        }
        long t0 = System.nanoTime();
        FsModel model = fit.fit(new ModelTrainer().maxBlockSize(settings.maxBlockSize()).maxSampleResults(fitSample));
        fits.incrementAndGet();
        LOG.info("Model for {} fitted on {} results in {} ms (EM {}, {} candidate pairs)",
                feed == null ? "a batch across feeds" : "feed " + feed, size, (System.nanoTime() - t0) / 1_000_000,
                model.estimated() ? "converged after " + model.emIterations + " iterations" : "skipped: too few pairs",
                model.trainingPairs);
        if (feed != null) {
            // kept in the caller's transaction (on its connection: a second one from the pool, taken while holding
            // the first, stalled routes staging at once); remembered once committed, when the next delivery reads it
            models.remove(feed);
            stored.save(c, feed, version, model, size);
        }
        return model;
    }

    /**
     * Route step after a roster bundle was accepted (keeps the message as it is): the unsettled results are matched
     * again, and the roster is indexed now, not by the next delivery to be matched, which waited for it (half a
     * second at the NC year's size, while the vendors' first files came in).
     */
    public void afterRosterChange() throws SQLException {
        rematchUnsettled();
        index();
    }

    /**
     * Results (of those {@code open} takes) whose vendor candidate a district rejected before stay rejected. Nothing is
     * read while no district has rejected a candidate (a condition PostgreSQL checks once, before the join): a
     * re-match's results (the NC year's 10,504 unsettled ones) were joined with their identities for none (0.54 s).
     */
    private static int applyRejections(Connection c, String scope, String open) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update result r set student_id = null, match_decision = 'rejected', match_tier = 'crosswalk',
                                    match_score = 0, updated_at = now()
                from result_identity i
                where %s and %s and i.result_id = r.result_id
                  and %s is not null
                  and exists (select 1 from match_crosswalk where decision = 'reject')"""
                .formatted(scope, open, crosswalk("decision", "reject")))) {
            return ps.executeUpdate();
        }
    }

    /**
     * A published result's earlier district decision of its candidate ({@code r} and its identity {@code i}): the
     * crosswalk's {@code column} where its decision is {@code decision}, else null. Looked up by the crosswalk's key,
     * one probe a result: as a join with the crosswalk, a plan that merged the two on the feed alone compared every open
     * result with every decision of its feed (a re-match of 10,500 results on a finished NC year: 22.7 s in one plan of
     * about ten beside 110,667 links, 0.23-0.35 s in the others and looked up; its rejections 1.04-1.33 s, 708,551
     * pairs, against 0.34-0.37 s; docs/performance.md, session 60).
     */
    private static String crosswalk(String column, String decision) {
        return "(select x." + column + " from match_crosswalk x where x.feed_code = r.feed_code and x.candidate_key = "
                + Decisions.CANDIDATE_KEY + " and x.decision = '" + decision + "')";
    }

    /** A batch's decisions and its candidates for review, before they are written to {@code result}. */
    private static final Scratch.Table STAGE_DECISION = new Scratch.Table("stage_decision",
            "result_id bigint, student_id bigint, decision text, tier text, score double precision");
    private static final Scratch.Table STAGE_CANDIDATE = new Scratch.Table("stage_candidate",
            "result_id bigint, student_id bigint, rank int, score double precision, reasons text");
    /**
     * A staged file's decisions ({@link #matchStaged}), by attempt key, which publishing writes into {@code result}
     * with the results; and its candidates for review, which publishing writes into {@code match_candidate}.
     */
    public static final Scratch.Table STAGE_MATCH = new Scratch.Table("stage_match",
            "attempt_key text, student_id bigint, decision text, tier text, score double precision");
    public static final Scratch.Table STAGE_MATCH_CANDIDATE = new Scratch.Table("stage_match_candidate",
            "attempt_key text, student_id bigint, rank int, score double precision, reasons text");

    /**
     * The scratch tables a file's matching on its staged rows fills ({@link #matchStaged}, and in parts for a large
     * file): asked for with the rest of its staging transaction's.
     */
    public static final List<Scratch.Table> STAGED_MATCHING = List.of(STAGE_MATCH, STAGE_MATCH_CANDIDATE, STAGE_READ);

    private static int[] write(Connection c, List<Decision> decisions) throws SQLException {
        Scratch.ensure(c, STAGE_DECISION, STAGE_CANDIDATE);
        int[] counts = new int[3];
        boolean candidates = copyDecisions(c, decisions, counts, "result_id", STAGE_DECISION, STAGE_CANDIDATE,
                Long::toString, List.of());
        // a large batch is joined by its real size (a small one is estimated from the table's pages)
        org.credentialhub.store.PlannerStatistics.analyzeScratch(c, decisions.size(), "stage_decision", "stage_candidate");
        try (Statement st = c.createStatement()) {
            st.executeUpdate("""
                    update result r set student_id = d.student_id,
                           match_decision = d.decision, match_tier = d.tier, match_score = d.score, updated_at = now()
                    from stage_decision d where r.result_id = d.result_id""");
            st.executeUpdate("delete from match_candidate where result_id in (select result_id from stage_decision)");
            if (candidates) {
                st.executeUpdate("""
                        insert into match_candidate (result_id, student_id, rank, score, reasons)
                        select distinct on (result_id, student_id) result_id, student_id, rank, score, reasons::jsonb
                        from stage_candidate order by result_id, student_id, rank""");
            }
        }
        return counts;
    }

    /**
     * COPYs decisions (the student only for a match) into a scratch table of decisions and, when any decision that is
     * not a match has candidates, those into one of candidates: both keyed by {@code key} of the decision's id, in
     * their column {@code keyColumn}.
     * {@code rejected}: keys decided {@code rejected} by the district's earlier decision. Counts the outcomes into
     * {@code counts}; true when candidates were written.
     */
    private static boolean copyDecisions(Connection c, List<Decision> decisions, int[] counts, String keyColumn,
                                         Scratch.Table into,
                                         Scratch.Table candidatesInto, java.util.function.LongFunction<String> key,
                                         List<String> rejected) throws SQLException {
        try (CopyWriter copy = new CopyWriter(c, into.name(), keyColumn, "student_id", "decision",
                "tier", "score")) {
            for (Decision d : decisions) {
                String decision = switch (d.outcome()) {
                    case MATCH -> "match";
                    case REVIEW -> "review";
                    case NONE -> "none";
                };
                counts[d.outcome().ordinal()]++;
                copy.value(key.apply(d.resultId())).value(d.outcome() == Outcome.MATCH ? d.rosterId() : null)
                        .value(decision).value(d.tier()).value(d.score()).endRow();
            }
            for (String k : rejected) {
                copy.value(k).value(null).value("rejected").value(Decision.TIER_CROSSWALK).value(0.0).endRow();
            }
            copy.finish();
        }
        // most of a batch is matched: candidates are written for the rest only, when there are any
        boolean candidates = decisions.stream().anyMatch(d -> d.outcome() != Outcome.MATCH && !d.candidates().isEmpty());
        if (candidates) {
            try (CopyWriter copy = new CopyWriter(c, candidatesInto.name(), keyColumn,
                    "student_id", "rank", "score", "reasons")) {
                for (Decision d : decisions) {
                    if (d.outcome() == Outcome.MATCH) {
                        continue;
                    }
                    int rank = 0;
                    for (Candidate cand : d.candidates()) {
                        copy.value(key.apply(d.resultId())).value(cand.rosterId()).value(++rank).value(cand.score())
                                .value(json(cand.reasons())).endRow();
                    }
                }
                copy.finish();
            }
        }
        return candidates;
    }

    private static String json(List<String> reasons) {
        try {
            return JSON.writeValueAsString(reasons);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
