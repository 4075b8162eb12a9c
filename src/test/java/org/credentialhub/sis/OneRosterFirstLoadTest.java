package org.credentialhub.sis;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A first load loads its largest tables' rows before their keys, indexes and foreign keys, then makes them again
 * (store.FirstRows.insertBeforeKeys): here from one staged row instead of 100,000. The tables end with the schema's
 * own definitions, checked and enforced, and the next bulk takes the usual path.
 */
class OneRosterFirstLoadTest extends OneRosterTestCase {
    private static final List<String> TABLES = List.of("sis_user", "sis_enrollment", "sis_demographics", "student");
    private static final String IN_TABLES = TABLES.stream().map(t -> "'" + t + "'")
            .collect(java.util.stream.Collectors.joining(", ", "(", ")"));

    OneRosterFirstLoadTest() {
        super("oneroster-first-load");
    }

    /** Each test starts from an empty roster and SIS data (the class's database is shared). */
    @BeforeEach
    void emptyRoster() throws SQLException {
        execute("truncate student, sis_academic_session, sis_org, sis_course, sis_class, sis_user, sis_role, sis_enrollment,"
                + " sis_demographics, sis_resource, sis_class_resource, sis_class_credential, sis_line_set cascade");
    }

    @Test
    void theFirstRowsComeBeforeTheKeysWhichEndAsTheSchemaDefinesThem() throws Exception {
        OneRosterImport firstRowsFirst = firstRowsFirst();
        Path bulk = bundle("bulk", 5);
        List<String> schema = definitions();
        List<String> oids = oids();
        List<Long> files = files();

        Verdict first = firstRowsFirst.importBundle(bulk);
        assertTrue(first.accepted(), () -> first.problems().toString());
        // the tables were emptied again in the import (new files: written without WAL on a server without replicas);
        // the roster too, with the tables whose foreign keys name it, all empty
        List<Long> refilled = files();
        for (int i = 0; i < TABLES.size(); i++) {
            assertNotEquals(files.get(i), refilled.get(i), "a new file for " + TABLES.get(i));
        }
        assertEquals(schema, definitions(), "the same keys, indexes and foreign keys, all checked");
        List<String> remade = oids();
        for (int i = 0; i < oids.size(); i++) {
            if (rostersKey(schema.get(i))) {
                // the roster's primary key stays: other tables' foreign keys stand on it
                assertEquals(oids.get(i), remade.get(i), "kept: " + schema.get(i));
            } else {
                assertNotEquals(oids.get(i), remade.get(i), "made again after the rows: " + schema.get(i));
            }
        }
        assertEquals(200, count("select count(*) from student"));
        assertEquals(200, count("select count(*) from sis_user where student_id is not null"));
        // each student with its demographics (taken from the staged file: the table holds only its rows)
        assertEquals(200, count("select count(*) from student s join sis_user u on u.student_id = s.student_id"
                + " join sis_demographics d on d.sis_source = u.sis_source and d.sourced_id = u.sourced_id"
                + " where s.birth_date is not null and s.sex is not null and (s.sex, s.american_indian_or_alaska_native,"
                + " s.asian, s.black_or_african_american, s.native_hawaiian_or_other_pacific_islander, s.white,"
                + " s.two_or_more_races, s.hispanic_or_latino, s.economically_disadvantaged, s.multilingual_learner,"
                + " s.student_with_disability) is not distinct from (d.sex, d.american_indian_or_alaska_native, d.asian,"
                + " d.black_or_african_american, d.native_hawaiian_or_other_pacific_islander, d.white, d.two_or_more_races,"
                + " d.hispanic_or_latino, d.economically_disadvantaged, d.multilingual_learner, d.student_with_disability)"));
        // the roster's unique key made again holds: a second student with a state ID's hash is refused
        SQLException twice = assertThrows(SQLException.class, () -> execute(
                "insert into student (state_id_hash) select state_id_hash from student limit 1"));
        assertTrue(twice.getMessage().contains("student_state_id_hash_key"), twice.getMessage());
        assertEquals(600, count("select count(*) from sis_enrollment"));
        assertEquals(200, count("select count(*) from sis_demographics"));
        // the foreign key made again holds: a user of no student is refused
        SQLException refused = assertThrows(SQLException.class, () -> execute(
                "update sis_user set student_id = -1 where sourced_id = 'usr-7'"));
        assertTrue(refused.getMessage().contains("sis_user_student_id_fkey"), refused.getMessage());

        // the tables have rows now: the next bulk upserts them, and the keys stay as they are
        Verdict again = firstRowsFirst.importBundle(bundle("again", 6));
        assertTrue(again.accepted(), () -> again.problems().toString());
        assertEquals(remade, oids());
        assertEquals(schema, definitions());
    }

