package org.credentialhub.reporting;

import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a reporting load rebuilds: nothing when nothing changed since the last load (an hour's margin made every
 * load rebuild every year for an hour after any change), and a change written by a transaction that was still open
 * during a load, whose rows that load could not see, in the next one.
 */
class LoadChangesTest {

    @Test
    void aLoadRebuildsWhatChangedSinceTheLastAndNothingElse() throws Exception {
        // no scheduled loads: the test's own are the only ones
        try (TestHub hub = TestHub.start(Map.of("hub.reporting.cron", "0 0 0 1 1 ? 2099"))) {
            Fixtures.twoDistricts(hub);
            ReportingLoad load = hub.runtime.services().reporting;
            load.load("test");
            assertEquals("{2023-2024,2024-2025}", lastYears(hub), "the first load rebuilds every year");

            load.load("test");
            assertEquals("{}", lastYears(hub), "nothing changed since the last load");

            // a result changed in a transaction that is still open while a load runs: that load cannot see it,
            // the next one rebuilds its year
            try (Connection c = hub.db().getConnection()) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    st.executeUpdate("update result set updated_at = now() where vendor_candidate_id = 'K4'");
                }
                load.load("test");
                assertEquals("{}", lastYears(hub), "the change is not committed: nothing to see");
                c.commit();
            }
            load.load("test");
            assertEquals("{2024-2025}", lastYears(hub), "the change committed after the last load began");

            load.load("test");
            assertEquals("{}", lastYears(hub));

            // a catalog loaded again (changed) is its school year's alone: the other years stay as they are
            try (Connection c = hub.db().getConnection(); Statement st = c.createStatement()) {
                st.executeUpdate("update catalog_year set loaded_at = now() where state = 'ms' and school_year = '2023-2024'");
            }
            load.load("test");
            assertEquals("{2023-2024}", lastYears(hub), "the year of the catalog loaded again");
        }
    }

    private static String lastYears(TestHub hub) throws Exception {
        return String.valueOf(hub.rows("select years::text as y from rpt.load_run where trigger = 'test'"
                + " order by load_id desc limit 1").get(0).get("y"));
    }
}
