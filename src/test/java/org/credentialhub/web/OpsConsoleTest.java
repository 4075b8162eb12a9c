package org.credentialhub.web;

import com.fasterxml.jackson.databind.JsonNode;
import org.credentialhub.support.ApiClient;
import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the operations console and the exception queue answer, now that their SQL sits with the stages
 * that own the tables (feeds.FeedTable, store.Deliveries, exceptions.QueueView, reporting.ReportingLoad):
 * the same JSON, lateness from the one cadence rule, every read scoped to the caller's district.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpsConsoleTest {
    private TestHub hub;
    private ApiClient ops;
    private ApiClient staff910;

    @BeforeAll
    void start() throws Exception {
        hub = TestHub.start(Map.of());
        Fixtures.twoDistricts(hub);
        ops = ApiClient.signedIn(hub.httpPort, "ops1", Fixtures.PASSWORD);
        staff910 = ApiClient.signedIn(hub.httpPort, "staff910", Fixtures.PASSWORD);
    }

    @AfterAll
    void stop() throws Exception {
        hub.close();
    }

    private static List<String> keys(JsonNode n) {
        List<String> k = new ArrayList<>();
        n.fieldNames().forEachRemaining(k::add);
        return k;
    }

    private JsonNode feed(String code) throws Exception {
        ApiClient.Response r = ops.get("/api/feeds");
        assertEquals(200, r.status());
        for (JsonNode f : r.json().get("feeds")) {
            if (f.get("feed").asText().equals(code)) {
                return f;
            }
        }
        throw new AssertionError("no feed " + code);
    }

    @Test
    void feedsSayWhenTheyAreDueAndLate() throws Exception {
        JsonNode certexam = feed("certexam");
        assertEquals(List.of("feed", "kind", "layout", "description", "cadence", "configured", "last_source",
                "last_received", "last_status", "deliveries", "rows_accepted", "rows_rejected", "quarantined",
                "duplicates", "results", "matched", "match_rate", "open_exceptions", "due_by", "late", "state"), keys(certexam));
        assertFalse(certexam.get("late").asBoolean());
        assertEquals(1, certexam.get("deliveries").asInt());
        JsonNode district = feed("district");
        assertFalse(district.has("due_by"));
        assertFalse(district.get("late").asBoolean());

        // daily: 29 hours after the last delivery it is not late yet (a quarter's grace), at 31 it is
        try (Connection c = hub.db().getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("update delivery set received_at = now() - interval '29 hours' where feed_code = 'certexam'");
            assertFalse(feed("certexam").get("late").asBoolean());
            st.executeUpdate("update delivery set received_at = now() - interval '31 hours' where feed_code = 'certexam'");
            assertTrue(feed("certexam").get("late").asBoolean());
            st.executeUpdate("update delivery set received_at = now() where feed_code = 'certexam'");
        }
    }

    @Test
    void deliveriesAndTheirLineage() throws Exception {
        JsonNode list = ops.get("/api/feeds/certexam/deliveries").json().get("deliveries");
        assertEquals(1, list.size());
        assertEquals(List.of("id", "source", "status", "received", "processed", "rows_read", "rows_accepted",
                "rows_rejected", "reason", "duplicate_of", "size_bytes"), keys(list.get(0)));
        JsonNode d = ops.get("/api/deliveries/" + list.get(0).get("id").asLong()).json();
        assertEquals("certexam", d.get("feed").asText());
        assertEquals(4, d.get("rows").size());
        assertTrue(d.get("rejections").isArray());
        assertEquals(404, ops.get("/api/deliveries/999999").status());
        assertEquals(0, ops.get("/api/quarantine").json().get("deliveries").size());
        assertEquals(1, ops.get("/api/charts/match-rate").json().get("series").size());
        assertEquals(2, ops.get("/api/charts/exceptions-by-district").json().get("bars").size());
        assertTrue(ops.get("/api/charts/attainment-by-district").json().get("bars").isArray());
        assertTrue(ops.get("/api/status").json().get("loads").isArray());
    }

    @Test
    void theQueueIsScopedToTheCallersDistrict() throws Exception {
        JsonNode all = ops.get("/api/exceptions").json();
        assertEquals(List.of("counts", "total", "offset", "limit", "items", "suggest"), keys(all));
        assertEquals(3, all.get("total").asInt());
        JsonNode own = staff910.get("/api/exceptions?district=920").json();   // the filter is ops' only
        assertEquals(2, own.get("total").asInt());
        for (JsonNode e : own.get("items")) {
            assertEquals("910", e.get("district").asText());
        }
        assertEquals(1, ops.get("/api/exceptions?district=920").json().get("total").asInt());
        assertEquals(400, ops.get("/api/exceptions?minAgeDays=x").status());

        long other = hub.count("select min(exception_id) from result_exception where district_code = '920'");
        assertEquals(404, staff910.get("/api/exceptions/" + other).status());
        JsonNode detail = ops.get("/api/exceptions/" + other).json();
        assertEquals("920", detail.get("district").asText());
        assertTrue(detail.get("candidates").isArray());
        for (JsonNode cand : detail.get("candidates")) {
            assertTrue(cand.get("reasons").isContainerNode());
        }
        assertEquals(404, staff910.post("/api/exceptions/" + other + "/decision", "{\"action\":\"defer\"}").status());

        String csv = staff910.get("/api/exceptions.csv").body();
        assertTrue(csv.startsWith("exception_id,kind,status,district,feed,source,row,exam_code,credential,attempted_on,"
                + "passed,first_name,last_name,birth_date,school_name\r\n"), csv);
        assertEquals(3, csv.split("\r\n").length);

        JsonNode students = staff910.get("/api/roster/search?q=chen").json().get("students");
        assertEquals(0, students.size());   // Chen is district 920's
        assertEquals(1, ops.get("/api/roster/search?q=chen").json().get("students").size());
    }
}
