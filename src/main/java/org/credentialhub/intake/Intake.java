package org.credentialhub.intake;

import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.credentialhub.store.Deliveries;
import org.credentialhub.store.FirstRows;
import org.credentialhub.store.LocalSettings;
import org.credentialhub.feeds.FeedConfig;
import org.credentialhub.mapping.CanonicalResult;
import org.credentialhub.mapping.FileRejectedException;
import org.credentialhub.mapping.Mapping;
import org.credentialhub.mapping.Mappings;
import org.credentialhub.mapping.RecordReader;
import org.credentialhub.mapping.RowRejection;
import org.credentialhub.matching.DeliveryMatcher;
import org.credentialhub.matching.RosterIndex;
import org.credentialhub.store.CopyWriter;
import org.credentialhub.store.Scratch;
import org.credentialhub.store.Rows;
import org.credentialhub.support.Hmac;
import org.credentialhub.support.SchoolYears;
import org.credentialhub.support.KeyRepeats;
import org.credentialhub.store.Rollback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Takes one delivered file into the hub: fingerprints and archives it, parses it streaming with its
 * feed's mapping, stages the canonical results with PostgreSQL COPY and publishes them (a vendor file's with their
 * students' match decisions, see {@link DeliveryMatcher#matchStaged}), all in one transaction, so a
 * file is either applied whole (good rows in, bad rows rejected with row, field and reason) or, when
 * the file itself is unusable, quarantined with nothing of it applied.
 */
public final class Intake {
    private static final Logger LOG = LoggerFactory.getLogger(Intake.class);
    /** Rejections kept per delivery; counts stay exact beyond it. */
    static final int MAX_STORED_REJECTIONS = 100_000;

    public static final String FEED = "hubFeed";
    public static final String SHA256 = "hubContentSha256";
    public static final String ARCHIVED = "hubArchivedFile";
    public static final String DELIVERY_ID = "hubDeliveryId";
    public static final String STATUS = "hubDeliveryStatus";

    private final DataSource dataSource;
    private final Map<String, FeedConfig> feeds;
    private final Mappings mappings;
    private final Hmac hmac;
    private final SchoolYears schoolYears;
    private final Path archiveDir;
    private final org.credentialhub.mapping.RecordCheck.Factory checks;
    private final DeliveryMatcher matcher;
    /** {@code hub.intake.large-file-work-mem}'s default. */
    public static final String LARGE_FILE_WORK_MEM = "128MB";
    /**
     * PostgreSQL's {@code work_mem} for a large file's lineage and identities, and the memory of its results' hash
     * tables ({@link #largeFileWorkMem}).
     */
    private volatile String largeFileWorkMem = LARGE_FILE_WORK_MEM;
    /** The rows from which a file's results, when they are the hub's first, are written before their keys ({@link #firstResults}). */
    private volatile long keysMadeAfterRows = FirstRows.KEYS_MADE_AFTER_ROWS;

    public Intake(DataSource dataSource, Map<String, FeedConfig> feeds, Mappings mappings, Hmac hmac,
                  SchoolYears schoolYears, Path archiveDir) {
        this(dataSource, feeds, mappings, hmac, schoolYears, archiveDir, null, null);
    }

    /**
     * The memory PostgreSQL may take for one sort, hash or statement's new rows ({@code work_mem}) while a file of at
     * least {@link DeliveryMatcher#ANALYZE_FROM_ROWS} rows writes its lineage and identities
     * ({@code hub.intake.large-file-work-mem}; blank: the server's own). Each of those statements joins every row of
     * the file with its result, and its checks (V75) read the rows it wrote from the statement's transition table,
     * which is kept in that much memory and beyond it on disk: at the server's default (4 MB) a 1,000,000-row file's
     * joins ran in 32 batches on disk and the checks read about 60 and 150 MB back from disk
     * (docs/performance.md, session 37). The file's results' insert takes it for its hash tables only
     * ({@link #hashMemory}).
     */
    public Intake largeFileWorkMem(String workMem) {
        String value = workMem == null || workMem.isBlank() ? null : workMem.trim();
        if (value != null && !value.matches("[0-9]+ ?(kB|MB|GB|TB)?")) {
            throw new IllegalArgumentException("hub.intake.large-file-work-mem: '" + value
                    + "' is not an amount of memory as PostgreSQL reads it (such as 128MB), nor blank");
        }
        this.largeFileWorkMem = value;
        return this;
    }

    /** For tests: the rows from which a file's first results are written before their keys (default {@link FirstRows#KEYS_MADE_AFTER_ROWS}). */
    Intake keysMadeAfterRows(long rows) {
        this.keysMadeAfterRows = rows;
        return this;
    }

    /**
     * @param checks  the checks of layouts whose records are credentials of a standard (null: read unchecked)
     * @param matcher matches a vendor file's rows in its staging transaction, before they are published (null: the
     *                delivery's match step matches its published results)
     */
    public Intake(DataSource dataSource, Map<String, FeedConfig> feeds, Mappings mappings, Hmac hmac,
                  SchoolYears schoolYears, Path archiveDir, org.credentialhub.mapping.RecordCheck.Factory checks,
                  DeliveryMatcher matcher) {
        this.checks = checks;
        this.matcher = matcher;
        this.dataSource = dataSource;
        this.feeds = feeds;
        this.mappings = mappings;
        this.hmac = hmac;
        this.schoolYears = schoolYears;
        this.archiveDir = archiveDir;
    }

