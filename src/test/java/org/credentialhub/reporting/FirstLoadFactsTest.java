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
            ReportingLoad load = hub.runtime.services().reporting;
            load.load("test");
            List<Long> first = files(hub);
            for (int i = 0; i < before.size(); i++) {
                assertNotEquals(before.get(i), first.get(i), ReportingLoad.FACT_TABLES.get(i) + " emptied by the first load");
            }
            Map<String, Long> facts = counts(hub);
            assertTrue(facts.get("fact_earned") > 0, facts.toString());

            // a roster change: every year again, into the tables as they are
            try (Connection c = hub.db().getConnection(); Statement st = c.createStatement()) {
                st.executeUpdate("update student set updated_at = now()");
            }
            load.load("test");
            assertEquals("{2023-2024,2024-2025}", Loads.lastYears(hub));
            assertEquals(first, files(hub), "a later load deletes its years' facts: the tables stay");
            assertEquals(facts, counts(hub));
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
