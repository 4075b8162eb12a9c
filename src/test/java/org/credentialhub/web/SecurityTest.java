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
        hub = TestHub.start(Map.of("hub.web.sign-in.base-delay-seconds", "2"));
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

    /** Anonymous callers (load balancers) get the status only; ops see the details. */
    @Test
    void anonymousHealthIsStatusOnly() throws Exception {
        ApiClient.Response anonymous = new ApiClient(hub.httpPort).get("/api/health");
        assertEquals(200, anonymous.status(), anonymous.body());
        assertEquals(List.of("status"), fieldNames(anonymous.json()));
        assertEquals("UP", anonymous.json().get("status").asText());
        ApiClient.Response staffView = staff.get("/api/health");
        assertEquals(List.of("status"), fieldNames(staffView.json()));
        ApiClient.Response opsView = ops.get("/api/health");
        assertEquals(200, opsView.status());
        assertTrue(opsView.json().has("database") && opsView.json().has("routes"), opsView.body());
    }

    private static List<String> fieldNames(com.fasterxml.jackson.databind.JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** Signing out is a state change like any other: without the CSRF token it is refused and the session stays. */
    @Test
    void logoutNeedsTheCsrfToken() throws Exception {
        ApiClient c = ApiClient.signedIn(hub.httpPort, "staff910", Fixtures.PASSWORD);
        ApiClient.Response refused = c.postWithoutCsrf("/api/logout", "{}");
        assertEquals(403, refused.status(), refused.body());
        assertEquals(200, c.get("/api/me").status());
        assertEquals(200, c.post("/api/logout", "{}").status());
        assertEquals(401, c.get("/api/me").status());
        // without a session there is nothing to sign out of: the cookie is cleared all the same
        assertEquals(200, new ApiClient(hub.httpPort).postWithoutCsrf("/api/logout", "{}").status());
    }

    /** NIST SP 800-63B: no common or repetitive passwords, not the user name, a maximum length checked before hashing. */
    @Test
    void weakPasswordsAreRefused() throws Exception {
        for (String weak : List.of("aaaaaaaaaaaa", "123456789012", "abcdefghijklm", "qwertyuiop123", "Password1234",
                "new-user-7-x", "NEW-USER-7-X!!")) {
            ApiClient.Response r = ops.post("/api/accounts", "{\"username\":\"new-user-7-x\",\"role\":\"ops\",\"password\":\""
                    + weak + "\"}");
            assertEquals(400, r.status(), weak + ": " + r.body());
            assertTrue(r.body().contains("password"), r.body());
            assertTrue(!r.body().contains(weak), "the refusal does not repeat the password: " + r.body());
        }
        var accounts = hub.runtime.services().accounts;
        String huge = "x1-Y2-z3".repeat(1_000_000);
        long t0 = System.nanoTime();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> accounts.create("huge-user", Role.OPS, null, null, huge, "test"));
        assertTrue(e.getMessage().contains("at most"), e.getMessage());
        assertEquals(Accounts_SignIn.BAD, signIn("ops1", huge));
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "an over-long password is refused before any hashing");
        ApiClient.Response good = ops.post("/api/accounts", "{\"username\":\"new-user-7-x\",\"role\":\"ops\","
                + "\"password\":\"plum orchard lantern 42\"}");
        assertEquals(201, good.status(), good.body());
    }

    private enum Accounts_SignIn { OK, BAD, THROTTLED }

    private Accounts_SignIn signIn(String user, String password) throws Exception {
        return switch (hub.runtime.services().accounts.signIn(user, password, "192.0.2.1").outcome()) {
            case OK -> Accounts_SignIn.OK;
            case BAD_CREDENTIALS -> Accounts_SignIn.BAD;
            case THROTTLED -> Accounts_SignIn.THROTTLED;
        };
    }

    /**
     * Failed sign-ins slow down the account from that source with growing delays; an unknown user gets exactly
     * the same answers as a known one; the account still signs in from elsewhere (ops cannot be locked out).
     */
    @Test
    void failedSignInsAreThrottledPerAccountAndSourceAlikeForUnknownUsers() throws Exception {
        hub.runtime.services().accounts.create("throttled-ops", Role.OPS, null, null, Fixtures.PASSWORD, "test");
        ApiClient anon = new ApiClient(hub.httpPort);
        List<Integer> known = new ArrayList<>();
        List<Integer> unknown = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            known.add(anon.post("/api/login", "{\"username\":\"throttled-ops\",\"password\":\"wrong-password-x\"}").status());
            unknown.add(anon.post("/api/login", "{\"username\":\"no-such-user\",\"password\":\"wrong-password-x\"}").status());
        }
        assertEquals(known, unknown, "the same answers for a known and an unknown user");
        assertEquals(List.of(401, 401, 401, 429, 429), known);
        ApiClient.Response throttled = anon.post("/api/login", "{\"username\":\"throttled-ops\",\"password\":\""
                + Fixtures.PASSWORD + "\"}");
        assertEquals(429, throttled.status(), "even the right password waits");
        assertTrue(throttled.header("Retry-After") != null, "429 says when to retry");
        // from another source, the account signs in at once
        assertEquals(Accounts_SignIn.OK, switch (hub.runtime.services().accounts.signIn("throttled-ops", Fixtures.PASSWORD,
                "198.51.100.7").outcome()) { case OK -> Accounts_SignIn.OK; default -> Accounts_SignIn.BAD; });
        // after the delay, the right password works from this source too
        Thread.sleep(1000L * (Integer.parseInt(throttled.header("Retry-After")) + 1));
        assertEquals(200, anon.post("/api/login", "{\"username\":\"throttled-ops\",\"password\":\""
                + Fixtures.PASSWORD + "\"}").status());
        // the delays grow: the fourth failure in a row waits longer than the first delayed one
        var accounts = hub.runtime.services().accounts;
        long first = 0;
        for (int i = 0; i < 4; i++) {
            accounts.signIn("grow-user", "wrong-password-x", "192.0.2.9");
        }
        first = accounts.retryAfterSeconds("grow-user", "192.0.2.9");
        Thread.sleep(1000L * (first + 1));
        accounts.signIn("grow-user", "wrong-password-x", "192.0.2.9");
        assertTrue(accounts.retryAfterSeconds("grow-user", "192.0.2.9") > first);
    }
}