    @Test
    void aFirstRosterIsNotEmptiedWithTheTablesThatNameItWhenOneHoldsRows() throws Exception {
        // another SIS's user without a student: the users' table names the roster, and truncate would take the row
        execute("insert into sis_user (sis_source, sourced_id, status, role, delivery_id) values ('other-sis', 't-1',"
                + " 'active', 'teacher', 1)");
        List<Long> files = files();
        Verdict first = firstRowsFirst().importBundle(bundle("kept", 12));
        assertTrue(first.accepted(), () -> first.problems().toString());
        assertEquals(200, count("select count(*) from student"));
        assertEquals(1, count("select count(*) from sis_user where sis_source = 'other-sis'"));
        assertEquals(files.get(TABLES.indexOf("student")), files().get(TABLES.indexOf("student")), "the roster's file");
    }

    @Test
    void aFirstRosterIsNotEmptiedWhileATableThatNamesItIsRead() throws Exception {
        List<Long> files = files();
        try (Connection reader = java.sql.DriverManager.getConnection(db.jdbcUrl(), "postgres", "")) {
            reader.setAutoCommit(false);
            try (Statement st = reader.createStatement()) {
                st.executeQuery("select count(*) from match_crosswalk").close();   // held for reading until it ends
            }
            Verdict first = firstRowsFirst().importBundle(bundle("crosswalk-read", 13));
            assertTrue(first.accepted(), () -> first.problems().toString());
            reader.rollback();
        }
        assertEquals(200, count("select count(*) from student"));
        assertEquals(files.get(TABLES.indexOf("student")), files().get(TABLES.indexOf("student")), "the roster's file");
    }

    @Test
    void aFirstLoadsUnknownReferencesAreWarnedOfAtTheirLines() throws Exception {
        // the first rows' tables are asked whether any row names what the SIS lacks; the lines are then looked up
        Path bulk = bundle("dangling", 14);
        editLines(bulk.resolve("enrollments.csv"), lines -> {
            lines.set(4, lines.get(4).replaceFirst(",cls-[0-9]+-[0-9]+,", ",cls-gone,"));
            lines.set(9, lines.get(9).replaceFirst(",org-s[0-9]+,", ",org-gone,"));
            lines.set(11, lines.get(11).replaceFirst(",usr-[0-9]+,", ",usr-gone,"));
        });
        editLines(bulk.resolve("demographics.csv"), lines -> lines.set(6, lines.get(6).replaceFirst("^usr-[0-9]+,", "usr-gone,")));

        Verdict v = firstRowsFirst().importBundle(bulk);
        assertTrue(v.accepted(), () -> v.problems().toString());
        assertEquals(List.of("enrollments.csv 5 classSourcedId", "enrollments.csv 12 userSourcedId",
                        "enrollments.csv 10 schoolSourcedId", "demographics.csv 7 sourcedId"),
                v.warnings().stream().filter(p -> p.message().contains("not in this SIS's data"))
                        .map(p -> p.file() + " " + p.line() + " " + p.column()).toList(), v::toString);
        assertEquals(600, count("select count(*) from sis_enrollment"));
    }

