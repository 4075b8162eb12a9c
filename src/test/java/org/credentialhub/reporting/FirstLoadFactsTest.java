package org.credentialhub.reporting;

import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A first reporting load writes its facts into tables emptied again in its transaction (on the embedded server, whose
 * WAL no replica reads, they are then written without WAL: about a fifth of the NC year's fact inserts), and only
 * then: a later load deletes its years' facts, so that readers see the previous load's until it commits, and a first
 * load while someone reads a fact table does the same instead of waiting. The facts are the same either way.
 */
class FirstLoadFactsTest {

    @Test
    void aFirstLoadWritesIntoFactTablesEmptiedInItsTransactionAndALaterOneDeletes() throws Exception {
        try (TestHub hub = Loads.twoDistrictsWithoutScheduledLoads()) {
            List<Long> before = files(hub);
            List<Map<String, Object>> keysBefore = factKeys(hub);
            ReportingLoad load = hub.runtime.services().reporting;
            load.load("test");
            List<Long> first = files(hub);
            for (int i = 0; i < before.size(); i++) {
                assertNotEquals(before.get(i), first.get(i), ReportingLoad.FACT_TABLES.get(i) + " emptied by the first load");
            }
            Map<String, Long> facts = counts(hub);
            assertTrue(facts.get("fact_earned") > 0, facts.toString());
            // the keyed fact tables' rows written before their keys, which are then built as the schema defines them
            List<Map<String, Object>> keysMade = factKeys(hub);
            assertEquals(3, keysMade.size(), keysMade.toString());
            for (int i = 0; i < keysMade.size(); i++) {
                assertEquals(keysBefore.get(i).get("definition"), keysMade.get(i).get("definition"));
                assertEquals(true, keysMade.get(i).get("valid"), keysMade.get(i).toString());
                assertNotEquals(keysBefore.get(i).get("oid"), keysMade.get(i).get("oid"), "built after the rows: "
                        + keysMade.get(i));
            }

            // a roster change: every year again, into the tables as they are
            try (Connection c = hub.db().getConnection(); Statement st = c.createStatement()) {
                st.executeUpdate("update student set updated_at = now()");
            }
            load.load("test");
            assertEquals("{2023-2024,2024-2025}", Loads.lastYears(hub));
            assertEquals(first, files(hub), "a later load deletes its years' facts: the tables stay");
            assertEquals(facts, counts(hub));
            assertEquals(keysMade, factKeys(hub), "a later load writes into the keys");
        }
    }

    /**
     * The public tables' queries read the facts and dimensions in the load's transaction: each table it wrote has the
     * statistics of its rows, none is planned as never analyzed (estimated from its pages, a year's rows taken for a
     * two-hundredth of them).
     */
    @Test
    void aFirstLoadLeavesTheFactsAndDimensionsItWroteWithTheirStatistics() throws Exception {
        try (TestHub hub = Loads.twoDistrictsWithoutScheduledLoads()) {
            hub.runtime.services().reporting.load("test");
            List<String> tables = new ArrayList<>(ReportingLoad.FACT_TABLES);
            tables.addAll(List.of("fact_credit_award", "dim_student", "dim_course", "dim_credential"));
            for (String t : tables) {
                Map<String, Object> r = hub.rows("select c.reltuples::bigint as counted, (select count(*) from rpt." + t
                        + ") as n from pg_class c where c.oid = 'rpt." + t + "'::regclass").get(0);
                assertEquals(((Number) r.get("n")).longValue(), ((Number) r.get("counted")).longValue(), t + ": " + r);
            }
        }
    }

    @Test
    void aFirstLoadWhileAFactTableIsReadDeletesAsALaterLoadDoes() throws Exception {
        try (TestHub hub = Loads.twoDistrictsWithoutScheduledLoads()) {
            List<Long> before = files(hub);
            try (Connection reader = hub.db().getConnection()) {
                reader.setAutoCommit(false);
                try (Statement st = reader.createStatement()) {
                    st.executeQuery("select count(*) from rpt.fact_combined").close();   // held until it ends
                }
                hub.runtime.services().reporting.load("test");
                reader.commit();
            }
            assertEquals(before, files(hub), "none emptied while one is read");
            assertEquals(uninterruptedFirstLoad(), counts(hub), "the same facts");
        }
    }

    @Test
    void aFirstLoadThatDiesAfterEmptyingItsTablesLeavesThemAsTheyWereAndARerunGivesTheSameFacts() throws Exception {
        try (TestHub hub = Loads.twoDistrictsWithoutScheduledLoads()) {
            List<Long> before = files(hub);
            ReportingLoad dying = hub.runtime.services().reporting;
            dying.failAfter("earned");   // the fact tables emptied and partly written, as a crash would stop it
            assertThrows(IllegalStateException.class, () -> dying.load("test"));
            assertEquals(before, files(hub), "the emptying rolled back with the load");
            assertEquals(0, counts(hub).values().stream().mapToLong(Long::longValue).sum(), "no fact of the failed load");
            dying.failAfter(null);
            dying.load("test");
            assertEquals(uninterruptedFirstLoad(), counts(hub), "the rerun, a first load again, gives the same facts");
        }
    }

    /**
     * A first load writes the students' pseudonyms and dimensions before those tables' keys, which it then makes again
     * as the schema defines them (store.FirstRows): here from one student instead of 10,000. The same rows as a load
     * that writes them into the keys (each student's dimensions, compared by student), the keys and the pseudonyms'
     * foreign key to the roster enforced, and a later load takes the usual path (the keys as they were).
     */
    @Test
    void aFirstLoadWritesPseudonymsAndStudentDimensionsBeforeTheirKeysWhichEndAsTheSchemaDefinesThem() throws Exception {
        List<Map<String, Object>> usual = uninterruptedStudentDimensions();
        try (TestHub hub = Loads.twoDistrictsWithoutScheduledLoads()) {
            List<Map<String, Object>> schema = definitions(hub);
            List<Map<String, Object>> before = keys(hub);
            ReportingLoad load = hub.runtime.services().reporting;
            load.keysMadeAfterRows(1);
            load.load("test");
            assertEquals(schema, definitions(hub), "the same keys, indexes and foreign key");
            List<Map<String, Object>> made = keys(hub);
            assertEquals(before.size(), made.size());
            for (int i = 0; i < before.size(); i++) {
                assertNotEquals(before.get(i).get("oid"), made.get(i).get("oid"), "made again after the rows: " + made.get(i));
            }
            assertEquals(usual, studentDimensions(hub), "each student's dimensions as a load into the keys writes them");
            assertEquals(uninterruptedFirstLoad(), counts(hub), "the same facts");
            long students = ((Number) hub.rows("select count(*) as n from student").get(0).get("n")).longValue();
            assertEquals(students, ((Number) hub.rows("select count(distinct student_key) as n from student_pseudonym")
                    .get(0).get("n")).longValue(), "a pseudonym each, each its own");
            // the foreign key holds (kept through the first rows: its drop took the roster from its readers): a pseudonym
            // names a student on the roster
            java.sql.SQLException orphan = assertThrows(java.sql.SQLException.class, () -> hub.rows(
                    "insert into student_pseudonym (student_id) values (-1) returning student_id"));
            assertEquals("23503", orphan.getSQLState(), orphan.getMessage());

            // a roster change: a later load writes into the tables as they are
            try (Connection c = hub.db().getConnection(); Statement st = c.createStatement()) {
                st.executeUpdate("update student set updated_at = now()");
            }
            load.load("test");
            assertEquals(made, keys(hub), "a later load leaves the keys as they are");
            assertEquals(usual, studentDimensions(hub));
        }
    }

    /**
     * A first load that dies after writing rows before their keys (its pseudonyms and student dimensions; its keyed
     * facts) leaves the keys, and the foreign key, as they were: the drops and builds are its transaction's and go with
     * it; a rerun writes the same rows.
     */
    @Test
    void aFirstLoadThatDiesAfterWritingRowsBeforeTheirKeysLeavesTheKeysAsTheyWere() throws Exception {
        List<Map<String, Object>> usual = uninterruptedStudentDimensions();
        try (TestHub hub = Loads.twoDistrictsWithoutScheduledLoads()) {
            List<Map<String, Object>> schema = definitions(hub);
            List<Map<String, Object>> keys = keys(hub);
            List<Map<String, Object>> factKeys = factKeys(hub);
            ReportingLoad dying = hub.runtime.services().reporting;
            dying.keysMadeAfterRows(1);
            for (String step : List.of("dimensions", "earned", "course-earned")) {
                dying.failAfter(step);   // as a crash would stop it, after the keys were dropped and built again
                assertThrows(IllegalStateException.class, () -> dying.load("test"), step);
                assertEquals(schema, definitions(hub), "after " + step);
                assertEquals(keys, keys(hub), "the keys of before the load, after " + step);
                assertEquals(factKeys, factKeys(hub), "the fact tables' keys of before the load, after " + step);
                assertEquals(0L, ((Number) hub.rows("select count(*) as n from student_pseudonym").get(0).get("n"))
                        .longValue(), "no pseudonym of the failed load, after " + step);
            }
            dying.failAfter(null);
            dying.load("test");
            assertEquals(usual, studentDimensions(hub), "the rerun, a first load again");
            assertEquals(uninterruptedFirstLoad(), counts(hub), "the same facts");
        }
    }

    /**
     * The roster is read while a first load runs: the pseudonyms' foreign key to it is not dropped and made again after
     * their rows (that took the roster, access exclusive, until the load committed: matching, the console and the
     * exception queue waited for the whole load; the NC year's count against truth.csv 14 s).
     */
    @Test
    void aFirstLoadLeavesTheRosterReadableWhileItRuns() throws Exception {
        try (TestHub hub = Loads.twoDistrictsWithoutScheduledLoads()) {
            List<Map<String, Object>> before = keys(hub);
            ReportingLoad load = hub.runtime.services().reporting;
            load.keysMadeAfterRows(1);
            Map<String, Object> read = new java.util.LinkedHashMap<>();
            try (Connection reader = hub.db().getConnection()) {
                load.afterStep(step -> {
                    try (Statement st = reader.createStatement()) {
                        st.execute("set lock_timeout = '500ms'");
                        try (java.sql.ResultSet rs = st.executeQuery("select count(*) from student")) {
                            rs.next();
                            read.put(step, rs.getLong(1));
                        }
                    } catch (java.sql.SQLException e) {
                        read.put(step, e.getSQLState());   // 55P03: the load holds the roster
                    }
                });
                load.load("test");
            } finally {
                load.afterStep(null);
            }
            long students = ((Number) hub.rows("select count(*) as n from student").get(0).get("n")).longValue();
            assertTrue(students > 0);
            assertEquals(List.of("dimensions", "enrollment", "potential", "attempts", "earned", "course-earned",
                    "combined", "credit-awards", "not-enrolled", "public"), new ArrayList<>(read.keySet()));
            read.forEach((step, n) -> assertEquals(students, n, "the roster read after the load's step " + step));
            for (int i = 0; i < before.size(); i++) {
                if ("student_pseudonym".equals(before.get(i).get("table"))) {
                    assertNotEquals(before.get(i).get("oid"), keys(hub).get(i).get("oid"),
                            "the pseudonyms' keys were made after their rows (a first load's path)");
                }
            }
        }
    }

    @Test
    void aFirstLoadWhileThePseudonymsAreReadWritesThemIntoTheirKeys() throws Exception {
        try (TestHub hub = Loads.twoDistrictsWithoutScheduledLoads()) {
            List<Map<String, Object>> before = keys(hub);
            ReportingLoad load = hub.runtime.services().reporting;
            load.keysMadeAfterRows(1);
            try (Connection reader = hub.db().getConnection()) {
                reader.setAutoCommit(false);
                try (Statement st = reader.createStatement()) {
                    st.executeQuery("select count(*) from student_pseudonym").close();   // held until it ends
                }
                load.load("test");
                reader.commit();
            }
            assertEquals(pseudonymKeys(before), pseudonymKeys(keys(hub)),
                    "the pseudonyms' keys as they were (the table was read: not taken)");
            assertEquals(uninterruptedFirstLoad(), counts(hub), "the same facts");
        }
    }

    /** The keys of the keyed fact tables (earned, course-earned, combined), with their definitions and oids. */
    private static List<Map<String, Object>> factKeys(TestHub hub) throws Exception {
        return hub.rows("""
                select i.indrelid::regclass::text as table, i.indexrelid::bigint as oid,
                       pg_get_indexdef(i.indexrelid) as definition, i.indisvalid and i.indisunique as valid
                from pg_index i where i.indrelid in ('rpt.fact_earned'::regclass, 'rpt.fact_course_earned'::regclass,
                                                     'rpt.fact_combined'::regclass)
                order by 1, 3""");
    }

    /** The keys and indexes of the pseudonyms and the student dimensions, in a fixed order, with their oids. */
    private static List<Map<String, Object>> keys(TestHub hub) throws Exception {
        return hub.rows("""
                select c.relname as table, i.indexrelid::regclass::text as name, i.indexrelid::bigint as oid
                from pg_index i join pg_class c on c.oid = i.indrelid
                where i.indrelid in ('student_pseudonym'::regclass, 'rpt.dim_student'::regclass)
                order by c.relname desc, 2""");
    }

    private static List<Map<String, Object>> pseudonymKeys(List<Map<String, Object>> keys) {
        List<Map<String, Object>> out = keys.stream().filter(k -> "student_pseudonym".equals(k.get("table"))).toList();
        assertEquals(2, out.size(), keys.toString());
        return out;
    }

    /** The definitions of the pseudonyms' and student dimensions' constraints and indexes. */
    private static List<Map<String, Object>> definitions(TestHub hub) throws Exception {
        return hub.rows("""
                select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as definition,
                       convalidated as checked
                from pg_constraint where conrelid in ('student_pseudonym'::regclass, 'rpt.dim_student'::regclass)
                union all
                select indrelid::regclass::text, indexrelid::regclass::text, pg_get_indexdef(indexrelid), indisvalid
                from pg_index where indrelid in ('student_pseudonym'::regclass, 'rpt.dim_student'::regclass)
                order by 1, 2, 3""");
    }

    /** Each student's dimensions, by the roster's student (the pseudonyms themselves are random). */
    private static List<Map<String, Object>> studentDimensions(TestHub hub) throws Exception {
        return hub.rows("""
                select s.state_id_hash, d.sex, d.grade, d.hispanic_or_latino, d.race, d.economically_disadvantaged,
                       d.multilingual_learner, d.student_with_disability
                from student s join student_pseudonym p using (student_id) join rpt.dim_student d using (student_key)
                order by 1""");
    }

    /** Each student's dimensions after an uninterrupted first load into the keys (the same each time: read once). */
    private static List<Map<String, Object>> usualDimensions;

    private static synchronized List<Map<String, Object>> uninterruptedStudentDimensions() throws Exception {
        if (usualDimensions == null) {
            try (TestHub hub = Loads.twoDistrictsWithoutScheduledLoads()) {
                hub.runtime.services().reporting.load("test");
                usualDimensions = studentDimensions(hub);
            }
        }
        return usualDimensions;
    }

    /** The facts of an uninterrupted first load of the fixture (the same each time: counted once). */
    private static Map<String, Long> firstLoadFacts;

    private static synchronized Map<String, Long> uninterruptedFirstLoad() throws Exception {
        if (firstLoadFacts == null) {
            try (TestHub hub = Loads.twoDistrictsWithoutScheduledLoads()) {
                hub.runtime.services().reporting.load("test");
                firstLoadFacts = counts(hub);
            }
        }
        return firstLoadFacts;
    }

    /** The fact tables' files (relfilenode), in the order of {@link ReportingLoad#FACT_TABLES}. */
    private static List<Long> files(TestHub hub) throws Exception {
        List<Long> out = new ArrayList<>();
        for (String t : ReportingLoad.FACT_TABLES) {
            out.add(((Number) hub.rows("select relfilenode from pg_class where oid = 'rpt." + t + "'::regclass")
                    .get(0).get("relfilenode")).longValue());
        }
        return out;
    }

    private static Map<String, Long> counts(TestHub hub) throws Exception {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (String t : ReportingLoad.FACT_TABLES) {
            out.put(t, ((Number) hub.rows("select count(*) as n from rpt." + t).get(0).get("n")).longValue());
        }
        return out;
    }
}
