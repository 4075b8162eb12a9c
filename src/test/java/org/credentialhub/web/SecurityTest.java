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
    private static final String TRADESREG = "tradesreg-sftp-password";
    private TestHub hub;
    private ApiClient ops;
    private ApiClient staff;

    @BeforeAll
    void start() throws Exception {
        hub = TestHub.start(Map.of("hub.web.sign-in.base-delay-seconds", "2", "hub.sftp.password.tradesreg", TRADESREG,
                "hub.sftp.quota.max-file-mb", "1", "hub.sftp.quota.max-files", "4", "hub.sftp.auth.base-delay-seconds", "8"));
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
        List<String> unauthenticated = new ArrayList<>();
        for (org.apache.camel.Route r : hub.runtime.camel().getRoutes()) {
            if (!r.getRouteId().startsWith("api-")) {
                continue;
            }
            // the REST DSL's route carries the route configurations of the direct: route inlined into it
            String ids = ((org.apache.camel.model.ModelCamelContext) hub.runtime.camel())
                    .getRouteDefinition(r.getRouteId()).getRouteConfigurationId();
            List<String> configurations = List.of(String.valueOf(ids).split(","));
            if (!configurations.contains("api")) {
                without.add(r.getRouteId() + "=" + ids);
            }
            // the one authentication step: every operation but signing in and out and health
            if (!configurations.contains("signed-in") && !List.of("api-login", "api-logout", "api-health").contains(r.getRouteId())) {
                unauthenticated.add(r.getRouteId());
            }
        }
        assertTrue(without.isEmpty(), "routes without routeConfigurationId api: " + without);
        assertTrue(unauthenticated.isEmpty(), "routes without routeConfigurationId signed-in: " + unauthenticated);
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
        // stored at the cost the hub is configured with (the test hubs': hub.web.password.argon2.* in TestHub)
        String stored = (String) hub.rows("select password_hash from account where username = 'new-user-7-x'").get(0).get("password_hash");
        assertTrue(stored.startsWith("$argon2id$v=19$m=64,t=1,p=1$"), stored.substring(0, 30));
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

    private static final String CERTEXAM_CSV = "candidateId,orgCandidateId,firstName,lastName,email,birthDate,examName,examCode,"
            + "examFormId,deliveryDateTime,passFail,reportedScore,cutScore,rawScore,maxRawScore,percent,testCenterId,testCenterName\r\n"
            + "K1,,Tomas,Nadie,,2006-12-30,Premiere,CE-420CC,F1,2025-02-03T09:00:00-05:00,Pass,800,700,40,50,80,910301,Riverside High\r\n";

    private org.apache.sshd.sftp.client.SftpClient sftp(org.apache.sshd.client.SshClient client, String user, String password)
            throws Exception {
        var session = client.connect(user, "127.0.0.1", hub.sftpPort()).verify(java.time.Duration.ofSeconds(15)).getSession();
        session.addPasswordIdentity(password);
        session.auth().verify(java.time.Duration.ofSeconds(15));
        return org.apache.sshd.sftp.client.SftpClientFactory.instance().createSftpClient(session);
    }

    private static boolean refused(org.junit.jupiter.api.function.Executable e) {
        try {
            e.execute();
            return false;
        } catch (Throwable t) {
            return true;
        }
    }

    private static java.util.Set<java.nio.file.attribute.PosixFilePermission> mode(java.nio.file.Path p) throws Exception {
        return java.nio.file.Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Vendors' SFTP rights are least privilege: home list-only, inbox write-only (no reading back, overwriting or
     * deleting), outbox read-only, no folders or links, quotas per file and file count; files 0600, folders 0700.
     */
    @Test
    void sftpVendorsHaveLeastPrivilegeAndFilesArePrivate() throws Exception {
        try (org.credentialhub.dropbox.SftpUpload up = new org.credentialhub.dropbox.SftpUpload("127.0.0.1", hub.sftpPort(),
                "certexam", TestHub.CERTEXAM_PASSWORD)) {
            up.put("inbox/certexam_results_20250301.csv", CERTEXAM_CSV.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        TestHub.await("the delivery's acknowledgement", java.time.Duration.ofSeconds(60), () -> java.nio.file.Files.list(
                hub.dataDir.resolve("dropbox/certexam/outbox")).findAny().isPresent());
        var client = org.apache.sshd.client.SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((session, address, key) -> true);
        client.start();
        try (var s = sftp(client, "certexam", TestHub.CERTEXAM_PASSWORD)) {
            byte[] note = "a note".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            try (var out = s.write("inbox/note.txt")) {
                out.write(note);
            }
            java.nio.file.Path home = hub.dataDir.resolve("dropbox/certexam");
            assertEquals(org.credentialhub.support.PrivateFiles.FILE, mode(home.resolve("inbox/note.txt")));
            List<String> allowedButShouldNot = new ArrayList<>();
            Map<String, org.junit.jupiter.api.function.Executable> forbidden = new java.util.LinkedHashMap<>();
            forbidden.put("read back from the inbox", () -> s.read("inbox/note.txt").readAllBytes());
            forbidden.put("overwrite a delivered file", () -> {
                try (var out = s.write("inbox/note.txt")) {
                    out.write(note);
                }
            });
            forbidden.put("delete a delivered file", () -> s.remove("inbox/note.txt"));
            forbidden.put("write in the home", () -> {
                try (var out = s.write("evil.txt")) {
                    out.write(note);
                }
            });
            forbidden.put("make a folder in the home", () -> s.mkdir("mine"));
            forbidden.put("make a folder in the inbox", () -> s.mkdir("inbox/sub"));
            forbidden.put("symlink", () -> s.symLink("inbox/link", "/outbox"));
            String ackName = java.nio.file.Files.list(home.resolve("outbox")).findFirst().orElseThrow().getFileName().toString();
            forbidden.put("delete an acknowledgement", () -> s.remove("outbox/" + ackName));
            forbidden.put("forge an acknowledgement", () -> {
                try (var out = s.write("outbox/forged.json")) {
                    out.write(note);
                }
            });
            forbidden.put("rename an acknowledgement", () -> s.rename("outbox/" + ackName, "outbox/x.json"));
            forbidden.put("move a delivered file out of the inbox", () -> s.rename("inbox/note.txt", "outbox/note.txt"));
            forbidden.put("a file over the size quota", () -> {
                try (var out = s.write("inbox/big.bin")) {
                    out.write(new byte[2 * 1024 * 1024]);
                }
            });
            for (var e : forbidden.entrySet()) {
                if (!refused(e.getValue())) {
                    allowedButShouldNot.add(e.getKey());
                }
            }
            assertTrue(allowedButShouldNot.isEmpty(), "allowed: " + allowedButShouldNot);
            assertTrue(s.read("outbox/" + ackName).readAllBytes().length > 0, "acknowledgements are readable");
            // the file-count quota (4): note.txt and perhaps a partial big.bin are there already
            int written = 0;
            for (int i = 0; i < 6; i++) {
                int n = i;
                if (!refused(() -> {
                    try (var out = s.write("inbox/fill-" + n + ".txt")) {
                        out.write(note);
                    }
                })) {
                    written++;
                }
            }
            assertTrue(written < 4, "the inbox takes at most 4 files, took " + written + " more");
        } finally {
            client.stop();
        }
        // every data folder 0700, every file 0600: the archive (vendor files, district uploads), the drop box, secrets
        refused(() -> hub.runtime.services().districtEntries.upload("x.csv",
                "district_code\n910\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), List.of(), "staff910", "910"));
        assertTrue(java.nio.file.Files.isDirectory(hub.dataDir.resolve("archive/district")));
        List<String> open = new ArrayList<>();
        for (String dir : List.of("archive", "dropbox", "secrets")) {
            try (var walk = java.nio.file.Files.walk(hub.dataDir.resolve(dir))) {
                for (java.nio.file.Path p : walk.toList()) {
                    var expected = java.nio.file.Files.isDirectory(p) ? org.credentialhub.support.PrivateFiles.FOLDER
                            : org.credentialhub.support.PrivateFiles.FILE;
                    if (!mode(p).equals(expected)) {
                        open.add(hub.dataDir.relativize(p) + " " + java.nio.file.attribute.PosixFilePermissions.toString(mode(p)));
                    }
                }
            }
        }
        assertTrue(open.isEmpty(), "not private: " + open);
        assertEquals(org.credentialhub.support.PrivateFiles.FOLDER, mode(hub.dataDir));
    }

    /** Repeated wrong SFTP passwords close the account to that address for a growing while, right password or not. */
    @Test
    void sftpPasswordSignInsAreThrottled() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertTrue(refused(() -> new org.credentialhub.dropbox.SftpUpload("127.0.0.1", hub.sftpPort(), "tradesreg",
                    "wrong-password").close()));
        }
        // (a wait of 8 s: with 3 s, on a loaded machine the three refused handshakes outlasted it - seen once)
        assertTrue(refused(() -> new org.credentialhub.dropbox.SftpUpload("127.0.0.1", hub.sftpPort(), "tradesreg",
                TRADESREG).close()), "the right password waits too");
        Thread.sleep(8500);
        new org.credentialhub.dropbox.SftpUpload("127.0.0.1", hub.sftpPort(), "tradesreg", TRADESREG).close();
    }

    /** The HTTP body limit fits one evidence file of the documented 10 MB, and refuses what is far beyond it. */
    @Test
    void bodyLimitFitsTenMegabyteEvidence() throws Exception {
        java.util.Random random = new java.util.Random(7);
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(1800, 1900, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, random.nextInt());
            }
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", out);
        byte[] png = out.toByteArray();
        assertTrue(png.length > 9_500_000 && png.length <= 10 * 1024 * 1024, "about 10 MB: " + png.length);
        String body = "{\"stateId\":\"1234567890\",\"firstName\":\"A\",\"lastName\":\"B\",\"credentialCode\":\"NC-33E947\","
                + "\"earnedOn\":\"2025-02-03\",\"evidence\":{\"fileName\":\"scan.png\",\"content\":\""
                + java.util.Base64.getEncoder().encodeToString(png) + "\"}}";
        ApiClient.Response r = staff.post("/api/district-entries", body);
        assertEquals(201, r.status(), r.body().length() > 500 ? r.body().substring(0, 500) : r.body());
        assertTrue(!r.body().contains("evidence_file"), "the evidence is accepted: " + r.body());
        String tooBig = "{\"pad\":\"" + "x".repeat(20 * 1024 * 1024) + "\"}";
        assertEquals(413, staff.post("/api/district-entries", tooBig).status());
    }
}
