package org.credentialhub.web;

import org.credentialhub.accounts.Role;
import org.credentialhub.support.ApiClient;
import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hardening of issue 13 on a real hub over real HTTP: response headers, what anonymous callers
 * see, sign-out, passwords, sign-in throttling.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityTest {
    private TestHub hub;
    private ApiClient ops;
    private ApiClient staff;

    @BeforeAll
    void start() throws Exception {
        hub = TestHub.start(Map.of());
        try (var c = hub.db().getConnection(); var st = c.createStatement()) {
            st.execute("insert into district values ('910', 'Demo City Schools')");
        }
        var accounts = hub.runtime.services().accounts;
        accounts.create("ops1", Role.OPS, null, null, Fixtures.PASSWORD, "test");
        accounts.create("staff910", Role.DISTRICT_STAFF, "910", null, Fixtures.PASSWORD, "test");
        ops = ApiClient.signedIn(hub.httpPort, "ops1", Fixtures.PASSWORD);
        staff = ApiClient.signedIn(hub.httpPort, "staff910", Fixtures.PASSWORD);
    }

    @AfterAll
    void stop() throws Exception {
        hub.close();
    }

    /** Hole 3 of issue 13: no-store and nosniff reach the client on every API response, errors included. */
    @Test
    void everyApiResponseIsNotStoredNorSniffed() throws Exception {
        List<String> wrong = new ArrayList<>();
        Map<String, ApiClient.Response> responses = new java.util.LinkedHashMap<>();
        for (String path : List.of("/api/me", "/api/exceptions", "/api/exceptions.csv", "/api/roster/search?q=Chen",
                "/api/district-entries/pending", "/api/accounts", "/api/status", "/api/exceptions/999999")) {
            responses.put("ops GET " + path, ops.get(path));
        }
        responses.put("staff GET /api/exceptions.csv", staff.get("/api/exceptions.csv"));
        responses.put("staff GET /api/status (403)", staff.get("/api/status"));
        responses.put("anonymous GET /api/me (401)", new ApiClient(hub.httpPort).get("/api/me"));
        responses.put("anonymous POST /api/login (401)", new ApiClient(hub.httpPort).post("/api/login",
                "{\"username\":\"nobody\",\"password\":\"wrong-password-1\"}"));
        responses.put("POST /api/login", new ApiClient(hub.httpPort).post("/api/login",
                "{\"username\":\"ops1\",\"password\":\"" + Fixtures.PASSWORD + "\"}"));
        responses.put("anonymous GET /api/health", new ApiClient(hub.httpPort).get("/api/health"));
        for (Map.Entry<String, ApiClient.Response> e : responses.entrySet()) {
            ApiClient.Response r = e.getValue();
            if (!"no-store".equals(r.header("Cache-Control")) || !"nosniff".equals(r.header("X-Content-Type-Options"))) {
                wrong.add(e.getKey() + " (" + r.status() + "): Cache-Control " + r.header("Cache-Control")
                        + ", X-Content-Type-Options " + r.header("X-Content-Type-Options"));
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        assertEquals(200, responses.get("ops GET /api/exceptions.csv").status());
        assertTrue(responses.get("ops GET /api/exceptions.csv").header("Content-Type").startsWith("text/csv"));
    }

    /** The headers come from the route configuration api: every /api route must use it. */
    @Test
    void everyApiRouteUsesTheApiRouteConfiguration() {
        List<String> without = new ArrayList<>();
        for (org.apache.camel.Route r : hub.runtime.camel().getRoutes()) {
            if (r.getRouteId().startsWith("api-") && !"api".equals(r.getConfigurationId())) {
                without.add(r.getRouteId());
            }
        }
        assertTrue(without.isEmpty(), "routes without routeConfigurationId api: " + without);
    }
}
