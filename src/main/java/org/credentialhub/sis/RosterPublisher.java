package org.credentialhub.sis;

import org.credentialhub.sis.OneRosterSpec.FileSpec;
import org.credentialhub.store.FirstRows;
import org.credentialhub.store.PlannerStatistics;
import org.credentialhub.support.SchoolYears;
import org.credentialhub.support.SqlResources;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Publishes a staged, checked bundle set-based in the import's transaction: each file's rows into its
 * {@code sis_*} table (a bulk file replaces the source's rows of its kind, a delta file applies its changes),
 * then what is derived from them: school years, the state's districts and schools, the roster
 * ({@code student}) and the classes' credentials. The statements are in {@code sql/sis/*.sql}.
 */
final class RosterPublisher {
    /** A user's role and org from roles.csv (1.2): the primary role first. */
    private static final String ROLE_OF_USER = SqlResources.load("sis/role-of-user");
    /** The students left out as on the roster already (sis/roster-students.sql's {@code ${unchanged_left_out}}). */
    private static final String ROSTER_UNCHANGED = SqlResources.load("sis/roster-students-unchanged");
    /** A class's school year, an expression of the class's row ({@code ${class}}) and its SIS ({@code ${source}}). */
    private static final String CLASS_SCHOOL_YEAR = SqlResources.load("sis/class-school-year");
    /** The roster's upsert of the students a users file gives (sis/roster-students.sql's {@code ${upsert}}). */
    private static final String ROSTER_UPSERT = SqlResources.load("sis/roster-students-upsert");

    /**
     * The largest tables of a bundle: their first rows are loaded before their keys, indexes and foreign keys are made
     * ({@link FirstRows#insertBeforeKeys}; the roster's first students too, {@link #firstStudents}).
     */
    private static final Set<String> KEYS_MADE_AFTER_FIRST_ROWS = Set.of("sis_enrollment", "sis_demographics", "sis_user");
    /** Staged rows from which making the keys after the rows pays ({@link FirstRows#KEYS_MADE_AFTER_ROWS}). */
    static final long KEYS_MADE_AFTER_ROWS = FirstRows.KEYS_MADE_AFTER_ROWS;

    private final SchoolYears schoolYears;
    private final long keysMadeAfterRows;

    RosterPublisher(SchoolYears schoolYears) {
        this(schoolYears, KEYS_MADE_AFTER_ROWS);
    }

    /** @param keysMadeAfterRows staged rows from which a table's first rows are loaded before its keys */
    RosterPublisher(SchoolYears schoolYears, long keysMadeAfterRows) {
        this.schoolYears = schoolYears;
        this.keysMadeAfterRows = keysMadeAfterRows;
    }

    /**
     * Publishes the bundle's files (users last, with the roster) and what is derived from them.
     *
     * @param stateIdsRepeat whether two staged users may have the same state ID ({@link RosterStaging#STATE_IDS}):
     *                       otherwise the roster takes each staged student as it is, without choosing among them
     */
    void publish(Connection c, String feed, long deliveryId, BundleManifest m, LineSets.Import lines,
                 TableChanges changes, boolean stateIdsRepeat) throws SQLException {
        long tp = System.nanoTime();
        publishFiles(c, feed, deliveryId, m, lines, changes);
        ImportSteps.timed(tp, "publish");
        analyzePublished(c, m, false, changes);
        derive(c, feed, deliveryId, m, lines, changes, stateIdsRepeat);
    }

    /**
     * Bulk: the source's rows of the kind that the file no longer has are deleted, the others upserted
     * (an unchanged row is not rewritten). Delta: {@code tobedeleted} rows are deleted, the others
     * upserted unless older than what is stored.
     */
    private void publishFiles(Connection c, String feed, long deliveryId, BundleManifest m, LineSets.Import lines,
                              TableChanges changes) throws SQLException {
        for (FileSpec f : OneRosterSpec.FILES) {
            if (!f.name().equals("users")) {   // users last, once their students are on the roster (derive)
                publishFile(c, feed, deliveryId, m, f, lines, changes);
            }
            if (f.name().equals("academicSessions")) {
                // (before the classes, which are published with their school years)
                sessionSchoolYears(c, feed, changes);
            }
        }
    }

    /**
     * The sessions' school years: a session's is its schoolYear parent's (else its own) dates' school year (the
     * expressions are SchoolYears', the one owner of school-year naming). The sessions it changes count as changed.
     */
    private void sessionSchoolYears(Connection c, String feed, TableChanges changes) throws SQLException {
        String year = "coalesce((select " + schoolYears.sqlOf("p.start_date") + " from sis_academic_session p where"
                + " p.sis_source = s.sis_source and p.sourced_id = s.parent_sourced_id and p.type = 'schoolYear'), "
                + schoolYears.sqlOf("s.start_date") + ", " + schoolYears.sqlOfEndingYear("s.school_year_number") + ")";
        changes.rows("sis_academic_session", ImportSteps.update(c, feed, "update sis_academic_session s set school_year = "
                + year + " where s.sis_source = ?1 and s.school_year is distinct from " + year));
    }

    /**
     * A bulk file staged as the delta it is ({@link LineSets}: its new and changed lines, its gone rows as
     * {@code tobedeleted}) is published as a delta without the date comparison: what a bulk file would do.
     */
    private void publishFile(Connection c, String feed, long deliveryId, BundleManifest m, FileSpec f,
                             LineSets.Import lines, TableChanges changes) throws SQLException {
        String mode = m.modes.get(f.name());
        if (f.table() == null || mode == null || f.columns(m.version) == null) {
            return;
        }
        String t = f.table();
        List<String> cols = new ArrayList<>(f.publishedColumns());
        List<String> select = new ArrayList<>(cols.stream().map(col -> "s." + col).toList());
        String from = f.stageTable() + " s";
        if (t.equals("sis_class")) {
            // each class with its school year (its sessions' and course's are published before it): not written twice
            cols.add("school_year");
            select.add(CLASS_SCHOOL_YEAR.replace("${class}", "s")
                    .replace("${source}", org.credentialhub.intake.Intake.feedLiteral(feed)));
        }
        if (t.equals("sis_user")) {
            // 1.2: the role (and org) from roles.csv, and the roster's student: all in the one write
            select.set(cols.indexOf("role"), "coalesce(s.role, r.role)");
            select.set(cols.indexOf("primary_org_sourced_id"), "case when s.role is null then coalesce("
                    + "s.primary_org_sourced_id, r.org_sourced_id) else s.primary_org_sourced_id end");
            cols.add("student_id");
            select.add("st.student_id");
            // (a file's changed lines alone: each student looked up by its key, not the roster read whole)
            from += (lines.isConverted(f.name()) ? " left join lateral (select x.student_id from student x where"
                    + " x.state_id_hash = s.state_id_hash offset 0) st on true" : " left join student st on st.state_id_hash"
                    + " = s.state_id_hash") + " left join (" + ROLE_OF_USER
                    .replace("?1", org.credentialhub.intake.Intake.feedLiteral(feed)) + ") r on r.user_sourced_id = s.sourced_id";
        }
        List<String> compared = cols.stream().filter(col -> !col.equals("sourced_id")).toList();
        String set = compared.stream().map(col -> col + " = excluded." + col).collect(Collectors.joining(", "));
        String changed = "(" + compared.stream().map(col -> t + "." + col).collect(Collectors.joining(", "))
                + ") is distinct from (" + compared.stream().map(col -> "excluded." + col).collect(Collectors.joining(", ")) + ")";
        // a bulk file: see bulkByDifference; a delta: its tobedeleted rows deleted, the others upserted unless older
        String delete = "delete from " + t + " t using " + f.stageTable()
                + " s where t.sis_source = ? and t.sourced_id = s.sourced_id and s.status = 'tobedeleted'";
        boolean asDelta = mode.equals("delta") || lines.isConverted(f.name());
        String when = !mode.equals("delta") ? changed : changed + " and (" + t + ".date_last_modified is null"
                + " or excluded.date_last_modified is null or excluded.date_last_modified >= " + t + ".date_last_modified)";
        long t0 = System.nanoTime();
        String insert = "insert into " + t + " (sis_source, delivery_id, " + String.join(", ", cols) + ") select ?, ?, "
                + String.join(", ", select) + " from " + from + " where s.status <> 'tobedeleted'";
        if (firstRowsOfTable(c, f)) {
            changes.rows(t, FirstRows.insertBeforeKeys(c, t, () -> {
                try (PreparedStatement ps = c.prepareStatement(insert)) {
                    ps.setString(1, feed);
                    ps.setLong(2, deliveryId);
                    return ps.executeUpdate();
                }
            }));
            changes.firstRows(t);
            ImportSteps.timed(t0, "publish " + t + " (first rows of the table; keys made after them)");
            return;
        }
        boolean empty;
        if (!asDelta) {
            if (!empty(c, t, feed)) {
                bulkByDifference(c, feed, deliveryId, t, cols, select, from, set, when, changes);
                ImportSteps.timed(t0, "publish " + t);
                return;
            }
            empty = true;   // a bulk file for a source without rows: nothing to delete
        } else {
            if (!lines.isConverted(f.name()) || lines.deletes(f.name())) {
                try (PreparedStatement ps = c.prepareStatement(delete)) {
                    ps.setString(1, feed);
                    int deleted = ps.executeUpdate();
                    changes.rows(t, deleted);
                    if (deleted > 0) {
                        changes.lost(t);
                    }
                }
            }
            empty = empty(c, t, feed);
        }
        // the source has none of these rows (a first load, or all deleted above): a plain insert, no
        // per-row conflict check (sourcedIds are unique in the file: checked before publishing)
        // (a bulk file staged as a delta has its changed lines alone: nothing unchanged to leave out)
        boolean leaveOut = !empty && !lines.isConverted(f.name());
        try (PreparedStatement ps = c.prepareStatement(insert + (empty ? "" : (leaveOut ? unchangedLeftOut(t, cols, select)
                : "") + " on conflict (sis_source, sourced_id) do update set "
                + set + ", delivery_id = excluded.delivery_id where " + when))) {
            ps.setString(1, feed);
            ps.setLong(2, deliveryId);
            if (leaveOut) {
                ps.setString(3, feed);
            }
            changes.rows(t, ps.executeUpdate());
        }
        ImportSteps.timed(t0, "publish " + t);
    }

    /** The sourcedIds a bulk file changes in a table: gone from the file, or new or changed in it. */
    private static final org.credentialhub.store.Scratch.Table PUBLISH_DIFF =
            new org.credentialhub.store.Scratch.Table("sis_publish_diff", "sourced_id text, gone boolean");

    /** Whether the source has no rows in the table. */
    private static boolean empty(Connection c, String table, String feed) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select not exists (select 1 from " + table
                + " where sis_source = ?)")) {
            ps.setString(1, feed);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * A bulk file for a source that has rows in the table: one hashed full join of the file's rows with the
     * source's stored rows finds both the stored rows the file no longer has (deleted) and the file's rows that
     * are new or differ from the stored ones (upserted); the rows stored exactly as the file has them are not
     * touched. The same result as deleting what the file lacks and then upserting what changed, but with one
     * pass over both instead of two anti-joins (a bulk with 1 % changed: most of its time).
     */
    private static void bulkByDifference(Connection c, String feed, long deliveryId, String t, List<String> cols,
                                         List<String> select, String from, String set, String when,
                                         TableChanges changes) throws SQLException {
        List<String> incoming = new ArrayList<>();
        List<String> stored = new ArrayList<>();
        List<String> in = new ArrayList<>();
        List<String> st = new ArrayList<>();
        for (int i = 0; i < cols.size(); i++) {
            incoming.add(select.get(i) + " as " + cols.get(i));
            stored.add("x." + cols.get(i));
            if (!cols.get(i).equals("sourced_id")) {
                in.add("s." + cols.get(i));
                st.add("x." + cols.get(i));
            }
        }
        org.credentialhub.store.Scratch.ensure(c, PUBLISH_DIFF);
        try (Statement s = c.createStatement()) {
            s.execute("delete from sis_publish_diff");   // the previous table's, in this import's transaction
        }
        String diff = "insert into sis_publish_diff select coalesce(s.sourced_id, x.sourced_id), s.present is null"
                + " from (select true as present, " + String.join(", ", incoming) + " from " + from
                + " where s.status <> 'tobedeleted') s full join (select " + String.join(", ", stored) + " from " + t
                + " x where x.sis_source = ?) x on x.sourced_id = s.sourced_id"
                + " where s.present is null or x.sourced_id is null"
                + " or (" + String.join(", ", st) + ") is distinct from (" + String.join(", ", in) + ")";
        long changed;
        try (PreparedStatement ps = c.prepareStatement(diff)) {
            ps.setString(1, feed);
            changed = ps.executeUpdate();
        }
        changes.rows(t, changed);
        if (changed == 0) {
            return;
        }
        try (Statement s = c.createStatement()) {
            s.execute("analyze sis_publish_diff");
        }
        int deleted;
        try (PreparedStatement ps = c.prepareStatement("delete from " + t + " t using sis_publish_diff d"
                + " where t.sis_source = ? and t.sourced_id = d.sourced_id and d.gone")) {
            ps.setString(1, feed);
            deleted = ps.executeUpdate();
        }
        if (deleted > 0) {
            changes.lost(t);
        }
        try (PreparedStatement ps = c.prepareStatement("insert into " + t + " (sis_source, delivery_id, "
                + String.join(", ", cols) + ") select ?, ?, " + String.join(", ", select) + " from " + from
                + " where s.status <> 'tobedeleted' and s.sourced_id in (select d.sourced_id from sis_publish_diff d"
                + " where not d.gone) on conflict (sis_source, sourced_id) do update set " + set
                + ", delivery_id = excluded.delivery_id where " + when)) {
            ps.setString(1, feed);
            ps.setLong(2, deliveryId);
            ps.executeUpdate();
        }
    }

    /**
     * Whether a large file brings the first rows of its table (no source has any: the hub's first roster), for one of
     * the bundle's largest tables. Locks the table against other imports' writes first (readers go on), so that it
     * stays empty until this import commits.
     */
    private boolean firstRowsOfTable(Connection c, FileSpec f) throws SQLException {
        return KEYS_MADE_AFTER_FIRST_ROWS.contains(f.table())
                && firstRows(c, f.stageTable(), f.table(), "share row exclusive mode");
    }

    /**
     * Whether the users file brings the roster's first students (a large file, and no student on the roster: the hub's
     * first roster): they are then inserted before the roster's keys and indexes are made, except its primary key, which
     * other tables' foreign keys stand on. The roster is taken for the rest of the import (readers wait for it, rather
     * than read an empty roster), without waiting: when anyone reads it at this moment, the students are upserted as
     * always. (Should another writer have put students on it between the look and the lock, they are upserted too, the
     * roster then held until the import commits.)
     */
    private boolean firstStudents(Connection c) throws SQLException {
        return firstRows(c, "sis_stage_users", "student", "access exclusive mode nowait");
    }

    /**
     * Whether a staged file of at least {@link #keysMadeAfterRows} rows brings the first rows of an empty table, which
     * {@code lock} ({@code lock table ... in <lock>}) keeps empty until the import commits. A lock taken {@code nowait}
     * that another transaction holds: false, and nothing taken.
     */
    private boolean firstRows(Connection c, String stageTable, String table, String lock) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select reltuples >= " + keysMadeAfterRows
                     + " from pg_class where oid = to_regclass('" + stageTable + "')")) {
            if (!rs.next() || !rs.getBoolean(1)) {
                return false;
            }
        }
        return FirstRows.taken(c, table, lock);
    }

    /**
     * Leaves out the rows stored exactly as the file has them (one hashed anti-join), so the upsert after
     * it only sees new and changed rows: an unchanged row would be left as it is by the upsert anyway, but
     * finding that out row by row through the primary key costs more than the rest of the import.
     */
    private static String unchangedLeftOut(String table, List<String> cols, List<String> select) {
        List<String> stored = new ArrayList<>();
        List<String> incoming = new ArrayList<>();
        for (int i = 0; i < cols.size(); i++) {
            if (!cols.get(i).equals("sourced_id")) {
                stored.add("x." + cols.get(i));
                incoming.add(select.get(i));
            }
        }
        return " and not exists (select 1 from " + table + " x where x.sis_source = ? and x.sourced_id = s.sourced_id"
                + " and (" + String.join(", ", stored) + ") is not distinct from (" + String.join(", ", incoming) + "))";
    }

    /**
     * Fresh planner statistics for the tables a bulk file replaced (a first load would otherwise leave
     * readers, e.g. the views, planning on empty tables until autovacuum gets there), where the rows it changed
     * make them stale ({@link PlannerStatistics#analyzeIfStale}: a tenth of the rows counted): a bulk that changed
     * 1 % of 1,500,000 students' rows had its tables analyzed for several seconds, to the same statistics.
     */
    private static void analyzePublished(Connection c, BundleManifest m, boolean derived, TableChanges changes)
            throws SQLException {
        long t = System.nanoTime();
        for (FileSpec f : OneRosterSpec.FILES) {
            // users are published with the roster (derive): analysed in the second pass
            if (f.table() != null && "bulk".equals(m.modes.get(f.name())) && f.columns(m.version) != null
                    && derived == f.name().equals("users")) {
                PlannerStatistics.analyzeIfStale(c, changes.rows(f.table()), f.table());
            }
        }
        if (derived && "bulk".equals(m.modes.get("users"))) {
            PlannerStatistics.analyzeIfStale(c, changes.rows("student"), "student");
        }
        if (derived && (m.modes.containsKey("resources") || m.modes.containsKey("classResources"))) {
            try (Statement st = c.createStatement()) {
                st.execute("analyze sis_class_credential");
            }
        }
        ImportSteps.timed(t, "analyze");
    }

    /**
     * What the published files give: school years of sessions and classes, the state's districts and schools,
     * the roster's students (with the users file, published here), users' roles and students, demographics.
     */
    private void derive(Connection c, String feed, long deliveryId, BundleManifest m, LineSets.Import lines,
                        TableChanges changes, boolean stateIdsRepeat) throws SQLException {
        boolean delta = "delta".equals(m.modes.get("users"));
        if (m.modes.containsKey("resources") || m.modes.containsKey("classResources")) {
            classCredentials(c, feed, deliveryId);
        }
        // the school years of the classes whose sessions or course changed (the sessions' own: publishFiles; a
        // classes file's rows came with theirs)
        if (changes.rows("sis_academic_session") > 0 || changes.rows("sis_course") > 0) {
            ImportSteps.update(c, feed, classSchoolYears());
        }
        // the state's districts and schools
        ImportSteps.update(c, feed, SqlResources.load("sis/districts"));
        ImportSteps.update(c, feed, SqlResources.load("sis/schools"));
        // the roster: students of this bundle's users file (with a state ID), with their demographics
        // (a staged user's state ID that no other staged user has: each student as staged, without the choice of the
        // last line of each state ID, which sorted the staged students whole: 1,500,000 of them, 456 MB on disk)
        // (the demographics' table holding only the file's rows: their values are the staged ones)
        boolean stagedDemographics = changes.hasOnlyTheFilesRows("sis_demographics");
        String students = SqlResources.load("sis/roster-students").replace("${role_of_user}", ROLE_OF_USER)
                .replace("${d}", stagedDemographics ? "sd" : "d").replace("${stored_demographics}",
                        stagedDemographics ? "" : "left join sis_demographics d on d.sis_source = u.sis_source"
                                + " and d.sourced_id = u.sourced_id")
                .replace("${delta}", delta ? "true" : "false")
                .replace("${distinct_on}", stateIdsRepeat ? "distinct on (u.state_id_hash)" : "")
                .replace("${last_first}", stateIdsRepeat ? "order by u.state_id_hash, u.line desc" : "");
        if (firstStudents(c)) {
            // (in any order, the keys made after them; none is on the roster already, so none is left out as unchanged:
            // that anti-join hashed every staged student, 500 MB for 1,500,000)
            long t0 = System.nanoTime();
            changes.rows("student", FirstRows.insertBeforeKeys(c, "student", () -> ImportSteps.update(c, feed,
                    students.replace("${unchanged_left_out}", "").replace("${order}", "").replace("${upsert}", ""))));
            ImportSteps.timed(t0, "the roster's first students (keys made after them)");
        } else {
            changes.rows("student", ImportSteps.update(c, feed, students.replace("${unchanged_left_out}", ROSTER_UNCHANGED)
                    .replace("${order}", "order by i.state_id_hash").replace("${upsert}", ROSTER_UPSERT)));
        }
        // the users, linked to their students in the same write
        publishFile(c, feed, deliveryId, m, OneRosterSpec.file("users"), lines, changes);
        // statistics now, not after the import: the statements below join these tables (a first load
        // would plan them as empty)
        analyzePublished(c, m, true, changes);
        // 1.2: a user's role and org are in roles.csv (roles delivered without their users)
        ImportSteps.update(c, feed, SqlResources.load("sis/user-roles").replace("${role_of_user}", ROLE_OF_USER));
        // students who came onto the roster otherwise (e.g. by their enrollments of a later delta)
        ImportSteps.update(c, feed, SqlResources.load("sis/user-students"));
        // demographics delivered without their users (a delta): onto the roster through the user's student (none when
        // the users' table holds only the users file's rows, its first: a demographic's user is then one of the file's,
        // whose student came with its demographics; 1.1 s to find none for 1,500,000)
        if (!changes.hasOnlyTheFilesRows("sis_user")) {
            ImportSteps.update(c, feed, SqlResources.load("sis/roster-demographics"));
        }
    }

    /** The update of the source's ({@code ?1}) classes whose school year is not the one stored. */
    static String classSchoolYears() {
        return SqlResources.load("sis/class-school-years").replace("${school_year}",
                CLASS_SCHOOL_YEAR.replace("${class}", "c").replace("${source}", "c.sis_source"));
    }

    /**
     * Rebuilds the source's {@code sis_class_credential}: the distinct (class, vendorResourceId) of its
     * active classResources whose resource is active. Unchanged rows stay as they are.
     */
    private static void classCredentials(Connection c, String feed, long deliveryId) throws SQLException {
        String listed = SqlResources.load("sis/class-credentials");
        ImportSteps.update(c, feed, "delete from sis_class_credential k where k.sis_source = ?1 and (k.class_sourced_id, "
                + "k.credential_code) not in (" + listed + ")");
        ImportSteps.update(c, feed, "insert into sis_class_credential (sis_source, class_sourced_id, credential_code, delivery_id) "
                + "select ?1, l.* , " + deliveryId + " from (" + listed + ") l "
                + "on conflict (sis_source, class_sourced_id, credential_code) do nothing");
    }
}
