package org.credentialhub.web;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Route;
import org.credentialhub.support.ApiClient;
import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * For every API route and every role: who gets in, and that district A can never read, count or change
 * district B's records, and a vendor reaches nothing but its own acknowledgements.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationTest {
    private TestHub hub;
    private final Map<String, ApiClient> as = new LinkedHashMap<>();
    private long exceptionA;
    private long exceptionB;
    private long studentB;
    private long delivery;
    private long entryA;
    private long entryB;
    private static final byte[] PNG = org.credentialhub.support.EvidenceFiles.png();
    private static final String PNG64 = java.util.Base64.getEncoder().encodeToString(PNG);

    @BeforeAll
    void start() throws Exception {
        hub = TestHub.start(Map.of("hub.web.sign-in.base-delay-seconds", "60"));
        Fixtures.twoDistricts(hub);
        as.put("anonymous", new ApiClient(hub.httpPort));
        for (String user : List.of("ops1", "staff910", "admin910", "staff920", "vendor-certexam", "vendor-other")) {
            as.put(user, ApiClient.signedIn(hub.httpPort, user, Fixtures.PASSWORD));
        }
        exceptionA = hub.count("select min(exception_id) from result_exception where district_code = '910'");
        exceptionB = hub.count("select min(exception_id) from result_exception where district_code = '920'");
        studentB = hub.count("select student_id from student where last_name = 'Chen'");
        delivery = hub.count("select min(delivery_id) from delivery");
        var entries = hub.runtime.services().districtEntries;
        for (String credential : List.of("NC-84A78D", "NC-A52769")) {
            entries.enter(new org.credentialhub.district.DistrictEntries.Entry("910", "2000000001", "Maria", "Alvarez",
                    java.time.LocalDate.of(2007, 3, 4), credential, java.time.LocalDate.of(2025, 3, 1), null),
                    new org.credentialhub.district.DistrictEntries.Evidence("cert.png", PNG), "test");
        }
        entryA = hub.count("select min(result_id) from district_entry where decision = 'pending'");
        entryB = hub.count("select max(result_id) from district_entry where decision = 'pending'");
    }

    @AfterAll
    void stop() throws Exception {
        hub.close();
    }

    /** One row of the matrix: a request and the status each caller gets. */
    private record Case(String method, String path, String body, Map<String, Integer> expected) {
    }

    private static Map<String, Integer> statuses(int anonymous, int ops, int staffA, int adminA, int staffB, int vendor,
                                                 int otherVendor) {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("anonymous", anonymous);
        m.put("ops1", ops);
        m.put("staff910", staffA);
        m.put("admin910", adminA);
        m.put("staff920", staffB);
        m.put("vendor-certexam", vendor);
        m.put("vendor-other", otherVendor);
        return m;
    }

    private Map<String, Case> matrix() {
        Map<String, Case> m = new LinkedHashMap<>();
        m.put("api-me", new Case("GET", "/api/me", null, statuses(401, 200, 200, 200, 200, 200, 200)));
        m.put("api-accounts-list", new Case("GET", "/api/accounts", null, statuses(401, 200, 403, 200, 403, 403, 403)));
        m.put("api-accounts-create", new Case("POST", "/api/accounts",
                "{\"username\":\"x-USER\",\"role\":\"district-staff\",\"district\":\"920\",\"password\":\"long-enough-password\"}",
                statuses(401, 201, 403, 403, 403, 403, 403)));
        m.put("api-exceptions-list", new Case("GET", "/api/exceptions", null, statuses(401, 200, 200, 200, 200, 403, 403)));
        m.put("api-exceptions-csv", new Case("GET", "/api/exceptions.csv", null, statuses(401, 200, 200, 200, 200, 403, 403)));
        m.put("api-exception-detail", new Case("GET", "/api/exceptions/" + exceptionA, null, statuses(401, 200, 200, 200, 404, 403, 403)));
        m.put("api-exception-decide", new Case("POST", "/api/exceptions/" + exceptionB + "/decision", "{\"action\":\"defer\"}",
                statuses(401, 200, 404, 404, 200, 403, 403)));
        m.put("api-exceptions-bulk", new Case("POST", "/api/exceptions/bulk", "{\"ids\":[" + exceptionB + "],\"action\":\"defer\"}",
                statuses(401, 200, 200, 200, 200, 403, 403)));
        // after the decisions above the last one on B's exception is staff920's (bulk defer): only they can undo it
        m.put("api-exception-reopen", new Case("POST", "/api/exceptions/" + exceptionB + "/reopen", "{}",
                statuses(401, 400, 404, 404, 200, 403, 403)));
        m.put("api-exceptions-accept", new Case("POST", "/api/exceptions/accept-suggestions", "{\"ids\":[" + exceptionB + "],\"preview\":true}",
                statuses(401, 200, 200, 200, 200, 403, 403)));
        m.put("api-exceptions-assign", new Case("POST", "/api/exceptions/assign", "{\"ids\":[" + exceptionB + "],\"take\":true}",
                statuses(401, 200, 200, 200, 200, 403, 403)));
        m.put("api-audit", new Case("GET", "/api/audit", null, statuses(401, 200, 200, 200, 200, 403, 403)));
        m.put("api-roster-search", new Case("GET", "/api/roster/search?q=Chen", null, statuses(401, 200, 200, 200, 200, 403, 403)));
        m.put("api-feeds", new Case("GET", "/api/feeds", null, statuses(401, 200, 403, 403, 403, 403, 403)));
        m.put("api-feed-deliveries", new Case("GET", "/api/feeds/certexam/deliveries", null, statuses(401, 200, 403, 403, 403, 403, 403)));
        m.put("api-delivery", new Case("GET", "/api/deliveries/" + delivery, null, statuses(401, 200, 403, 403, 403, 403, 403)));
        m.put("api-delivery-reprocess", new Case("POST", "/api/deliveries/" + delivery + "/reprocess", "{}",
                statuses(401, 400, 403, 403, 403, 403, 403)));
        m.put("api-delivery-corrected", new Case("POST", "/api/deliveries/" + delivery + "/corrected",
                "{\"fileName\":\"certexam_results_x.csv\",\"content\":\"YQ==\"}", statuses(401, 400, 403, 403, 403, 403, 403)));
        m.put("api-delivery-rejected-csv", new Case("GET", "/api/deliveries/" + delivery + "/rejected.csv", null,
                statuses(401, 200, 403, 403, 403, 403, 403)));
        m.put("api-quarantine", new Case("GET", "/api/quarantine", null, statuses(401, 200, 403, 403, 403, 403, 403)));
        m.put("api-status", new Case("GET", "/api/status", null, statuses(401, 200, 403, 403, 403, 403, 403)));
        m.put("api-chart-match-rate", new Case("GET", "/api/charts/match-rate", null, statuses(401, 200, 403, 403, 403, 403, 403)));
        m.put("api-chart-exceptions", new Case("GET", "/api/charts/exceptions-by-district", null, statuses(401, 200, 403, 403, 403, 403, 403)));
        m.put("api-chart-attainment", new Case("GET", "/api/charts/attainment-by-district", null, statuses(401, 200, 403, 403, 403, 403, 403)));
        m.put("api-reporting-load", new Case("POST", "/api/reporting/load", "{}", statuses(401, 200, 403, 403, 403, 403, 403)));
        m.put("api-reports", new Case("GET", "/api/reports", null, statuses(401, 200, 403, 403, 403, 403, 403)));
        m.put("api-report", new Case("GET", "/api/reports/attainment-by-district?year=2024-2025", null,
                statuses(401, 200, 403, 403, 403, 403, 403)));
        m.put("api-report-trace", new Case("GET", "/api/reports/attainment-by-district/trace?year=2024-2025&key=910", null,
                statuses(401, 200, 403, 403, 403, 403, 403)));
        m.put("api-publication", new Case("GET", "/api/publication?year=2024-2025", null,
                statuses(401, 200, 403, 403, 403, 403, 403)));
        String csv = java.util.Base64.getEncoder().encodeToString(("district_code,state_id,first_name,last_name,birth_date,"
                + "credential_code,earned_on,score,evidence_file\n910,2000000002,Jamal,Brooks,2008-06-07,NC-33E947,2025-02-02,,e.png\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        m.put("api-district-entries-upload", new Case("POST", "/api/district-entries/upload",
                "{\"fileName\":\"entries.csv\",\"csv\":\"" + csv + "\",\"evidence\":[{\"fileName\":\"e.png\",\"content\":\"" + PNG64 + "\"}]}",
                statuses(401, 201, 201, 201, 400, 403, 403)));
        m.put("api-district-entries-enter", new Case("POST", "/api/district-entries",
                "{\"districtCode\":\"910\",\"stateId\":\"2000000002\",\"firstName\":\"Jamal\",\"lastName\":\"Brooks\","
                        + "\"credentialCode\":\"NC-2F8369\",\"earnedOn\":\"2025-02-03\",\"evidence\":{\"fileName\":\"p.png\",\"content\":\"" + PNG64 + "\"}}",
                statuses(401, 201, 201, 201, 201, 403, 403)));
        m.put("api-district-entries-pending", new Case("GET", "/api/district-entries/pending", null,
                statuses(401, 200, 200, 200, 200, 403, 403)));
        m.put("api-district-entries-credentials", new Case("GET", "/api/district-entries/credentials", null,
                statuses(401, 200, 200, 200, 200, 403, 403)));
        m.put("api-district-entries-template", new Case("GET", "/api/district-entries/template.csv", null,
                statuses(401, 200, 200, 200, 200, 403, 403)));
        m.put("api-district-entry-evidence", new Case("GET", "/api/district-entries/" + entryA + "/evidence", null,
                statuses(401, 200, 200, 200, 404, 403, 403)));
        // ops validates first; afterwards the entry is no longer pending for anyone
        m.put("api-district-entry-validate", new Case("POST", "/api/district-entries/" + entryA + "/validate", "{}",
                statuses(401, 200, 403, 404, 403, 403, 403)));
        m.put("api-district-entry-reject", new Case("POST", "/api/district-entries/" + entryB + "/reject", "{\"reason\":\"wrong course\"}",
                statuses(401, 200, 403, 404, 403, 403, 403)));
        m.put("api-acks", new Case("GET", "/api/acknowledgements", null, statuses(401, 200, 403, 403, 403, 200, 200)));
        m.put("api-ack", new Case("GET", "/api/acknowledgements/" + delivery, null, statuses(401, 200, 403, 403, 403, 200, 404)));
        // the operational guards (docs/guards.md): ops only, but a vendor's own corrections
        m.put("api-sis-holds", new Case("GET", "/api/sis/holds", null, statuses(401, 200, 403, 403, 403, 403, 403)));
        m.put("api-sis-hold", new Case("GET", "/api/sis/holds/999999", null, statuses(401, 404, 403, 403, 403, 403, 403)));
        m.put("api-sis-hold-approve", new Case("POST", "/api/sis/holds/999999/approve", "{}",
                statuses(401, 400, 403, 403, 403, 403, 403)));
        m.put("api-sis-hold-reject", new Case("POST", "/api/sis/holds/999999/reject", "{}",
                statuses(401, 400, 403, 403, 403, 403, 403)));
        m.put("api-guard-alarms", new Case("GET", "/api/guards/alarms", null, statuses(401, 200, 403, 403, 403, 403, 403)));
        m.put("api-guard-alarm-clear", new Case("POST", "/api/guards/alarms/999999/clear", "{}",
                statuses(401, 404, 403, 403, 403, 403, 403)));
        m.put("api-corrections", new Case("GET", "/api/corrections", null, statuses(401, 200, 403, 403, 403, 200, 200)));
        return m;
    }

    /** Routes open to everybody (signing in needs no session; health is for load balancers). */
    private static final Set<String> PUBLIC = Set.of("api-login", "api-logout", "api-health");

    @Test
    void everyApiRouteIsInTheMatrix() {
        Set<String> routes = new TreeSet<>();
        for (Route r : hub.runtime.camel().getRoutes()) {
            if (r.getRouteId().startsWith("api-") && !PUBLIC.contains(r.getRouteId())) {
                routes.add(r.getRouteId());
            }
        }
        assertEquals(routes, new TreeSet<>(matrix().keySet()), "add new API routes to the authorization matrix");
    }

    @Test
    void everyRoleGetsExactlyWhatTheMatrixSays() throws Exception {
        List<String> wrong = new ArrayList<>();
        int n = 0;
        for (Map.Entry<String, Case> e : matrix().entrySet()) {
            Case c = e.getValue();
            for (Map.Entry<String, Integer> who : c.expected().entrySet()) {
                ApiClient client = as.get(who.getKey());
                String body = c.body() == null ? null : c.body().replace("USER", who.getKey() + (n++));
                ApiClient.Response r = "GET".equals(c.method()) ? client.get(c.path()) : client.post(c.path(), body);
                if (r.status() != who.getValue()) {
                    wrong.add(e.getKey() + " as " + who.getKey() + ": expected " + who.getValue() + ", got " + r.status() + " " + r.body());
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void districtANeverReadsOrCountsDistrictB() throws Exception {
        ApiClient a = as.get("staff910");
        JsonNode list = a.get("/api/exceptions?status=all").json();
        assertEquals(2, list.get("counts").get("no_match").asInt());
        for (JsonNode item : list.get("items")) {
            assertEquals("910", item.get("district").asText());
        }
        assertEquals(0, a.get("/api/exceptions?status=all&district=920").json().get("items").findValues("district")
                .stream().filter(d -> d.asText().equals("920")).count(), "a district filter cannot widen the scope");
        assertEquals(0, a.get("/api/roster/search?q=Chen").json().get("students").size());
        assertEquals(0, a.get("/api/roster/search?q=2000000003").json().get("students").size());
        String csv = a.get("/api/exceptions.csv?status=all").body();
        assertFalse(csv.contains(",920,"), csv);
        assertFalse(csv.contains("Chen"), csv);
        assertEquals(404, a.get("/api/exceptions/" + exceptionB).status());
    }

    @Test
    void districtANeverChangesDistrictB() throws Exception {
        ApiClient a = as.get("staff910");
        String before = hub.rows("select status, resolution from result_exception where exception_id = " + exceptionB).toString();
        assertEquals(404, a.post("/api/exceptions/" + exceptionB + "/decision", "{\"action\":\"reject\"}").status());
        JsonNode bulk = a.post("/api/exceptions/bulk", "{\"ids\":[" + exceptionB + "],\"action\":\"reject\"}").json();
        assertEquals(0, bulk.get("decided").size());
        assertEquals(1, bulk.get("failed").size());
        JsonNode accepted = a.post("/api/exceptions/accept-suggestions", "{\"ids\":[" + exceptionB + "]}").json();
        assertEquals(0, accepted.get("decided").size());
        assertEquals(List.of(exceptionB), List.of(accepted.get("skipped").get(0).asLong()));
        assertEquals(0, a.post("/api/exceptions/assign", "{\"ids\":[" + exceptionB + "],\"take\":true}").json().get("changed").size());
        assertEquals(404, a.post("/api/exceptions/" + exceptionB + "/reopen", "{}").status());
        for (JsonNode entry : a.get("/api/audit").json().get("entries")) {
            assertEquals("910", entry.get("district").asText(), entry.toString());
        }
        assertEquals(before, hub.rows("select status, resolution from result_exception where exception_id = " + exceptionB).toString());
        // nor link its own exception to B's student
        ApiClient.Response r = a.post("/api/exceptions/" + exceptionA + "/decision", "{\"action\":\"link\",\"studentId\":" + studentB + "}");
        assertEquals(400, r.status(), r.body());
        assertEquals(0, hub.count("select count(*) from result where student_id = " + studentB + " and match_tier = 'district'"));
    }

    @Test
    void pendingEntriesWaitInTheirDistrictsQueueUntilItsAdministratorDecides() throws Exception {
        var entries = hub.runtime.services().districtEntries;
        entries.enter(new org.credentialhub.district.DistrictEntries.Entry("910", "2000000002", "Jamal", "Brooks",
                java.time.LocalDate.of(2008, 6, 7), "NC-2F8369", java.time.LocalDate.of(2025, 4, 1), null),
                new org.credentialhub.district.DistrictEntries.Evidence("x.png", PNG), "test");
        hub.runtime.services().exceptionQueue.refresh();
        long entry = hub.count("select max(result_id) from district_entry where decision = 'pending'");
        JsonNode queue = as.get("staff910").get("/api/exceptions?kind=pending_entry").json();
        assertTrue(queue.get("total").asInt() >= 1, queue.toString());
        assertEquals(0, as.get("staff920").get("/api/exceptions?kind=pending_entry").json().get("total").asInt());
        assertEquals(403, as.get("staff910").post("/api/district-entries/" + entry + "/validate", "{}").status());
        assertEquals(403, as.get("staff920").post("/api/district-entries/" + entry + "/validate", "{}").status());
        assertEquals(200, as.get("admin910").post("/api/district-entries/" + entry + "/validate", "{}").status());
        assertEquals("active", hub.rows("select status from result where result_id = " + entry).get(0).get("status"));
        assertEquals("resolved", hub.rows("select status from result_exception where kind = 'pending_entry' and result_id = "
                + entry).get(0).get("status"));
    }

    private static String uploadBody(String csv) {
        return "{\"fileName\":\"entries.csv\",\"csv\":\"" + java.util.Base64.getEncoder().encodeToString(
                csv.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "\",\"evidence\":[{\"fileName\":\"e.png\",\"content\":\""
                + PNG64 + "\"}]}";
    }

    /** Hole 1 of issue 13: a header naming district_code twice (920 first, 910 last) put an entry in 920's queue. */
    @Test
    void aDuplicatedHeaderCannotPlaceAnEntryInAnotherDistrict() throws Exception {
        long before = hub.count("select count(*) from district_entry where district_code = '920'");
        String csv = "district_code,state_id,first_name,last_name,birth_date,credential_code,earned_on,score,evidence_file,district_code\n"
                + "920,2000000003,Lena,Chen,2007-09-10,NC-84A78D,2025-01-15,,e.png,910\n";
        ApiClient.Response r = as.get("staff910").post("/api/district-entries/upload", uploadBody(csv));
        assertEquals(400, r.status(), r.body());
        assertTrue(r.body().contains("district_code") && r.body().contains("more than once"), r.body());
        assertFalse(r.body().contains("Chen") || r.body().contains("2000000003"), r.body());
        // the same with the header names differing only in case or spaces
        String csv2 = "district_code,state_id,first_name,last_name,birth_date,credential_code,earned_on,score,evidence_file, DISTRICT_CODE\n"
                + "920,2000000003,Lena,Chen,2007-09-10,NC-84A78D,2025-01-16,,e.png,910\n";
        assertEquals(400, as.get("staff910").post("/api/district-entries/upload", uploadBody(csv2)).status());
        assertEquals(before, hub.count("select count(*) from district_entry where district_code = '920'"));
    }

    /** Defence in depth: whatever the API's own check of the CSV says, a staged row of another district is refused. */
    @Test
    void stagedRowsOfAnotherDistrictAreRefused() throws Exception {
        long before = hub.count("select count(*) from district_entry where district_code = '920'");
        String csv = "district_code,state_id,first_name,last_name,birth_date,credential_code,earned_on,score,evidence_file\n"
                + "920,2000000003,Lena,Chen,2007-09-10,NC-84A78D,2025-01-17,,e.png\n"
                + "910,2000000002,Jamal,Brooks,2008-06-07,NC-84A78D,2025-01-17,,e.png\n";
        Map<String, Object> ack = hub.runtime.services().districtEntries.upload("entries.csv",
                csv.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                List.of(new org.credentialhub.district.DistrictEntries.Evidence("e.png", PNG)), "staff910", "910");
        assertEquals(1, ack.get("rows_accepted"), ack.toString());
        assertEquals(1, ack.get("rows_rejected"), ack.toString());
        assertTrue(ack.toString().contains("district_code"), ack.toString());
        assertEquals(before, hub.count("select count(*) from district_entry where district_code = '920'"));
    }

    private static String entryBody(String stateId, String first, String last, String birth, String earned) {
        return "{\"stateId\":" + (stateId == null ? "null" : "\"" + stateId + "\"") + ",\"firstName\":\"" + first
                + "\",\"lastName\":\"" + last + "\",\"birthDate\":\"" + birth + "\",\"credentialCode\":\"NC-33E947\","
                + "\"earnedOn\":\"" + earned + "\",\"evidence\":{\"fileName\":\"m.png\",\"content\":\"" + PNG64 + "\"}}";
    }

    private JsonNode pendingEntry(ApiClient client, long resultId) throws Exception {
        for (JsonNode p : client.get("/api/district-entries/pending").json().get("pending")) {
            if (p.get("result").asLong() == resultId) {
                return p;
            }
        }
        throw new AssertionError("entry " + resultId + " is not pending");
    }

    /**
     * Hole 2 of issue 13: a district's entries are matched within its own students only. Entering another
     * district's student (by name and birth date, or by ID) answers exactly as entering nobody does.
     */
    @Test
    void districtEntriesMatchOnlyTheEnteringDistrictsStudents() throws Exception {
        ApiClient a = as.get("staff910");
        Map<String, JsonNode> seen = new LinkedHashMap<>();
        String[][] people = {
                {"own", "2000000001", "Maria", "Alvarez", "2007-03-04"},
                {"other-by-name", null, "Omar", "Dawson", "2008-01-02"},
                {"other-by-id", "2000000003", "Lena", "Xhen", "2007-09-10"},
                {"nobody", null, "Zeno", "Quarrington", "2006-11-12"},
                {"nobody-id", "2999999999", "Ilse", "Varga", "2006-04-05"}};
        int day = 1;
        for (String[] p : people) {
            ApiClient.Response r = a.post("/api/district-entries", entryBody(p[1], p[2], p[3], p[4], "2025-05-0" + day++));
            assertEquals(201, r.status(), r.body());
            long id = hub.count("select max(result_id) from district_entry");
            seen.put(p[0], pendingEntry(a, id));
        }
        assertTrue(seen.get("own").get("matched").asBoolean(), seen.get("own").toString());
        for (String who : List.of("other-by-name", "other-by-id")) {
            JsonNode e = seen.get(who);
            assertFalse(e.get("matched").asBoolean(), who + ": " + e);
            String nobody = who.endsWith("id") ? "nobody-id" : "nobody";
            assertEquals(seen.get(nobody).get("match_decision"), e.get("match_decision"), who + " answers as nobody does");
        }
        // no candidate of another district is kept for review either, and a re-match after a roster change holds
        String otherDistrict = "select count(*) from result r join district_entry e using (result_id) "
                + "left join match_candidate c using (result_id) join student s on s.student_id in (r.student_id, c.student_id) "
                + "where e.district_code <> s.district_code";
        assertEquals(0, hub.count(otherDistrict));
        hub.runtime.services().matcher.rematchUnsettled();
        assertEquals(0, hub.count(otherDistrict));
        assertFalse(pendingEntry(a, seen.get("other-by-name").get("result").asLong()).get("matched").asBoolean());
    }

    @Test
    void vendorsSeeOnlyTheirOwnAcknowledgements() throws Exception {
        JsonNode own = as.get("vendor-certexam").get("/api/acknowledgements").json().get("acknowledgements");
        assertTrue(own.size() >= 1);
        for (JsonNode a : own) {
            assertEquals("certexam", a.get("feed").asText());
        }
        assertEquals(0, as.get("vendor-other").get("/api/acknowledgements").json().get("acknowledgements").size());
    }

    @Test
    void stateChangesNeedTheCsrfToken() throws Exception {
        ApiClient.Response r = as.get("ops1").postWithoutCsrf("/api/exceptions/" + exceptionA + "/decision", "{\"action\":\"defer\"}");
        assertEquals(403, r.status());
        assertTrue(r.body().contains("CSRF"), r.body());
    }

    /** Failed sign-ins slow the account name down from that source; an unknown name answers the same (SecurityTest). */
    @Test
    void repeatedFailedSignInsAreThrottledAlikeForUnknownUsers() throws Exception {
        ApiClient anon = new ApiClient(hub.httpPort);
        hub.runtime.services().accounts.create("lockme", org.credentialhub.accounts.Role.OPS, null, null, Fixtures.PASSWORD, "test");
        for (String user : List.of("lockme", "nobody")) {
            for (int i = 0; i < 3; i++) {
                assertEquals(401, anon.post("/api/login", "{\"username\":\"" + user + "\",\"password\":\"wrong-password\"}").status());
            }
            assertEquals(429, anon.post("/api/login", "{\"username\":\"" + user + "\",\"password\":\"wrong-password\"}").status());
        }
        // throttled (this hub waits 60 s after the third failure): even the right password waits
        assertEquals(429, anon.post("/api/login", "{\"username\":\"lockme\",\"password\":\"" + Fixtures.PASSWORD + "\"}").status());
    }
}