    /** Computes the file's SHA-256 while copying it into the hub's archive; sets the fingerprint headers. */
    public void fingerprint(Exchange exchange) throws IOException {
        String feed = exchange.getIn().getHeader(FEED, String.class);
        Path dir = org.credentialhub.support.PrivateFiles.folder(archiveDir.resolve(feed));
        Path tmp = Files.createTempFile(dir, "incoming", ".part");
        MessageDigest sha = org.credentialhub.support.Sha256.digest();
        try (InputStream in = new DigestInputStream(exchange.getIn().getMandatoryBody(InputStream.class), sha)) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        } catch (org.apache.camel.InvalidPayloadException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot read the delivered file", e);
        }
        String hex = HexFormat.of().formatHex(sha.digest());
        Path archived = dir.resolve(hex);
        org.credentialhub.support.PrivateFiles.chmod(tmp, org.credentialhub.support.PrivateFiles.FILE);
        Files.move(tmp, archived, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        exchange.getIn().setHeader(SHA256, hex);
        exchange.getIn().setHeader(ARCHIVED, archived.toString());
    }

    /** Points {@link #ARCHIVED} at the archived copy of a delivery's content (for re-processing). */
    public void locateArchived(Exchange exchange) throws IOException {
        String feed = exchange.getIn().getHeader(FEED, String.class);
        String sha = exchange.getIn().getHeader(SHA256, String.class);
        Path archived = archiveDir.resolve(feed).resolve(sha);
        if (!Files.isRegularFile(archived)) {
            throw new IOException("the archived file of this delivery is gone (retention)");
        }
        exchange.getIn().setHeader(ARCHIVED, archived.toString());
    }

