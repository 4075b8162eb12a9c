package org.credentialhub.intake;

import org.credentialhub.matching.Comparisons;
import org.credentialhub.matching.Names;
import org.credentialhub.store.CopyWriter;
import org.credentialhub.store.Scratch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Versions of an attempt (issue 12): a row whose attempt key the hub already has (from an earlier delivery, or an
 * earlier row of the same file) corrects the attempt. When the row names another person or another exam than the
 * version before it, it is a new version, held for review with the reason {@code identity changed since <file>, row
 * <n>}, not a silent overwrite; a correction of the same person (a score, pass/fail, the date, a name's spelling, a
 * state ID filled in or a mistyped one fixed) stays the same version and replaces the attempt as before.
 *
 * <p>Runs in the staging transaction, before the staged rows ({@code stage_result}) are published; writes the
 * scratch tables ({@link Scratch}) {@code stage_version(attempt_key, ordinal, version, changed, since)} (each staged
 * row of a key that has a version before it) and {@code stage_attempt(attempt_key, version, hold, reason, published)}
 * (per such key, the version the result ends at, whether it is held, and whether the feed has its result already).
 * Keys seen for the first time are in neither: version 1, a new result.
 *
 * <p>Who a version names is compared as the matcher compares a row with a student ({@link Comparisons}): names
 * agree at Jaro-Winkler 0.80, one typing mistake apart (short names: "Rya"/"Ray" scores 0.60), as nicknames or
 * swapped; birth dates agree exactly, with day and month swapped, one
 * digit off or the year off by one. A value that one version lacks is no disagreement. State IDs are compared only
 * by their keyed hashes.
 */
final class AttemptVersions {
    private AttemptVersions() {
    }

    /** Who a version names, and which row it is (for the reason). */
    private record Identity(String stateIdHash, String first, String last, int birth, String exam, String where) {
    }

    /**
     * Counts of what {@link #compute} found: rows that changed the identity, keys held, and keys that already have a
     * result (their publishing updates it; every other key's result is new).
     */
    record Counted(int changedRows, int heldKeys, int publishedKeys) {
    }

    private static final Scratch.Table STAGE_VERSION = new Scratch.Table("stage_version",
            "attempt_key text, ordinal int, version int, changed boolean, since text", "attempt_key, ordinal");
    /**
     * Per key with an earlier version. (Named anew, not {@code stage_key}, when its {@code published} column came: a
     * database session that a pool in front of PostgreSQL keeps across a hub's upgrade may hold the old table, which a
     * scratch table's check by name would take for this one.)
     */
    private static final Scratch.Table STAGE_ATTEMPT = new Scratch.Table("stage_attempt",
            "attempt_key text primary key, version int, hold boolean, reason text, published boolean");

    /** The scratch tables {@link #compute} fills: asked for with the rest of a staging transaction's ({@link Intake}). */
    static final List<Scratch.Table> SCRATCH = List.of(STAGE_VERSION, STAGE_ATTEMPT);

    /**
     * The staged rows that have a version before them (a result of the feed, or an earlier row of the file), with that
     * result's identity and where it came from; parameter 1: the feed. The rows with an earlier version are found
     * first, and only theirs have their identity and delivery looked up, an index probe each: joined, every identity
     * of the hub was read into a hash for each file (a 22,325-row file with 824 such rows: 604 ms, growing with the
     * hub's results; docs/performance.md, session 26). Each staged row's result is looked up by its key, one index
     * probe a row (a lateral look-up of at most one row, which the planner cannot turn into a join): as a join it was
     * planned by the statistics of the feed's results, which lag behind a growing table, and a fresh hub's small files
     * each read the feed's results into a hash (the NC year's skills workbooks: 20 ms a file of 300 rows, growing
     * with the feed; docs/performance.md, session 40). The rows of a key the file repeats are those
     * {@link Intake#findRepeats} found ({@code keysRepeat}; none when the file's keys do not repeat): the statement
     * grouped the file's keys again for them, about a second at 1,000,000 rows (docs/performance.md, session 61).
     */
    static String earlier(boolean keysRepeat) {
        return EARLIER.replace("${repeated}", keysRepeat ? "or s.attempt_key in (select x.attempt_key from "
                + Intake.STAGE_REPEATED.name() + " x)" : "");
    }

