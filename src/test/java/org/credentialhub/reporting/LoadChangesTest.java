package org.credentialhub.reporting;

import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a reporting load rebuilds: nothing when nothing changed since the last load (an hour's margin made every
 * load rebuild every year for an hour after any change), and a change written by a transaction that was still open
 * during a load, whose rows that load could not see, in the next one; and of the students' dimensions, only those
 * that changed.
 */
class LoadChangesTest {

    @Test
    void aLoadRebuildsWhatChangedSinceTheLastAndNothingElse() throws Exception {
        try (TestHub hub = Loads.twoDistrictsWithoutScheduledLoads()) {
            ReportingLoad load = hub.runtime.services().reporting;
            load.load("test");
            assertEquals("{2023-2024,2024-2025}", Loads.lastYears(hub), "the first load rebuilds every year");

            load.load("test");
            assertEquals("{}", Loads.lastYears(hub), "nothing changed since the last load");

            // a result changed in a transaction that is still open while a load runs: that load cannot see it,
            // the next one rebuilds its year
            try (Connection c = hub.db().getConnection()) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    st.executeUpdate("update result set updated_at = now() where vendor_candidate_id = 'K4'");
                }
                load.load("test");
                assertEquals("{}", Loads.lastYears(hub), "the change is not committed: nothing to see");
                c.commit();
            }
            load.load("test");
            assertEquals("{2024-2025}", Loads.lastYears(hub), "the change committed after the last load began");

            load.load("test");
            assertEquals("{}", Loads.lastYears(hub));

            // a catalog loaded again (changed) is its school year's alone: the other years stay as they are
            try (Connection c = hub.db().getConnection(); Statement st = c.createStatement()) {
                st.executeUpdate("update catalog_year set loaded_at = now() where state = 'ms' and school_year = '2023-2024'");
            }
            load.load("test");
            assertEquals("{2023-2024}", Loads.lastYears(hub), "the year of the catalog loaded again");
        }
    }

    @Test
    void aLoadRewritesTheDimensionsOfTheStudentsWhoseDimensionsChangedAndNoOthers() throws Exception {
        try (TestHub hub = Loads.twoDistrictsWithoutScheduledLoads()) {
            ReportingLoad load = hub.runtime.services().reporting;
            load.load("test");
            Map<String, String> before = dimensionVersions(hub);
            assertTrue(before.size() > 1, "the fixture's students have dimensions");
            try (Connection c = hub.db().getConnection(); Statement st = c.createStatement()) {
                st.executeUpdate("update student set sex = case when sex = 'F' then 'M' else 'F' end, updated_at = now()"
                        + " where student_id = (select min(student_id) from student)");
            }
            load.load("test");
            assertEquals("{2023-2024,2024-2025}", Loads.lastYears(hub), "a roster change rebuilds every year");
            String changed = String.valueOf(hub.rows("""
                    select p.student_key::text as k from student_pseudonym p
                    where p.student_id = (select min(student_id) from student)""").get(0).get("k"));
            Map<String, String> after = dimensionVersions(hub);
            assertEquals(before.keySet(), after.keySet());
            for (String key : before.keySet()) {
                if (key.equals(changed)) {
                    assertNotEquals(before.get(key), after.get(key), "the changed student's dimensions are written");
                } else {
                    assertEquals(before.get(key), after.get(key), "a student whose dimensions are as they were");
                }
            }
            assertEquals(1, hub.rows("""
                    select 1 from rpt.dim_student d join student_pseudonym p using (student_key)
                    join student s using (student_id) where d.sex is not distinct from s.sex
                      and s.student_id = (select min(student_id) from student)""").size(), "the new sex");
        }
    }

    @Test
    void aLoadLeavesEveryBlockRangeOfTheFactsItWroteSummarized() throws Exception {
        try (TestHub hub = Loads.twoDistrictsWithoutScheduledLoads()) {
            // the facts of a year before take the table's first block ranges, so that the load's facts fill new ones (a
            // table's first range is summarized as it is written, the others only when summarized); the load deletes
            // them, having no result of that year
            try (Connection c = hub.db().getConnection(); Statement st = c.createStatement()) {
                st.executeUpdate("insert into rpt.fact_enrollment (school_year, student_key, course_code) "
                        + "select '2022-2023', gen_random_uuid(), 'C' || g from generate_series(1, 30000) g");
                st.executeUpdate("insert into rpt.fact_potential (school_year, student_key, course_code, credential_code) "
                        + "select '2022-2023', gen_random_uuid(), 'C' || g, 'X' from generate_series(1, 30000) g");
                st.executeUpdate("""
                        insert into rpt.fact_attempt (school_year, student_key, credential_code, attempted_on, passed,
                                                      source, feed_code, result_id)
                        select '2022-2023', gen_random_uuid(), 'X', date '2022-10-01', false, 'vendor', 'x', g
                        from generate_series(1, 30000) g""");
            }
            hub.runtime.services().reporting.load("test");
            assertEquals(0, hub.rows("select 1 from rpt.fact_attempt where school_year = '2022-2023'").size());
            assertTrue(hub.rows("select 1 from rpt.fact_attempt").size() > 0, "the fixture has attempts");
            // a range without a summary is read by every query of a year, even of one that has no facts
            for (String index : java.util.List.of("fact_enrollment_year", "fact_potential_year", "fact_attempt_year")) {
                assertEquals(0, ((Number) hub.rows("select brin_summarize_new_values('rpt." + index + "') as n")
                        .get(0).get("n")).intValue(), index + ": every range summarized by the load");
            }
            try (Connection c = hub.db().getConnection()) {
                assertTrue(Rankings.loaded(c, "2024-2025"));
                assertFalse(Rankings.loaded(c, "2019-2020"), "a year without facts");
            }
        }
    }

    /** Each student's dimension row version (xmin): a row written again has a new one. */
    private static Map<String, String> dimensionVersions(TestHub hub) throws Exception {
        Map<String, String> out = new java.util.HashMap<>();
        for (Map<String, Object> r : hub.rows("select student_key::text as k, xmin::text as v from rpt.dim_student")) {
            out.put((String) r.get("k"), (String) r.get("v"));
        }
        return out;
    }
}