    /**
     * Stages a delivery recorded as {@code received} (routes/delivery.yaml) from its archived file: the same
     * one transaction as {@link #stage(String, String, String, Path, Hooks)}, which also moves the delivery
     * out of {@code received}, so staging twice is impossible and a crash mid-way leaves it received.
     */
    public void stageReceived(Exchange exchange) throws IOException, SQLException {
        long id = exchange.getIn().getHeader(DELIVERY_ID, Long.class);
        String feedCode = exchange.getIn().getHeader(FEED, String.class);
        String sha = exchange.getIn().getHeader(SHA256, String.class);
        Path file = archiveDir.resolve(feedCode).resolve(sha);
        if (!Files.isRegularFile(file)) {
            org.credentialhub.store.Deliveries.quarantine(dataSource, id, "the archived copy of the file is gone");
            return;
        }
        stage(feedCode, exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class), sha, file, Hooks.NONE, id);
    }

    /** What staging a file did. */
    public record StageOutcome(long deliveryId, int rowsRead, int rowsAccepted, int rowsRejected, String quarantineReason) {
    }

    /**
     * What a caller adds to staging (district entry): checks of each mapped row beyond the mapping, and
     * work done in the staging transaction once the results are published (the {@code stage_result}
     * temporary table still holds the delivery's rows, with {@code attempt_key} and {@code evidence_file}).
     */
    public interface Hooks {
        Hooks NONE = new Hooks() {
        };

        default List<RowRejection> check(CanonicalResult result) {
            return List.of();
        }

        default void afterPublish(Connection c, long deliveryId) throws SQLException {
        }
    }

    public StageOutcome stage(String feedCode, String sourceName, String sha256, Path file) throws IOException, SQLException {
        return stage(feedCode, sourceName, sha256, file, Hooks.NONE);
    }

    public StageOutcome stage(String feedCode, String sourceName, String sha256, Path file, Hooks hooks)
            throws IOException, SQLException {
        return stage(feedCode, sourceName, sha256, file, hooks, null);
    }

    private StageOutcome stage(String feedCode, String sourceName, String sha256, Path file, Hooks hooks, Long received)
            throws IOException, SQLException {
        FeedConfig feed = feeds.get(feedCode);
        if (feed == null) {
            throw new IllegalArgumentException("unknown feed " + feedCode);
        }
        Mapping mapping = mappings.get(feed.layoutName());
        long size = Files.size(file);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                StageOutcome outcome;
                try (Scratch.Scope scratch = Scratch.forTransaction(c, STAGING_SCRATCH)) {
                    if (received != null && !takeReceived(c, received)) {
                        c.rollback();
                        return new StageOutcome(received, 0, 0, 0, null);
                    }
                    outcome = stageInTransaction(c, feed, sourceName, sha256, size, mapping, file, hooks, received);
                    c.commit();
                }
                LOG.info("Feed {}: {} staged as delivery {}: {} rows read, {} accepted, {} rejected", feedCode,
                        sourceName, outcome.deliveryId(), outcome.rowsRead(), outcome.rowsAccepted(), outcome.rowsRejected());
                return outcome;
            } catch (FileRejectedException e) {
                c.rollback();
                long id;
                if (received == null) {
                    id = org.credentialhub.store.Deliveries.insert(c, feedCode, sourceName, sha256, size, "quarantined", e.getMessage());
                    c.commit();
                } else {
                    id = received;
                    org.credentialhub.store.Deliveries.quarantine(dataSource, id, e.getMessage());
                }
                LOG.warn("Feed {}: {} quarantined as delivery {}: {}", feedCode, sourceName, id, e.getMessage());
                return new StageOutcome(id, 0, 0, 0, e.getMessage());
            } catch (SQLException | IOException | RuntimeException e) {
                Rollback.after(c, e);
                throw e;
            }
        }
    }

    /**
     * The sent state ID's deletion neighbourhood ({@link Hmac#stateIdNear}): the roster student's with that ID when
     * there is one (the same text, without its ten keyed hashes: most rows of a file are roster students'), else
     * worked out from the ID.
     */
    private String stateIdNear(RosterIndex roster, String clearId, String idHash) {
        String known = roster == null || idHash == null ? null : roster.stateIdNear(idHash);
        return known != null ? known : hmac.stateIdNear(clearId);
    }

    /** Locks a received delivery for staging; false when it is no longer received (staged already). */
    private static boolean takeReceived(Connection c, long deliveryId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select status from delivery where delivery_id = ? for update")) {
            ps.setLong(1, deliveryId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && "received".equals(rs.getString(1));
            }
        }
    }

    /** The columns of {@code result} the steps after publishing select, join and group a delivery's results by. */
    private static final String RESULT_COLUMNS_SELECTED = "result (result_id, delivery_id, feed_code, status,"
            + " match_decision, student_id, credential_code, school_year)";

    /** A delivery's rows as read and mapped, before they are published into {@code result}. */
    static final Scratch.Table STAGE_RESULT = new Scratch.Table("stage_result", """
            source_row int, attempt_key text, vendor_candidate_id text, state_id_hash text, state_id_near text,
            first_name text, last_name text, email text, birth_date date, district_code text, school_code text,
            school_name text, exam_code text, school_year text, attempted_on date, attempted_at timestamptz,
            passed boolean, score numeric, ordinal int, source_ref text, credential_code text, revoked boolean,
            pending boolean, evidence_file text, identity_key text, name_hash text, name_salt text,
            birth_date_hash text, birth_date_salt text, exam_name text, exam_ids text[], held_until timestamptz,
            status_entries text[], institution text, program text, credit_hours numeric""");

    private StageOutcome stageInTransaction(Connection c, FeedConfig feedConfig, String sourceName, String sha256, long size,
                                            Mapping mapping, Path file, Hooks hooks, Long received)
            throws SQLException, IOException, FileRejectedException {
        String feed = feedConfig.code();
        long started = System.nanoTime();
        long deliveryId = received != null ? received
                : org.credentialhub.store.Deliveries.insert(c, feed, sourceName, sha256, size, "processing", null);
        Scratch.ensure(c, STAGE_RESULT);
        int read = 0;
        int accepted = 0;
        int rejectedRows = 0;
        List<RowRejection> rejections = new ArrayList<>();
        List<String> readerWarnings;
        KeyRepeats keys = new KeyRepeats();
        // the roster the file's rows are matched against (built here when it is not current; before the COPY, which
        // holds the connection): a sent ID that is a student's takes the student's neighbourhood from it, and the
        // file is matched against it after staging
        RosterIndex roster = matcher == null ? null : matcher.index(c);
        try (InputStream in = Files.newInputStream(file);
             RecordReader reader = mapping.open(in, sourceName, mapping.standard() == null || checks == null ? null
                     : checks.forFeed(feed, mapping.standard()));
             CopyWriter copy = new CopyWriter(c, "stage_result", "source_row", "attempt_key", "vendor_candidate_id",
                     "state_id_hash", "state_id_near", "first_name", "last_name", "email", "birth_date", "district_code", "school_code",
                     "school_name", "exam_code", "school_year", "attempted_on", "attempted_at", "passed", "score",
                     "ordinal", "source_ref", "credential_code", "revoked", "pending", "evidence_file", "identity_key",
                     "name_hash", "name_salt", "birth_date_hash", "birth_date_salt", "exam_name", "exam_ids",
                     "held_until", "status_entries", "institution", "program", "credit_hours");
             // the rows are read, mapped and checked on a thread of their own while this one hashes and writes them
             ReadAhead rows = new ReadAhead(reader, mapping, hooks)) {
            ReadAhead.Row row;
            while ((row = rows.next()) != null) {
                read++;
                if (row.rejections() != null) {
                    rejectedRows++;
                    if (rejections.size() < MAX_STORED_REJECTIONS) {
                        rejections.addAll(row.rejections());
                    }
                    continue;
                }
                CanonicalResult r = row.result();
                // an API record is found by its own id (source_ref) and row 1; a file row by its row number
                int sourceRow = r.sourceRef() != null ? 1 : r.row();
                String key = mapping.attemptKeyIsPersonal() ? "k:" + hmac.stateId(
                        Hmac.hex(r.attemptKey().getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                        : r.attemptKey();
                String idHash = hmac.stateId(r.stateStudentId());
                copy.value(sourceRow).value(key).value(r.vendorCandidateId()).value(idHash)
                        .value(stateIdNear(roster, r.stateStudentId(), idHash))
                        .value(r.firstName()).value(r.lastName()).value(r.email()).value(r.birthDate())
                        .value(r.districtCode()).value(r.schoolCode()).value(r.schoolName()).value(r.examCode())
                        .value(schoolYears.of(r.attemptedOn())).value(r.attemptedOn())
                        .value(r.attemptedAt() == null ? null : r.attemptedAt().toString())
                        .value(r.passed()).value(r.score())
                        .value(r.row()).value(r.sourceRef()).value(r.credentialCode()).value(r.revoked()).value(r.pending()).value(r.evidenceFile())
                        .value(hmac.identity(r.firstName(), r.lastName(), r.birthDate()))
                        .value(r.nameHash() == null ? null : r.nameHash().hash())
                        .value(r.nameHash() == null ? null : r.nameHash().salt())
                        .value(r.birthDateHash() == null ? null : r.birthDateHash().hash())
                        .value(r.birthDateHash() == null ? null : r.birthDateHash().salt())
                        .value(r.examName()).value(textArray(r.examIds()))
                        .value(r.heldUntil() == null ? null : r.heldUntil().toString()).value(textArray(r.statusEntries()))
                        .value(r.award() == null ? null : r.award().institution())
                        .value(r.award() == null ? null : r.award().program())
                        .value(r.award() == null ? null : r.award().creditHours());
                copy.endRow();
                keys.add(key);
                accepted++;
            }
            // (the reader's checks of the whole file ran at its end, before the last row came)
            readerWarnings = reader.warnings();
            if (read == 0) {
                throw new FileRejectedException("the file has no data rows (an empty delivery never replaces earlier data)");
            }
            copy.finish();
        }
        // a large file is published by its real size, and by the columns the publishing statements join and group
        // on (every column's statistics of a wide table cost more than the file's parsing)
        org.credentialhub.store.PlannerStatistics.analyzeScratch(c, accepted,
                "stage_result (attempt_key, ordinal, source_row, school_year, exam_code, state_id_hash)");
        long parsed = System.nanoTime();
        try (PreparedStatement ps = c.prepareStatement("""
                insert into delivery_problem (delivery_id, seq, severity, line, field, message) values (?, ?, 'warning', 0, null, ?)""")) {
            for (int i = 0; i < readerWarnings.size(); i++) {
                ps.setLong(1, deliveryId);
                ps.setInt(2, i + 1);
                ps.setString(3, readerWarnings.get(i));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        // most files give each attempt once: then no row repeats another, and each row is its attempt's last
        boolean keysRepeat = keys.mayRepeat();
        boolean rowsRepeat = keysRepeat && findRepeats(c);
        AttemptVersions.Counted versions = AttemptVersions.compute(c, feed, sourceName, accepted, keysRepeat);
        // whether any of the file's attempts was published before (by an earlier file)
        boolean anyPublished = versions.publishedKeys() > 0;
        // (a file that changes no published attempt's identity has none to warn of: not asked)
        int warned = versions.changedRows() == 0 ? 0 : warnIdentityChanges(c, deliveryId, readerWarnings.size());
        if (keysRepeat) {
            warnRepeatedAttempts(c, deliveryId, readerWarnings.size() + warned);
        }
        // a vendor's file is matched here, on its staged rows, and each result is written once, with its decision;
        // district entries too, each district's within its own students; API pages (matched as one batch per pull)
        // are matched once published
        boolean entries = "district".equals(feedConfig.kind());
        boolean matched = matcher != null && (received != null || entries);
        boolean candidates = false;
        if (matched && entries) {
            candidates = matcher.matchStagedEntries(c, roster, feed, "Delivery " + deliveryId, keysRepeat);
        } else if (matched) {
            candidates = matcher.matchStaged(c, roster, feed, "Delivery " + deliveryId, accepted, keysRepeat);
        }
        long decided = System.nanoTime();
        publish(c, feed, deliveryId, "district".equals(feedConfig.kind()) ? "pending" : "active", keysRepeat,
                rowsRepeat, anyPublished, accepted);
        if (matched) {
            publishCandidates(c, anyPublished, candidates);
        }
        if (mapping.awards()) {
            publishAwards(c, keysRepeat);
        }
        if (accepted >= DeliveryMatcher.ANALYZE_FROM_ROWS) {
            // the steps after this one (matching, match rates, the exception queue) select the delivery's rows: with
            // the statistics from before a file as large as the table they are planned as a handful of rows (nested
            // loops over hundreds of thousands); autovacuum would analyze only later
            // (the columns those steps select and join by: each column's statistics cost as much as the row count's;
            // from a sample that shows the delivery's rows, not the server's whole one)
            org.credentialhub.store.PlannerStatistics.analyzeAddedIfStale(c, accepted, RESULT_COLUMNS_SELECTED,
                    "result_identity (result_id, district_code, school_code)");
        }
        long published = System.nanoTime();
        hooks.afterPublish(c, deliveryId);
        LOG.info("Feed {}: delivery {}: read and staged in {} ms, matched in {} ms, published in {} ms, feed's own "
                        + "step {} ms", feed, deliveryId, (parsed - started) / 1_000_000, (decided - parsed) / 1_000_000,
                (published - decided) / 1_000_000, (System.nanoTime() - published) / 1_000_000);
        if (!rejections.isEmpty()) {   // most files have none: no COPY round trip for nothing
            try (CopyWriter copy = new CopyWriter(c, "delivery_rejection", "delivery_id", "row_number", "field", "reason")) {
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (RowRejection r : rejections) {
                    if (seen.add(r.row() + "\u0000" + r.field())) {
                        copy.value(deliveryId).value(r.row()).value(r.field()).value(r.reason()).endRow();
                    }
                }
                copy.finish();
            }
        }
        Deliveries.staged(c, deliveryId, read, accepted, rejectedRows, versions.changedRows());
        return new StageOutcome(deliveryId, read, accepted, rejectedRows, null);
    }

    /**
     * Rows that name another person or exam than the version of their attempt before them (an earlier delivery, or
     * an earlier row of this file; see {@link AttemptVersions}) are new versions held for review: the vendor is told,
     * in the acknowledgement's warnings, which row changed the identity of which. Returns the warnings written.
     */
    private static int warnIdentityChanges(Connection c, long deliveryId, int seqAfter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into delivery_problem (delivery_id, seq, severity, line, field, message)
                select ?, ? + row_number() over (order by v.ordinal), 'warning', v.ordinal, 'attempt-key',
                       'identity changed since ' || v.since || ': the same attempt key names another person or exam; '
                       || 'held for review by the district, not counted until decided'
                from stage_version v where v.changed
                order by v.ordinal
                limit ?""")) {
            ps.setLong(1, deliveryId);
            ps.setInt(2, seqAfter);
            ps.setInt(3, MAX_STORED_REJECTIONS);
            return ps.executeUpdate();
        }
    }

    /**
     * Rows of one file with the same attempt key are one attempt, and the last of them is kept: the vendor is told,
     * in the acknowledgement's warnings, which rows repeated which (a key that is too coarse shows up here). After
     * {@link #findRepeats}.
     */
    private static void warnRepeatedAttempts(Connection c, long deliveryId, int seqAfter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into delivery_problem (delivery_id, seq, severity, line, field, message)
                select ?, ? + row_number() over (order by ordinal), 'warning', ordinal, 'attempt-key',
                       'repeats the attempt of row ' || first_row || ' (same attempt key); the later row is kept'
                from %s s
                where ordinal <> first_row
                  and not exists (select 1 from stage_version v   -- an identity change is warned as such
                                  where v.attempt_key = s.attempt_key and v.ordinal = s.ordinal and v.changed)
                order by ordinal
                limit ?""".formatted(STAGE_REPEATED.name()))) {
            ps.setLong(1, deliveryId);
            ps.setInt(2, seqAfter);
            ps.setInt(3, MAX_STORED_REJECTIONS);
            ps.executeUpdate();
        }
    }

    /**
     * The results a delivery's publishing wrote (each staged attempt key's result and version), as the upsert returns
     * them: its lineage and identities join the staged rows with these instead of looking each row's result up again
     * in {@code result} (an index probe and a heap read per row of a table of hundreds of thousands).
     */
    static final Scratch.Table STAGE_PUBLISHED = new Scratch.Table("stage_published",
            "attempt_key text, result_id bigint, version int");

    /**
     * The staged rows of a file whose attempt key another of its rows has, each with its key's first and last row (by
     * ordinal): when its keys repeat ({@link KeyRepeats}), each attempt is matched and published from its last row,
     * which is also the result's identity, the rows before it are lineage only, and the rows after the first are
     * warned of, and the versions' look-up takes them ({@link AttemptVersions#earlier}). Found once by a sort of the
     * keys and ordinals alone ({@link #findRepeats}), where matching's read and
     * each publishing statement kept each key's last row with a {@code distinct on} that sorted the file's whole rows
     * (1,000,000 rows: about 400 MB on disk a sort), and the warning numbered the repeats by a sort of its own. With
     * each row's source row: whether two rows of one attempt also share it ({@link #findRepeats}). (Named anew, not
     * {@code stage_repeated}, when its {@code source_row} column came: a session that a pool in front of PostgreSQL
     * keeps across a hub's upgrade may hold the old table, which a scratch table's check by name would take for this.)
     */
    static final Scratch.Table STAGE_REPEATED = new Scratch.Table("stage_repeated_rows",
            "ordinal int, attempt_key text, first_row int, last_row int, source_row int");

    /**
     * Every scratch table a staging transaction may fill, its own and its steps' (the versions, the matching on the
     * staged rows), asked for once at its start ({@link Scratch#forTransaction}).
     */
    private static final Scratch.Table[] STAGING_SCRATCH = java.util.stream.Stream.of(
                    List.of(STAGE_RESULT, STAGE_PUBLISHED, STAGE_REPEATED), AttemptVersions.SCRATCH,
                    DeliveryMatcher.STAGED_MATCHING)
            .flatMap(List::stream).toArray(Scratch.Table[]::new);

    /**
     * SQL condition on the staged row {@code alias} ({@code stage_result}): it is the last row of its attempt in the
     * file. Always true when the file's attempt keys do not repeat: then every staged row is its attempt's last.
     */
    public static String lastOfItsAttempt(boolean keysRepeat, String alias) {
        return keysRepeat ? "not exists (select 1 from " + STAGE_REPEATED.name() + " x where x.ordinal = " + alias
                + ".ordinal and x.ordinal < x.last_row)" : "true";
    }

    /**
     * Fills {@link #STAGE_REPEATED} from the staged rows (for a file whose attempt keys may repeat). Returns whether
     * two rows of one attempt have the same source row too (an API page's records are each row 1, a file's rows each
     * their own number): then their lineage is one row, and its insert must pass over the second.
     */
    static boolean findRepeats(Connection c) throws SQLException {
        Scratch.ensure(c, STAGE_REPEATED);
        try (Statement st = c.createStatement()) {
            st.executeUpdate("delete from " + STAGE_REPEATED.name());
            // (the rows it wrote, as the insert returns them, are asked whether any attempt repeats a source row)
            try (ResultSet rs = st.executeQuery("with repeated as (insert into " + STAGE_REPEATED.name()
                    + " (ordinal, attempt_key, first_row, last_row, source_row) select ordinal, attempt_key, first_row, "
                    + "last_row, source_row from (select ordinal, attempt_key, source_row, min(ordinal) over w as "
                    + "first_row, max(ordinal) over w as last_row, count(*) over w as n from stage_result "
                    + "window w as (partition by attempt_key)) s where n > 1 returning attempt_key, source_row) "
                    + "select exists (select 1 from repeated group by attempt_key, source_row having count(*) > 1)")) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * The upsert of a result the feed has already ({@link #publish}): a later version replaces the attempt's values,
     * and the decision staged with it, if any, the result's.
     */
    private static final String UPDATE_ON_CONFLICT = """
                on conflict (feed_code, attempt_key) do update set
                    delivery_id = excluded.delivery_id, source_row = excluded.source_row,
                    vendor_candidate_id = excluded.vendor_candidate_id, state_id_hash = excluded.state_id_hash,
                    state_id_near = excluded.state_id_near, exam_code = excluded.exam_code, credential_code = excluded.credential_code,
                    school_year = excluded.school_year, attempted_on = excluded.attempted_on,
                    attempted_at = excluded.attempted_at, passed = excluded.passed, score = excluded.score,
                    status = excluded.status, source_ref = excluded.source_ref,
                    -- decided again: by the decision staged with it, else by the match step after publishing
                    match_decision = excluded.match_decision,
                    student_id = case when excluded.match_decision is null then result.student_id else excluded.student_id end,
                    match_tier = case when excluded.match_decision is null then result.match_tier else excluded.match_tier end,
                    match_score = case when excluded.match_decision is null then result.match_score else excluded.match_score end,
                    version = excluded.version, hold_reason = coalesce(excluded.hold_reason, result.hold_reason),
                    exam_name = excluded.exam_name, exam_ids = excluded.exam_ids, held_until = excluded.held_until,
                    status_entries = excluded.status_entries, updated_at = now()""";

    /**
     * {@code keysRepeat}: whether rows of the file may share an attempt key ({@link KeyRepeats}); when none do, each
     * staged row is its attempt's last and is published as it is, without sorting the file by key to find it.
     * {@code rowsRepeat}: whether two rows of one attempt have the same source row ({@link #findRepeats}).
     * {@code anyPublished}: whether the feed has a result for some staged key already ({@link AttemptVersions}, whose
     * look-up of every staged key said so: {@code stage_attempt.published}).
     *
     * <p>The results of new keys are inserted as they are, those of published keys upserted: an {@code on conflict}
     * insert looks each row's key up in the attempt key's index before inserting it, and the versions' look-up has
     * just looked every key up (a result's insert 15 % dearer with it, {@code psql}: docs/performance.md, session 34).
     * A key that another transaction publishes between the look-up and this insert fails this one (a unique
     * violation), and the delivery is staged again, when the key is published.
     */
    private void publish(Connection c, String feed, long deliveryId, String newStatus, boolean keysRepeat,
                         boolean rowsRepeat, boolean anyPublished, int rows) throws SQLException {
        // the file's decisions, when it was matched on its staged rows (DeliveryMatcher.matchStaged); else empty, and
        // its results are published undecided
        Scratch.ensure(c, STAGE_PUBLISHED, DeliveryMatcher.STAGE_MATCH);
        String workMem = rows >= DeliveryMatcher.ANALYZE_FROM_ROWS ? largeFileWorkMem : null;
        String hashBefore = workMem == null ? null : hashMemory(c, workMem);
        boolean first = !anyPublished && !rowsRepeat && rows >= keysMadeAfterRows && firstResults(c);
        if (first) {
            LOG.info("Feed {}: delivery {}: the hub's first results ({} staged rows), written before their tables' keys and"
                    + " indexes", feed, deliveryId, rows);
            FirstRows.insertBeforeKeys(c, "result", () -> publishResults(c, feed, deliveryId, newStatus, keysRepeat, false));
        } else {
            publishResults(c, feed, deliveryId, newStatus, keysRepeat, false);
        }
        if (anyPublished) {
            publishResults(c, feed, deliveryId, newStatus, keysRepeat, true);
        }
        if (hashBefore != null) {
            LocalSettings.set(c, "hash_mem_multiplier", hashBefore);
        }
        analyzePublished(c, rows);
        String before = workMem == null ? null : LocalSettings.set(c, "work_mem", workMem);
        if (first) {
            FirstRows.insertBeforeKeys(c, "result_lineage", () -> publishLineage(c, deliveryId, false));
            FirstRows.insertBeforeKeys(c, "result_identity", () -> publishIdentities(c, keysRepeat, false));
        } else {
            publishLineage(c, deliveryId, anyPublished || rowsRepeat);
            publishIdentities(c, keysRepeat, anyPublished);
        }
        if (before != null) {
            LocalSettings.set(c, "work_mem", before);
        }
    }

    /**
     * Whether the file's results are the hub's first (no result, lineage or identity yet): then they are written before
     * the keys and indexes of their tables ({@link FirstRows#insertBeforeKeys}: one sorted build an index instead of an
     * insertion a row, and on the embedded server, its tables emptied again in the transaction, without WAL). The three
     * tables are taken for the rest of the transaction (readers and other deliveries wait for the first results rather
     * than read none), each without waiting: when anyone holds one at this moment, none is taken and the results are
     * written as always. A state's first load of its earlier years' results, or a first large vendor file: the
     * 1,000,000-row file's results, lineage and identities in docs/performance.md, session 61.
     */
    private static boolean firstResults(Connection c) throws SQLException {
        java.sql.Savepoint before = c.setSavepoint();
        for (String table : List.of("result", "result_lineage", "result_identity")) {
            if (!FirstRows.taken(c, table, "access exclusive mode nowait")) {
                c.rollback(before);   // (the tables taken before it let go again)
                return false;
            }
        }
        c.releaseSavepoint(before);
        return true;
    }

    /**
     * A large file's results just written ({@code stage_published}) are joined with its staged rows next, for the
     * lineage and identities: by their real number. Estimated from the scratch table's pages (a quarter more rows
     * than there are), they were the larger side of each join, and the file's wide staged rows were hashed instead of
     * the results' keys (the 1,000,000-row file's identities 2.1-2.3 s -> 1.3-1.4 s, 235 MB of hash -> 91 MB, psql,
     * docs/performance.md, session 44). A small file's are estimated from the pages.
     */
    static void analyzePublished(Connection c, int stagedRows) throws SQLException {
        org.credentialhub.store.PlannerStatistics.analyzeScratch(c, stagedRows, STAGE_PUBLISHED.name());
    }

    /**
     * Lets the hash tables of the transaction's next statements take {@code memory} (as PostgreSQL reads an amount:
     * {@code 128MB}), its sorts keeping the server's {@code work_mem}: {@code hash_mem_multiplier} raised to that
     * amount over {@code work_mem} (never lowered; at most PostgreSQL's 1000). A large file's results' insert hashes
     * its decisions, one a row: at the server's 4 MB the 1,000,000-row file's were hashed in 16 batches, the file's
     * wide rows written to disk and read again; with the file's work_mem for the whole statement its sort by ordinal
     * took longer instead (docs/performance.md, session 48). Returns the multiplier before.
     */
    static String hashMemory(Connection c, String memory) throws SQLException {
        return LocalSettings.setTo(c, "hash_mem_multiplier", """
                least(1000, greatest(current_setting('hash_mem_multiplier')::float8,
                                     pg_size_bytes(?)::float8 / pg_size_bytes(current_setting('work_mem'))))::text""",
                memory);
    }

    /**
     * SQL condition on the staged row {@code s}: the feed has no result of its attempt key ({@code stage_attempt}).
     * An anti-join, not {@code k.published is not true} on the outer join: the planner took half the rows for that
     * (its guess for a condition it has no statistics of), and at 1,000,000 rows hashed the file's wide rows for
     * the join with their decisions (64 batches on disk) instead of the decisions (docs/performance.md, session 37).
     */
    private static final String NOT_PUBLISHED =
            "not exists (select 1 from stage_attempt p where p.attempt_key = s.attempt_key and p.published)";

    /**
     * The results of the staged keys the feed has none for ({@code published} false: inserted) or has one for
     * ({@code published} true: upserted), each from the last row of its attempt in the file; a revoked record retracts
     * its result. Each result written goes to {@code stage_published}.
     */
    private static int publishResults(Connection c, String feed, long deliveryId, String newStatus, boolean keysRepeat,
                                      boolean published) throws SQLException {
        try {
            return Rows.update(c, resultsInsert(published, keysRepeat), feed, deliveryId, newStatus, newStatus, feed, feed);
        } catch (SQLException e) {
            if (!published && "23505".equals(e.getSQLState())) {
                // a key the versions' look-up found new was published meanwhile by another transaction (it waited for
                // that one): the delivery is staged again, and the key then upserted. (The driver's text names the
                // key: not passed on.)
                throw new java.sql.SQLTransientException("an attempt key of the delivery was published by another "
                        + "transaction while it was staged", "40001");
            }
            throw e;
        }
    }

    /**
     * The statement of {@link #publishResults}; parameters: feed, delivery, the new status twice, feed twice.
     */
    static String resultsInsert(boolean published, boolean keysRepeat) {
        return """
                with published as (
                insert into result (feed_code, attempt_key, delivery_id, source_row, vendor_candidate_id, state_id_hash,
                                    state_id_near, exam_code, credential_code, school_year, attempted_on, attempted_at,
                                    passed, score, status, source_ref, version, hold_reason, exam_name, exam_ids,
                                    held_until, status_entries, student_id, match_decision, match_tier, match_score)
                select feed, attempt_key, delivery, source_row, vendor_candidate_id, state_id_hash, state_id_near, exam_code,
                       credential_code, school_year, attempted_on, attempted_at, passed, score, status, source_ref,
                       version, hold_reason, exam_name, exam_ids, held_until, status_entries,
                       student_id, match_decision, match_tier, match_score
                from (select ? as feed, s.attempt_key, ? as delivery, s.source_row,
                             s.vendor_candidate_id, s.state_id_hash, s.state_id_near,
                             coalesce(s.exam_code, s.credential_code) as exam_code,
                             coalesce(s.credential_code, xe.credential_code, xi.credential_code) as credential_code,
                             s.school_year, s.attempted_on, s.attempted_at, s.passed, s.score,
                             -- a version that names another person or exam is held for review (AttemptVersions);
                             -- a credential not yet valid is kept pending until it is (standards.Standing releases it)
                             case when s.revoked then 'revoked' when s.pending then 'pending'
                                  when s.held_until > now() then 'pending'
                                  when k.hold and ?::text = 'active' then 'held' else ?::text end as status,
                             s.source_ref, s.ordinal, coalesce(k.version, 1) as version, k.reason as hold_reason,
                             s.exam_name, s.exam_ids, s.held_until, s.status_entries,
                             m.student_id, m.decision as match_decision, m.tier as match_tier, m.score as match_score
                      from stage_result s
                      left join stage_attempt k on k.attempt_key = s.attempt_key
                      left join stage_match m on m.attempt_key = s.attempt_key
                      -- the catalog's credential: the exam code's (one join for the whole file; one credential a
                      -- code and year, the first state's, should two states' catalogs both have it), else the first
                      -- further identifier it knows (looked up only for a record that has them and no exam code match)
                      left join (select distinct on (x.school_year, x.exam_code) x.school_year, x.exam_code,
                                        x.credential_code
                                 from catalog_exam_code x where x.feed_code = ?
                                 order by x.school_year, x.exam_code, x.state) xe
                             on xe.school_year = s.school_year and xe.exam_code = s.exam_code
                      left join lateral (select x.credential_code from catalog_exam_code x
                                         where xe.credential_code is null and s.exam_ids is not null
                                           and x.school_year = s.school_year and x.feed_code = ?
                                           and x.exam_code = any(s.exam_ids)
                                         order by array_position(s.exam_ids, x.exam_code)
                                         limit 1) xi on true
                      where %s and %s) latest
                order by ordinal  -- new results are numbered in the file's order
                %s
                returning attempt_key, result_id, version)
                insert into stage_published (attempt_key, result_id, version)
                select attempt_key, result_id, version from published""".formatted(
                        published ? "k.published" : NOT_PUBLISHED, lastOfItsAttempt(keysRepeat, "s"),
                        published ? UPDATE_ON_CONFLICT : "");
    }

    /**
     * The lineage rows of the results {@link #publishResults} wrote ({@code stage_published}), one a staged row, with
     * its version ({@code stage_version}, {@link AttemptVersions}); parameter 1: the delivery.
     */
    static final String LINEAGE = """
            select r.result_id, ?, s.source_row, coalesce(v.version, r.version),
                   -- the row's keyed identity and exam: binds a district's decision to this version
                   encode(sha256(convert_to(coalesce(s.state_id_hash, '') || '|' || coalesce(s.identity_key, '')
                          || '|' || coalesce(s.exam_code, s.credential_code, ''), 'UTF8')), 'hex')
            from stage_result s join stage_published r on r.attempt_key = s.attempt_key
            left join stage_version v on v.attempt_key = s.attempt_key and v.ordinal = s.ordinal""";

    /**
     * The lineage of the results {@link #publishResults} wrote ({@code stage_published}). When the feed had none of
     * the staged keys, every result was new, inserted by this delivery: their identities (one a result, from its
     * attempt's last row: {@link #publishIdentities}) are inserted as they are, and so is their lineage unless two rows
     * of one attempt have the same source row too (a lineage row is a result, delivery and source row; a file's rows
     * are each their own, an API page's records each row 1); otherwise ({@code mayBeThere}) each row is inserted
     * unless it is there already (an {@code on conflict} insert looks the row's key up in the index before
     * inserting it: an identity's upsert about 1.65 times a plain insert, a lineage row's 1.1-1.6 times, {@code psql},
     * docs/performance.md, sessions 39 and 40).
     */
    private static int publishLineage(Connection c, long deliveryId, boolean mayBeThere) throws SQLException {
        return Rows.update(c, "insert into result_lineage (result_id, delivery_id, source_row, version, content_hash) "
                + LINEAGE + (mayBeThere ? " on conflict do nothing" : ""), deliveryId);
    }

    /** The identities of {@link #publishLineage}'s results: upserted when the feed had some of them already. */
    private static int publishIdentities(Connection c, boolean keysRepeat, boolean anyPublished) throws SQLException {
        return Rows.update(c, """
                insert into result_identity (result_id, first_name, last_name, birth_date, email, school_code,
                                             school_name, district_code, identity_key,
                                             name_hash, name_salt, birth_date_hash, birth_date_salt)
                select r.result_id, s.first_name, s.last_name, s.birth_date, s.email,
                       s.school_code, s.school_name, s.district_code, s.identity_key,
                       s.name_hash, s.name_salt, s.birth_date_hash, s.birth_date_salt
                from stage_result s join stage_published r on r.attempt_key = s.attempt_key
                where %s
                """.formatted(lastOfItsAttempt(keysRepeat, "s")) + (anyPublished ? """
                on conflict (result_id) do update set
                    first_name = excluded.first_name, last_name = excluded.last_name, birth_date = excluded.birth_date,
                    email = excluded.email, school_code = excluded.school_code, school_name = excluded.school_name,
                    district_code = excluded.district_code, identity_key = excluded.identity_key,
                    name_hash = excluded.name_hash, name_salt = excluded.name_salt,
                    birth_date_hash = excluded.birth_date_hash, birth_date_salt = excluded.birth_date_salt,
                    received_at = now()""" : ""));
    }

    /**
     * The candidates for review of a file matched on its staged rows (DeliveryMatcher.matchStaged): those of each
     * republished result are replaced (a result the district's earlier rejection decided keeps its own).
     */
    private static void publishCandidates(Connection c, boolean republished, boolean staged) throws SQLException {
        // (a result published for the first time has none to replace, and a file whose matching staged none has none
        // to add: most small files, two round trips each; docs/performance.md, session 63)
        if (!republished && !staged) {
            return;
        }
        Scratch.ensure(c, DeliveryMatcher.STAGE_MATCH_CANDIDATE);
        if (republished) {
            Rows.update(c, """
                delete from match_candidate where result_id in (
                    select p.result_id from stage_published p join stage_match m on m.attempt_key = p.attempt_key
                    where m.decision <> 'rejected')""");
        }
        if (staged) {
            Rows.update(c, """
                    insert into match_candidate (result_id, student_id, rank, score, reasons)
                    select distinct on (p.result_id, m.student_id) p.result_id, m.student_id, m.rank, m.score, m.reasons::jsonb
                    from stage_match_candidate m join stage_published p on p.attempt_key = m.attempt_key
                    order by p.result_id, m.student_id, m.rank""");
        }
    }

    /**
     * A credit award is a result (matched, decided, kept and purged as every result is) whose institution, program
     * and credit hours are in {@code result_award}: the last row of an attempt in the file wins, as for the result.
     */
    private static void publishAwards(Connection c, boolean keysRepeat) throws SQLException {
        Rows.update(c, """
                insert into result_award (result_id, institution, program, credit_hours)
                select r.result_id, s.institution, s.program, s.credit_hours
                from stage_result s join stage_published r on r.attempt_key = s.attempt_key
                where s.credit_hours is not null and %s
                on conflict (result_id) do update set institution = excluded.institution, program = excluded.program,
                    credit_hours = excluded.credit_hours""".formatted(lastOfItsAttempt(keysRepeat, "s")));
    }

    /** A list as a PostgreSQL text[] literal for COPY ({@code {"a","b"}}), or null when empty. */
    private static String textArray(List<String> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        StringBuilder b = new StringBuilder("{");
        for (String v : values) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return b.append('}').toString();
    }

    /** SQL condition on {@code r}: the result came from a delivery of the feed that is staged but not processed. */
    public static String backlogScope(String feed) {
        return "r.delivery_id in (select delivery_id from delivery where feed_code = " + feedLiteral(feed)
                + " and processed_at is null)";
    }

    /** A feed code as an SQL literal, for a scope of results; anything but a feed code is refused. */
    public static String feedLiteral(String feed) {
        if (!feed.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("not a feed code: " + feed);
        }
        return "'" + feed + "'";
    }

    /** Route predicate: the feed has staged deliveries to match (a pull that brought nothing new skips the steps). */
    public boolean hasBacklog(@Header(FEED) String feed) throws SQLException {
        return Deliveries.hasBacklog(dataSource, feed);
    }

    /** Route predicate: the feed's staged deliveries hold at least {@code rows} results (a long pull's part to match). */
    public boolean backlogOf(String feed, long rows) throws SQLException {
        return Deliveries.backlog(dataSource, feed).rows() >= rows;
    }

    /** Marks every staged delivery of the feed processed (after {@link #backlogScope} was matched). */
    public void completeBacklog(@Header(FEED) String feed) throws SQLException {
        Deliveries.processedBacklog(dataSource, feed);
    }

    /** Marks a staged delivery processed. */
    public void complete(@Header(DELIVERY_ID) long deliveryId) throws SQLException {
        Deliveries.processed(dataSource, deliveryId);
    }
}