    private static final String EARLIER = """
            with found as materialized (
                select s.attempt_key, s.ordinal, s.source_row, s.source_ref, s.state_id_hash, s.first_name, s.last_name,
                       s.birth_date, coalesce(s.exam_code, s.credential_code) as exam,
                       r.result_id, r.version, r.status, r.state_id_hash as r_state_id_hash, r.exam_code as r_exam,
                       r.source_ref as r_source_ref, r.delivery_id as r_delivery, r.source_row as r_source_row
                from stage_result s
                left join lateral (select x.result_id, x.version, x.status, x.state_id_hash, x.exam_code, x.source_ref,
                                          x.delivery_id, x.source_row
                                   from result x where x.feed_code = ? and x.attempt_key = s.attempt_key
                                   limit 1) r on true
                where r.result_id is not null ${repeated})
            select f.attempt_key, f.ordinal, f.source_row, f.source_ref, f.state_id_hash, f.first_name, f.last_name,
                   f.birth_date, f.exam, f.result_id, f.version, f.status, f.r_state_id_hash,
                   (select i.first_name from result_identity i where i.result_id = f.result_id) as r_first,
                   (select i.last_name from result_identity i where i.result_id = f.result_id) as r_last,
                   (select i.birth_date from result_identity i where i.result_id = f.result_id) as r_birth, f.r_exam,
                   coalesce(f.r_source_ref, (select d.source_name from delivery d where d.delivery_id = f.r_delivery))
                       as r_source,
                   case when f.r_source_ref is not null then 1 else f.r_source_row end as r_row
            from found f
            order by f.attempt_key, f.ordinal""";