    @Test
    void theQuestionWhetherAnyReferenceIsUnknownIsPlannedForEveryRowNotForAFirstOne() throws Exception {
        // 200,000 enrollments of 20,000 classes, all known, whose statistics (as a sample of a large table may) estimate
        // more distinct classes named than there are: some unknown. Asked as exists, the question was planned to find a
        // first unknown row soonest, a nested loop of an index look-up per enrollment (a first load of 6,000,000: 19.7 s
        // instead of 1.8 s); counted, it is the hashed anti-join
        execute("insert into sis_class (sis_source, sourced_id, status, delivery_id) select 'plan', 'cls-' || n, 'active', 1"
                + " from generate_series(1, 20000) n");
        execute("insert into sis_enrollment (sis_source, sourced_id, status, class_sourced_id, delivery_id)"
                + " select 'plan', 'enr-' || n, 'active', 'cls-' || (1 + n % 20000), 1 from generate_series(1, 200000) n");
        try {
            execute("alter table sis_enrollment alter column class_sourced_id set (n_distinct = 25000)");
            execute("analyze sis_class, sis_enrollment");
            OneRosterSpec.Ref classes = OneRosterSpec.REFERENCES.stream().filter(r -> r.file().equals("enrollments")
                    && r.column().equals("classSourcedId")).findFirst().orElseThrow();
            String question = RosterChecks.anyUnknownSql(classes, "sis_enrollment").replace("?1", "'plan'");
            String plan = plan(question);
            assertTrue(plan.contains("Hash Anti Join") && !plan.contains("Nested Loop"), plan);
            assertEquals("f", string(question));
            execute("update sis_enrollment set class_sourced_id = 'cls-gone' where sourced_id = 'enr-7'");
            assertEquals("t", string(question));
        } finally {
            execute("alter table sis_enrollment alter column class_sourced_id reset (n_distinct)");
        }
    }

    private String plan(String sql) throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (java.sql.Connection c = db.dataSource().getConnection(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("explain " + sql)) {
            while (rs.next()) {
                plan.append(rs.getString(1)).append('\n');
            }
        }
        return plan.toString();
    }

    @Test
    void aRosterSomeoneReadsIsUpsertedAsAlwaysWithoutWaitingForTheReader() throws Exception {
        OneRosterImport firstRowsFirst = firstRowsFirst();
        Path bulk = bundle("read", 8);
        List<String> oids = oids();
        List<String> schema = definitions();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        // connections of their own: the import takes the pool's
        try (Connection reader = java.sql.DriverManager.getConnection(db.jdbcUrl(), "postgres", "");
             Connection watcher = java.sql.DriverManager.getConnection(db.jdbcUrl(), "postgres", "");
             Statement watch = watcher.createStatement()) {
            reader.setAutoCommit(false);
            try (Statement st = reader.createStatement()) {
                st.executeQuery("select count(*) from student").close();   // holds the roster for reading until it ends
            }
            java.util.concurrent.Future<Verdict> importing = pool.submit(() -> firstRowsFirst.importBundle(bulk));
            // the import does not wait for the reader at all: the users' foreign key to the roster, which the reader
            // holds, stays as it is (dropping it to make it again after the users took the roster, access exclusive;
            // the import then waited for the reader, and every reader after it for the import: FirstRows.OWN_ALREADY)
            Verdict first = importing.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(first.accepted(), () -> first.problems().toString());
            try (ResultSet rs = watch.executeQuery("select count(*) from pg_locks l join pg_stat_activity a using (pid)"
                    + " where a.datname = current_database() and l.relation = 'student'::regclass and l.granted")) {
                rs.next();
                assertTrue(rs.getLong(1) > 0, "the reader still held the roster when the import ended");
            }
            reader.rollback();
        } finally {
            pool.shutdownNow();
        }
        assertEquals(200, count("select count(*) from student"));
        assertEquals(schema, definitions());
        List<String> after = oids();
        for (int i = 0; i < oids.size(); i++) {
            if (onRoster(schema.get(i))) {
                assertEquals(oids.get(i), after.get(i), "the roster's keys untouched: " + schema.get(i));
            }
        }
    }

    @Test
    void aStateIdTwiceInTheUsersFileKeepsItsLastLineAndIsWarnedOfOnAFirstRosterAndAnUpsertedOne() throws Exception {
        List<OneRosterImport> importers = List.of(firstRowsFirst(), importer);
        for (int i = 0; i < importers.size(); i++) {
            // no state ID twice: every student as staged (the roster's statement without its choice among them)
            emptyRoster();
            Verdict distinct = importers.get(i).importBundle(bundle("distinct" + i, 10 + i));
            assertTrue(distinct.accepted(), () -> distinct.problems().toString());
            assertEquals(200, count("select count(*) from student"));
            assertEquals(0, distinct.warnings().stream().filter(p -> "identifier".equals(p.column())).count());

            // usr-10 given usr-30's state ID: the later line's student is the roster's, and both lines are warned of
            emptyRoster();
            Path twice = bundle("twice" + i, 20 + i);
            Path users = twice.resolve("users.csv");
            java.nio.file.Files.write(users, java.nio.file.Files.readAllLines(users).stream()
                    .map(l -> l.startsWith("usr-10,") ? l.replace("{state:" + SyntheticBundle.stateId(10) + "}",
                            "{state:" + SyntheticBundle.stateId(30) + "}") : l).toList());
            Verdict v = importers.get(i).importBundle(twice);
            assertTrue(v.accepted(), () -> v.problems().toString());
            assertEquals(199, count("select count(*) from student"));
            assertEquals(0, count("select count(*) from student where sourced_id = 'usr-10'"));
            assertEquals(1, count("select count(*) from student where sourced_id = 'usr-30'"));
            assertEquals(List.of(12, 32), v.warnings().stream().filter(p -> "identifier".equals(p.column()))
                    .map(Problem::line).toList(), v.toString());
        }
    }

