package org.credentialhub.sis;

import org.credentialhub.sis.OneRosterSpec.FileSpec;
import org.credentialhub.sis.OneRosterSpec.Ref;
import org.credentialhub.support.SqlResources;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Set;

/**
 * Checks a staged bundle as a whole, beyond its single values: before publishing, what refuses it (errors:
 * a copied file, a sourcedId given twice, a classResource naming an unknown class or resource); once it is
 * published, what was loaded but cannot be used as is (warnings, e.g. a reference the SIS's data lacks).
 */
final class RosterChecks {
    /** Lines listed per check; the others are counted. */
    private static final int MAX_LISTED = 100;

    private RosterChecks() {
    }

    /** The checks that refuse the staged bundle: their problems are errors. */
    static void beforePublish(Connection c, String feed, Bundle bundle, BundleManifest m, Set<String> mayRepeat,
                              Problems problems) throws IOException, SQLException {
        checkCopies(bundle, m, problems);
        checkDuplicates(c, m, mayRepeat, problems);
        checkClassResources(c, feed, m, problems);
    }

    /** userProfiles.csv that is a copy of roles.csv (an export mistake) is an error. */
    private static void checkCopies(Bundle bundle, BundleManifest m, Problems problems) throws IOException {
        String roles = m.files.get("roles");
        String profiles = m.files.get("userProfiles");
        if (roles != null && profiles != null) {
            byte[] a;
            byte[] b;
            try (InputStream in = bundle.open(roles)) {
                a = in.readAllBytes();
            }
            try (InputStream in = bundle.open(profiles)) {
                b = in.readAllBytes();
            }
            if (Arrays.equals(a, b)) {
                problems.error(profiles, 0, null, "is a copy of " + roles + " (same content), not user profiles");
            }
        }
    }

