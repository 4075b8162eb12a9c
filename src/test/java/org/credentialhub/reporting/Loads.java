package org.credentialhub.reporting;

import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;

import java.util.Map;

/** What the reporting load's tests share: a hub of two districts whose loads run only when a test runs them. */
final class Loads {
    private Loads() {
    }

    /** {@link Fixtures#twoDistricts} on a hub whose scheduled load never fires (2099). */
    static TestHub twoDistrictsWithoutScheduledLoads() throws Exception {
        TestHub hub = TestHub.start(Map.of("hub.reporting.cron", "0 0 0 1 1 ? 2099"));
        try {
            Fixtures.twoDistricts(hub);
            return hub;
        } catch (Exception | Error e) {
            hub.close();
            throw e;
        }
    }

    /** The school years the last load a test ran rebuilt, as PostgreSQL writes an array ({2023-2024,2024-2025}). */
    static String lastYears(TestHub hub) throws Exception {
        return String.valueOf(hub.rows("select years::text as y from rpt.load_run where trigger = 'test'"
                + " order by load_id desc limit 1").get(0).get("y"));
    }
}