    @Test
    void aDateTimePostgresqlWouldRefuseIsItsRowsErrorAndNothingIsPublished() throws Exception {
        // staged in COPY's binary format, where the server no longer reads the text: the offset is checked before
        Path bad = bundle("offset", 11);
        Path users = bad.resolve("users.csv");
        java.nio.file.Files.write(users, java.nio.file.Files.readAllLines(users).stream()
                .map(l -> l.startsWith("usr-7,") ? l.replace("2024-08-01T00:00:00Z", "2024-08-01T00:00:00+16") : l)
                .toList());
        Verdict v = importer.importBundle(bad);
        assertTrue(!v.accepted(), v.toString());
        List<Problem> errors = v.problems().stream().filter(p -> p.severity() == Problem.Severity.ERROR).toList();
        assertEquals(1, errors.size(), errors.toString());
        assertEquals("users.csv", errors.get(0).file());
        assertEquals(9, errors.get(0).line());
        assertEquals("dateLastModified", errors.get(0).column());
        assertTrue(errors.get(0).message().contains("time zone offset"), errors.get(0).message());
        assertEquals(0, count("select count(*) from student"));
        assertEquals(0, count("select count(*) from sis_user"));
    }

    /** The tables' files (relfilenode), in the order of {@link #TABLES}. */
    private List<Long> files() throws SQLException {
        List<Long> out = new ArrayList<>();
        for (String t : TABLES) {
            out.add(count("select relfilenode from pg_class where oid = '" + t + "'::regclass"));
        }
        return out;
    }

    /** An importer that loads a table's first rows before its keys from one staged row (instead of 10,000). */
    private OneRosterImport firstRowsFirst() {
        return new OneRosterImport(db.dataSource(), SisTestDb.HMAC, 7, OneRosterImport.defaultStateIdTypes(), 1);
    }

    /** A synthetic bulk bundle of 200 students with 3 enrollments each, in a folder of its own. */
    private Path bundle(String name, long seed) throws java.io.IOException {
        Path bundle = dir.resolve(name);
        SyntheticBundle.write(bundle, 200, 3, seed);
        return bundle;
    }

    /** Whether a definition ({@link #definitions}) is of the roster's primary key (its constraint or its index). */
    private static boolean rostersKey(String definition) {
        return definition.contains("student_pkey");
    }

    /** Whether a definition is of the roster's own keys and indexes. */
    private static boolean onRoster(String definition) {
        return definition.startsWith("student ") || definition.contains("ON public.student ");
    }

    /** Every key, index and foreign key of the tables, as defined, with whether it is checked. */
    private List<String> definitions() throws SQLException {
        return column("""
                select conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated
                from pg_constraint where conrelid::regclass::text in TABLES_
                  and contype in ('p', 'u', 'f')
                union all
                select pg_get_indexdef(indexrelid) || ' ' || indisvalid from pg_index
                where indrelid::regclass::text in TABLES_
                order by 1""".replace("TABLES_", IN_TABLES));
    }

    private List<String> oids() throws SQLException {
        return column("""
                select oid::text from (
                  select conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated as d, oid
                  from pg_constraint where conrelid::regclass::text in TABLES_
                    and contype in ('p', 'u', 'f')
                  union all
                  select pg_get_indexdef(indexrelid) || ' ' || indisvalid, indexrelid from pg_index
                  where indrelid::regclass::text in TABLES_) x
                order by d""".replace("TABLES_", IN_TABLES));
    }

    private List<String> column(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        assertTrue(out.size() >= TABLES.size() + 2, out.toString());
        return out;
    }
}