    /**
     * A sourcedId given twice in one file is an error: which row is meant cannot be told. Looked for in
     * the files whose parsing could not rule it out ({@code mayRepeat}).
     */
    private static void checkDuplicates(Connection c, BundleManifest m, Set<String> mayRepeat, Problems problems)
            throws SQLException {
        for (FileSpec f : OneRosterSpec.FILES) {
            String name = m.files.get(f.name());
            if (name == null || f.columns(m.version) == null || !mayRepeat.contains(f.name())) {
                continue;
            }
            // hashed, not sorted: only the repeated sourcedIds' lines are looked at
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "select s.line, d.first from " + f.stageTable() + " s join (select sourced_id, min(line) as first from "
                            + f.stageTable() + " where sourced_id is not null group by sourced_id having count(*) > 1) d"
                            + " on d.sourced_id = s.sourced_id where s.line <> d.first order by s.line limit "
                            + MAX_LISTED)) {
                while (rs.next()) {
                    problems.error(name, rs.getInt(1), "sourcedId", "the same sourcedId as line " + rs.getInt(2));
                }
            }
        }
    }

    /**
     * A classResource must name a class and a resource that exist once the bundle is applied (in this
     * bundle, or already stored and neither replaced by a bulk file nor deleted by this bundle): otherwise
     * which credential a class offers cannot be told, and potentials would be counted wrong. An error.
     */
    private static void checkClassResources(Connection c, String feed, BundleManifest m, Problems problems)
            throws SQLException {
        String name = m.files.get("classResources");
        if (name == null || !m.modes.containsKey("classResources")) {
            return;
        }
        String[][] refs = {{"classSourcedId", "class_sourced_id", "classes", "sis_class", "class"},
                {"resourceSourcedId", "resource_sourced_id", "resources", "sis_resource", "resource"}};
        for (String[] r : refs) {
            FileSpec target = OneRosterSpec.file(r[2]);
            boolean replaced = "bulk".equals(m.modes.get(r[2]));
            String sql = "select s.line from sis_stage_classresources s where s." + r[1] + " is not null"
                    + " and s.status <> 'tobedeleted'"
                    + " and not exists (select 1 from " + target.stageTable() + " x where x.sourced_id = s." + r[1]
                    + " and x.status <> 'tobedeleted')"
                    + (replaced ? "" : " and not exists (select 1 from " + r[3] + " t where t.sis_source = ?"
                    + " and t.sourced_id = s." + r[1] + " and not exists (select 1 from " + target.stageTable()
                    + " d where d.sourced_id = t.sourced_id and d.status = 'tobedeleted'))")
                    + " order by s.line";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (!replaced) {
                    ps.setString(1, feed);
                }
                int listed = 0;
                int more = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (listed++ < MAX_LISTED) {
                            problems.error(name, rs.getInt(1), r[0], "refers to a " + r[4]
                                    + " that is neither in this bundle nor in this SIS's data");
                        } else {
                            more++;
                        }
                    }
                }
                if (more > 0) {
                    problems.error(name, 0, r[0], more + " more line(s) refer to an unknown " + r[4]);
                }
            }
        }
    }

    /**
     * Warnings once the bundle is published (in its transaction): students without a state ID or with
     * another's, schools that cannot be added, references to sourcedIds the SIS's data lacks
     * ({@link OneRosterSpec#REFERENCES}), session school years that do not fit the dates.
     *
     * @param lines   the import's line sets: a bulk file staged as a delta has its unchanged rows checked too where
     *                the import removed rows of the table they refer to (the rows it had no warning for before)
     * @param changes what publishing changed
     * @param stateIdsRepeat whether two staged users may have the same state ID ({@link RosterStaging#STATE_IDS}):
     *                       otherwise none has another's, and the staged users are not grouped to find out
     */
    static void afterPublish(Connection c, String feed, BundleManifest m, Problems problems, LineSets.Import lines,
                             TableChanges changes, boolean stateIdsRepeat) throws SQLException {
        warn(c, feed, problems, m, "users", null,
                "a student without a state student ID (identifier or userIds) is not put on the roster",
                SqlResources.load("sis/warn-student-without-state-id"));
        if (stateIdsRepeat) {
            warn(c, feed, problems, m, "users", "identifier",
                    "the same state student ID as another student of this file; the last line is kept",
                    SqlResources.load("sis/warn-repeated-state-id"));
        }
        warn(c, feed, problems, m, "orgs", "identifier",
                "a school without an identifier (the state's school code): not added to the schools",
                SqlResources.load("sis/warn-school-without-identifier"));
        warn(c, feed, problems, m, "orgs", "parentSourcedId",
                "a school whose parent is not a district of this SIS: not added to the schools",
                SqlResources.load("sis/warn-school-without-district"));
        for (Ref ref : OneRosterSpec.REFERENCES) {
            LineSets.Published unchanged = lines.convertedLines(ref.file());
            String table = OneRosterSpec.file(ref.file()).table();
            if (!ref.many() && table != null && changes.hasOnlyTheFilesRows(table) && !anyUnknown(c, feed, ref, table)) {
                continue;   // none: the file's lines are not looked through
            }
            if (unchanged != null && changes.lostRows(ref.targetTable())) {
                warn(c, feed, problems, m, ref.file(), ref.column(), ref.message(), unknownReferences(ref),
                        unknownReferencesUnchanged(ref), unchanged);
            } else {
                warn(c, feed, problems, m, ref.file(), ref.column(), ref.message(), unknownReferences(ref));
            }
        }
        warn(c, feed, problems, m, "academicSessions", "schoolYear",
                "schoolYear does not fit the session's dates; the school year is taken from the dates",
                SqlResources.load("sis/warn-session-school-year"));
    }

    /** The lines of a reference's file whose reference (any one of a list) is not among the SIS's data; ?1 the feed. */
    private static String unknownReferences(Ref ref) {
        String stage = OneRosterSpec.file(ref.file()).stageTable();
        String column = ref.stageColumn();
        if (ref.many()) {
            return "select s.line from " + stage + " s where s.status <> 'tobedeleted' and exists (\n"
                    + "    select 1 from unnest(s." + column + ") t(id)\n"
                    + "    where not exists (select 1 from " + ref.targetTable()
                    + " a where a.sis_source = ?1 and a.sourced_id = t.id))\n"
                    + "order by s.line";
        }
        return "select s.line from " + stage + " s where s." + column + " is not null"
                + " and s.status <> 'tobedeleted' and not exists (select 1 from " + ref.targetTable()
                + " t where t.sis_source = ?1 and t.sourced_id = s." + column + ") order by s.line";
    }

    /**
     * Whether any row of a table that holds only the file's rows (its first rows) names what the SIS does not have. Asked
     * of the published table, not of the staged file (which only this session can read): PostgreSQL's parallel workers
     * take part, the other core otherwise idle while the import's one connection works (6,000,000 enrollments: 3.2 s
     * alone, 1.7 s with the workers); the file's lines are then looked through only when there are some.
     */
    private static boolean anyUnknown(Connection c, String feed, Ref ref, String table) throws SQLException {
        long t = System.nanoTime();
        String sql = anyUnknownSql(ref, table);
        try (PreparedStatement ps = ImportSteps.prepare(c, feed, sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        } finally {
            ImportSteps.timed(t, sql);
        }
    }

    /**
     * {@link #anyUnknown}'s question, ?1 the feed: whether the rows that name what the SIS lacks are more than none,
     * counted. Asked as {@code exists}, the planner chose the plan that finds a first row soonest whenever it estimated
     * some (the statistics' sample estimates the distinct classes named by 6,000,000 enrollments at 240,740 of 240,000
     * classes, and so 18,449 unknown): a nested loop of six million index look-ups (19.7 s instead of 1.8 s, in one
     * first load of several), when there are none. Counted, it plans for every row: the parallel hashed anti-join.
     */
    static String anyUnknownSql(Ref ref, String table) {
        String column = ref.stageColumn();
        return "select count(*) > 0 from " + table + " f where f.sis_source = ?1 and f." + column
                + " is not null and not exists (select 1 from " + ref.targetTable() + " t where t.sis_source = ?1"
                + " and t.sourced_id = f." + column + ")";
    }

    /** Keeps the {@link #MAX_LISTED} lowest lines (a max-heap). */
    private static void keepFirst(java.util.PriorityQueue<Integer> first, int line) {
        if (first.size() < MAX_LISTED) {
            first.add(line);
        } else if (line < first.peek()) {
            first.poll();
            first.add(line);
        }
    }

    /**
     * The unchanged rows of a file staged as a delta ({@link LineSets}) whose reference is not among the SIS's data,
     * by their line's hash; ?1 the feed.
     */
    private static String unknownReferencesUnchanged(Ref ref) {
        OneRosterSpec.FileSpec f = OneRosterSpec.file(ref.file());
        String column = ref.stageColumn();
        String unknown = ref.many()
                ? "exists (select 1 from unnest(t." + column + ") r(id) where not exists (select 1 from " + ref.targetTable()
                + " a where a.sis_source = ?1 and a.sourced_id = r.id))"
                : "t." + column + " is not null and not exists (select 1 from " + ref.targetTable()
                + " a where a.sis_source = ?1 and a.sourced_id = t." + column + ")";
        return "select t.line_hash from " + f.table() + " t where t.sis_source = ?1 and " + unknown
                + " and not exists (select 1 from " + f.stageTable() + " s where s.sourced_id = t.sourced_id)";
    }

    /** Lists the lines a query finds in a file of the bundle's manifest as warnings (the first, and a count). */
    private static void warn(Connection c, String feed, Problems problems, BundleManifest m, String file, String column,
                             String message, String sql) throws SQLException {
        warn(c, feed, problems, m, file, column, message, sql, null, null);
    }

    /**
     * @param unchangedSql null, or the unchanged rows' line hashes (a file staged as a delta), whose lines in the file
     *                     {@code unchanged} gives: listed with the staged lines, in line order
     */
    private static void warn(Connection c, String feed, Problems problems, BundleManifest m, String file, String column,
                             String message, String sql, String unchangedSql, LineSets.Published unchanged)
            throws SQLException {
        String name = m.files.get(file);
        if (name == null || !m.modes.containsKey(file)) {
            return;
        }
        long t = System.nanoTime();
        // the first lines listed (in line order: the staged ones come ordered, the unchanged ones are merged in)
        java.util.PriorityQueue<Integer> first = new java.util.PriorityQueue<>(java.util.Comparator.reverseOrder());
        long found = 0;
        try (PreparedStatement ps = ImportSteps.prepare(c, feed, sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                found++;
                keepFirst(first, rs.getInt(1));
            }
        }
        if (unchangedSql != null) {
            try (PreparedStatement ps = ImportSteps.prepare(c, feed, unchangedSql); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found++;
                    keepFirst(first, unchanged.lineOf(rs.getLong(1)));
                }
            }
        }
        java.util.List<Integer> listed = new java.util.ArrayList<>(first);
        listed.sort(null);
        for (int line : listed) {
            problems.warning(name, line, column, message);
        }
        if (found > listed.size()) {
            problems.warning(name, 0, column, (found - listed.size()) + " more line(s): " + message);
        }
        ImportSteps.timed(t, sql);
    }
}