    /**
     * Works out the staged rows' versions ({@code stage_version}) and their attempts' ({@code stage_attempt}).
     *
     * @param stagedRows the rows the file staged: from {@link org.credentialhub.store.PlannerStatistics#SCRATCH_FROM_ROWS}
     *                   on, both tables are analyzed, however few their rows
     * @param keysRepeat whether the file's keys may repeat: then {@link Intake#findRepeats} has found the rows that do
     */
    static Counted compute(Connection c, String feed, String sourceName, int stagedRows, boolean keysRepeat)
            throws SQLException {
        Scratch.ensure(c, STAGE_VERSION, STAGE_ATTEMPT);
        List<Object[]> versions = new ArrayList<>();
        List<Object[]> keys = new ArrayList<>();
        int changedRows = 0;
        int held = 0;
        int publishedKeys = 0;
        try (PreparedStatement ps = c.prepareStatement(earlier(keysRepeat))) {
            ps.setString(1, feed);
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                String key = null;
                Identity prev = null;
                int version = 0;
                boolean hold = false;
                boolean changed = false;
                boolean published = false;
                String reason = null;
                while (rs.next()) {
                    String k = rs.getString("attempt_key");
                    if (!k.equals(key)) {
                        if (key != null) {
                            keys.add(new Object[] {key, version, hold || changed, changed ? reason : null, published});
                            held += hold || changed ? 1 : 0;
                        }
                        key = k;
                        changed = false;
                        reason = null;
                        rs.getLong("result_id");
                        published = !rs.wasNull();
                        publishedKeys += published ? 1 : 0;
                        if (!published) {
                            prev = null;
                            version = 1;
                            hold = false;
                        } else {
                            version = rs.getInt("version");
                            hold = "held".equals(rs.getString("status"));
                            prev = new Identity(rs.getString("r_state_id_hash"), Names.normalizeName(rs.getString("r_first")),
                                    Names.normalizeName(rs.getString("r_last")),
                                    Names.dateToInt(rs.getObject("r_birth", LocalDate.class)), rs.getString("r_exam"),
                                    rs.getString("r_source") + ", row " + rs.getInt("r_row"));
                        }
                    }
                    String ref = rs.getString("source_ref");
                    Identity row = new Identity(rs.getString("state_id_hash"), Names.normalizeName(rs.getString("first_name")),
                            Names.normalizeName(rs.getString("last_name")),
                            Names.dateToInt(rs.getObject("birth_date", LocalDate.class)), rs.getString("exam"),
                            (ref != null ? ref : sourceName) + ", row " + (ref != null ? 1 : rs.getInt("source_row")));
                    String since = null;
                    if (prev != null && changes(prev, row)) {
                        version++;
                        changed = true;
                        since = prev.where();
                        reason = "identity changed since " + since;
                        changedRows++;
                    }
                    versions.add(new Object[] {k, rs.getInt("ordinal"), version, since != null, since});
                    prev = row;
                }
                if (key != null) {
                    keys.add(new Object[] {key, version, hold || changed, changed ? reason : null, published});
                    held += hold || changed ? 1 : 0;
                }
            }
        }
        // most files correct nothing: their scratch tables stay empty, without a COPY or statistics
        if (!versions.isEmpty()) {
            try (CopyWriter copy = new CopyWriter(c, "stage_version", "attempt_key", "ordinal", "version", "changed", "since")) {
                for (Object[] v : versions) {
                    copy.value((String) v[0]).value((Integer) v[1]).value((Integer) v[2]).value((Boolean) v[3])
                            .value((String) v[4]).endRow();
                }
                copy.finish();
            }
        }
        if (!keys.isEmpty()) {
            try (CopyWriter copy = new CopyWriter(c, "stage_attempt", "attempt_key", "version", "hold", "reason", "published")) {
                for (Object[] k : keys) {
                    copy.value((String) k[0]).value((Integer) k[1]).value((Boolean) k[2]).value((String) k[3])
                            .value((Boolean) k[4]).endRow();
                }
                copy.finish();
            }
        }
        // a large file's versions are joined by their real size, however few (estimated from the table's pages,
        // hundreds of rows, the lineage's statement hashed the file's rows to look up a handful of versions: the
        // 1,000,000-row file's lineage 4.2 s -> 2.1 s, psql, docs/performance.md, session 44)
        org.credentialhub.store.PlannerStatistics.analyzeScratch(c, Math.max(stagedRows, versions.size() + keys.size()),
                "stage_version", "stage_attempt");
        return new Counted(changedRows, held, publishedKeys);
    }

    /** Whether a version names another person or exam than the one before it. */
    static boolean changes(Identity before, Identity after) {
        if (before.exam() != null && after.exam() != null && !before.exam().equals(after.exam())) {
            return true;
        }
        int compared = 0;
        int disagree = 0;
        if (before.first() != null && after.first() != null || before.last() != null && after.last() != null) {
            compared++;
            if (!namesAgree(before, after)) {
                disagree++;
            }
        }
        if (before.birth() != 0 && after.birth() != 0) {
            compared++;
            if (!birthAgrees(before.birth(), after.birth())) {
                disagree++;
            }
        }
        if (disagree > 0) {
            return true;
        }
        // the same names and birth date with another state ID: a mistyped ID corrected, the same person;
        // nothing else to compare: another ID is another person
        boolean idsDiffer = before.stateIdHash() != null && after.stateIdHash() != null
                && !before.stateIdHash().equals(after.stateIdHash());
        return idsDiffer && compared == 0;
    }

    private static boolean namesAgree(Identity a, Identity b) {
        return (agreeFirst(a.first(), b.first()) && agreeLast(a.last(), b.last()))
                || (agreeFirst(a.first(), b.last()) && agreeLast(a.last(), b.first()));
    }

    private static boolean agreeFirst(String a, String b) {
        int level = Comparisons.firstNameLevel(a, b);
        return level == Comparisons.MISSING || level <= Comparisons.FN_JW80 || Comparisons.oneTypoApart(a, b);
    }

    private static boolean agreeLast(String a, String b) {
        int level = Comparisons.lastNameLevel(a, b);
        return level == Comparisons.MISSING || level <= Comparisons.LN_JW80 || Comparisons.oneTypoApart(a, b);
    }

    private static boolean birthAgrees(int a, int b) {
        int level = Comparisons.birthDateLevel(a, b);
        if (level == Comparisons.DOB_EXACT || level == Comparisons.DOB_SWAPPED || level == Comparisons.DOB_ONE_DIGIT) {
            return true;
        }
        return a % 10000 == b % 10000 && Math.abs(a / 10000 - b / 10000) == 1;
    }

    /** For tests of the rule: the same comparison on plain values (names normalised here). */
    static boolean changes(String idA, String firstA, String lastA, LocalDate birthA, String examA,
                           String idB, String firstB, String lastB, LocalDate birthB, String examB) {
        return changes(new Identity(idA, Names.normalizeName(firstA), Names.normalizeName(lastA), Names.dateToInt(birthA),
                        examA, ""),
                new Identity(idB, Names.normalizeName(firstB), Names.normalizeName(lastB), Names.dateToInt(birthB),
                        examB, ""));
    }
}
