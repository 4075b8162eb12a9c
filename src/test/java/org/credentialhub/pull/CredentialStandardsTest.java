package org.credentialhub.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.credentialhub.catalog.CatalogLoader;
import org.credentialhub.roster.RosterLoader;
import org.credentialhub.runtime.HubServices;
import org.credentialhub.standards.IssuerKeys;
import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16: Open Badges 3.0 read as the standard says. A real hub (PostgreSQL) pulls from a real local HTTP server
 * ({@link FixtureApiServer}) that also serves the issuers' status lists and DID documents. The public 1EdTech
 * examples load; the credentials this test signs itself with a key pair made per run (Data Integrity
 * eddsa-rdfc-2022 and EdDSA JWTs) end as the standard says: valid, tampered after signing, revoked by a status list,
 * expired, not yet valid, an endorsement.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CredentialStandardsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTEXT = "https://hub.test/contexts/credentials-test.jsonld";
    private static final String STUDENT = "1000000031";
    private static final Path EXAMPLES = Path.of("src/test/resources/fixtures/ob3-clr2");

    private FixtureApiServer api;
    private TestHub hub;
    private KeyPair issuerKey;
    private String issuerDid;
    private byte[] bits = new byte[16 * 1024];

    @BeforeAll
    void start() throws Exception {
        api = FixtureApiServer.start(0).clientCredentials("credential-hub", "s3cret");
        Path feeds = Files.createTempFile("feeds", ".yaml");
        feeds.toFile().deleteOnExit();   // read by the hub while the class runs; no test leaves files behind
        // the shipped feeds, and two more of the same OB 3.0 layout with their own verify policies
        Files.writeString(feeds, Files.readString(Path.of("config/feeds.yaml")) + """

                  - code: signedbadges
                    kind: api
                    layout: badges
                    description: OB 3.0 credentials whose proofs are required
                    cadence: daily
                    verify: { proof: required }
                    api: { style: ob3, base-url: https://x.example, auth: oauth2, client-id: credential-hub }

                  - code: examples
                    kind: api
                    layout: badges
                    description: the 1EdTech examples (signed by example keys no one holds)
                    cadence: daily
                    verify: { proof: "off", status: "off" }
                    api: { style: ob3, base-url: https://x.example, auth: oauth2, client-id: credential-hub }

                  - code: signedlists
                    kind: api
                    layout: badges
                    description: OB 3.0 credentials whose proofs and whose status lists' proofs are required
                    cadence: daily
                    verify: { proof: required, status: signed }
                    api: { style: ob3, base-url: https://x.example, auth: oauth2, client-id: credential-hub }

                  - code: clrapi
                    kind: api
                    layout: clr
                    description: the 1EdTech CLR examples over the CLR 2.0 API, one a page
                    cadence: daily
                    verify: { proof: "off", status: "off" }
                    api: { style: clr2, base-url: https://x.example, auth: oauth2, client-id: credential-hub, page-size: 1 }

                  - code: clr
                    kind: sftp
                    description: CLR 2.0 files (the 1EdTech examples, signed by example keys no one holds)
                    cadence: none
                    verify: { proof: "off", status: "off" }
                    sftp: { include: '.*\\.json' }
                """);
        Map<String, String> props = new java.util.HashMap<>();
        for (String feed : List.of("badges", "signedbadges", "examples", "clrapi", "signedlists")) {
            props.put("hub.api.base-url." + feed, api.baseUrl());
            props.put("hub.api.secret." + feed, "s3cret");
            props.put("hub.api.poll." + feed, "1h");
        }
        props.put("hub.api.delay", "3600000");   // the routes stay out of the way: the test pulls
        props.put("hub.feeds.file", feeds.toString());
        props.put("hub.standards.contexts.dir", "src/test/resources/standards/contexts");
        props.put("hub.standards.status-cache", "0s");
        props.put("hub.standards.did-web.scheme", "http");
        hub = TestHub.start(props);
        services().roster.load(List.of(
                new RosterLoader.Student(STUDENT, "Dana", "Ruiz", LocalDate.of(2007, 3, 9), "910", "910301")));
        catalog();
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        issuerKey = g.generateKeyPair();
        issuerDid = "did:key:" + IssuerKeys.multibase(issuerKey.getPublic());
        publishBits();
    }

    @AfterAll
    void stop() throws Exception {
        Fixtures.closeAll(hub, api);
    }

    private HubServices services() {
        return hub.runtime.services();
    }

    /** A test state whose credentials are denoted by achievement identifiers (achievement_ids.csv). */
    private void catalog() throws Exception {
        Path root = Files.createTempDirectory("catalog");
        for (String year : List.of("2009-2010", "2024-2025", "2025-2026", "2026-2027")) {
            Path dir = Files.createDirectories(root.resolve("zz").resolve(year));
            int y = Integer.parseInt(year.substring(0, 4));
            Files.writeString(dir.resolve("catalog.yaml"), "state: zz\nschool-year: " + year + "\nfirst-day: " + y
                    + "-07-01\nlast-day: " + (y + 1) + "-06-30\n");
            Files.writeString(dir.resolve("courses.csv"), "course_code,course_title,program_area\nZZ1,Teamwork,Skills\n");
            Files.writeString(dir.resolve("credentials.csv"), """
                    credential_code,credential_name,tier,high_value,combined_credential,delivered_by,exam_code
                    ZZ-TEAM,Teamwork,1,false,,examples,
                    ZZ-DEG,Degree,1,false,,examples,
                    ZZ-WELD,Welding,1,false,,signedbadges,
                    ZZ-SAFE,Safety,1,false,,signedbadges,
                    ZZ-CLRTEAM,Teamwork (CLR),1,false,,clr,
                    ZZ-CLRAPI,Teamwork (CLR API),1,false,,clrapi,
                    ZZ-SAFE-SL,Safety (signed lists),1,false,,signedlists,
                    """);
            Files.writeString(dir.resolve("achievement_ids.csv"), """
                    credential_code,identifier
                    ZZ-TEAM,https://example.com/achievements/21st-century-skills/teamwork
                    ZZ-DEG,R1
                    ZZ-WELD,https://issuer.test/achievements/welding
                    ZZ-SAFE,ce-5b3a9c2e-0000-4000-8000-00000000safe
                    ZZ-CLRTEAM,https://example.com/achievements/21st-century-skills/teamwork
                    ZZ-CLRAPI,https://example.com/achievements/21st-century-skills/teamwork
                    ZZ-SAFE-SL,ce-5b3a9c2e-0000-4000-8000-00000000safe
                    """);
            Files.writeString(dir.resolve("course_credentials.csv"), "course_code,credential_code\nZZ1,ZZ-TEAM\n");
            Files.writeString(dir.resolve("combined_credentials.csv"), "combined_credential,course_code,module_credential_code\n");
            new CatalogLoader(hub.db()).loadYear(dir);
        }
        Fixtures.deleteTree(root);
    }

    /** Pulls the feed from the start (the cursor forgotten), and matches what was staged. */
    private List<ApiPuller.Page> pull(String feed) throws Exception {
        try (var c = hub.db().getConnection(); var ps = c.prepareStatement("delete from api_cursor where feed_code = ?")) {
            ps.setString(1, feed);
            ps.executeUpdate();
        }
        HubServices s = services();
        ApiPuller puller = new ApiPuller(s.database.dataSource(), s.feeds, s.intake,
                key -> s.settings.get(key), s.dataDir.resolve("archive"));
        List<ApiPuller.Page> pages = puller.pullAll(feed);
        for (ApiPuller.Page p : pages) {
            if ("staged".equals(p.status())) {
                s.matcher.matchDelivery(null, p.deliveryId());
            }
        }
        return pages;
    }

    private Map<String, Object> result(String feed, String id) throws Exception {
        List<Map<String, Object>> rows = hub.rows("select status, credential_code, exam_code, exam_name, attempted_on::text,"
                + " school_year, held_until, match_decision, attempt_key from result where feed_code = '" + feed
                + "' and source_ref = '" + id + "'");
        return rows.isEmpty() ? null : rows.get(0);
    }

    private String problem(long deliveryId) throws Exception {
        List<Map<String, Object>> rows = hub.rows("select reason from delivery_rejection where delivery_id = " + deliveryId
                + " order by row_number");
        return rows.isEmpty() ? null : rows.stream().map(r -> r.get("reason").toString()).reduce((a, b) -> a + " | " + b).get();
    }

    // ---- the public examples ----

    @Test
    void theOneEdTechExamplesLoadAndTheirAchievementIdentifiersMapThem() throws Exception {
        api.clearCredentials().credentials(List.of(
                Files.readString(EXAMPLES.resolve("ob30/simple.json")),
                Files.readString(EXAMPLES.resolve("ob30/complete.json")),
                Files.readString(EXAMPLES.resolve("ob30/simple-noproof.json")),
                JSON.writeValueAsString(Files.readString(EXAMPLES.resolve("ob30/simple.jwt")).strip())));
        List<ApiPuller.Page> pages = pull("examples");
        assertEquals("staged", pages.get(0).status());
        // the two that name an achievement load; simple-noproof and simple.jwt name none (OB 3.0 requires one)
        String problems = problem(pages.get(0).deliveryId());
        assertEquals(2, hub.count("select count(*) from delivery_rejection where delivery_id = " + pages.get(0).deliveryId()
                + " and reason like 'the credential names no achievement%'"), problems);
        assertEquals(2, hub.count("select count(*) from result where feed_code = 'examples'"), problems);
        // no humanCode: the achievement's id maps it
        Map<String, Object> simple = result("examples", "http://example.com/credentials/3527");
        assertEquals("ZZ-TEAM", simple.get("credential_code"));
        assertEquals("Teamwork", simple.get("exam_name"));
        assertEquals("2009-2010", simple.get("school_year"), "attempt date = validFrom");
        // humanCode R1 (and alignments) maps it; valid until 2030
        Map<String, Object> complete = result("examples", "http://1edtech.edu/credentials/3732");
        assertEquals("ZZ-DEG", complete.get("credential_code"));
        assertEquals("active", complete.get("status"));
    }

    @Test
    void aClrFileIsReadCredentialByCredentialAsOpenBadges() throws Exception {
        for (String name : List.of("simple.json", "complex.json")) {
            Path file = EXAMPLES.resolve("clr20/" + name);
            String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(file)));
            var outcome = services().intake.stage("clr", name, sha, file);
            assertNull(outcome.quarantineReason());
            int wrapped = name.equals("simple.json") ? 1 : 6;
            assertEquals(wrapped, outcome.rowsRead(), "each wrapped credential is a record");
            assertEquals(wrapped, outcome.rowsAccepted(), name);
        }
        Map<String, Object> team = result("clr", "http://example.com/credentials/3527");
        assertEquals("ZZ-CLRTEAM", team.get("credential_code"), "the wrapped credential's achievement id maps it");
        assertEquals(7, hub.count("select count(*) from result where feed_code = 'clr'"));
        // an endorsement wrapped in a CLR is refused, the rest taken
        ObjectNode clr = (ObjectNode) JSON.readTree(EXAMPLES.resolve("clr20/simple.json").toFile());
        ObjectNode inner = (ObjectNode) clr.path("credentialSubject").path("verifiableCredential").get(0);
        ObjectNode endorsement = inner.deepCopy();
        endorsement.put("id", "urn:uuid:clr-endorsement");
        endorsement.set("type", JSON.valueToTree(List.of("VerifiableCredential", "EndorsementCredential")));
        ((com.fasterxml.jackson.databind.node.ArrayNode) clr.path("credentialSubject").path("verifiableCredential")).add(endorsement);
        Path file = Files.createTempFile("clr", ".json");
        file.toFile().deleteOnExit();
        Files.write(file, JSON.writeValueAsBytes(clr));
        var outcome = services().intake.stage("clr", "with-endorsement.json", "x".repeat(64), file);
        assertEquals(1, outcome.rowsAccepted());
        assertEquals(1, outcome.rowsRejected());
        assertTrue(problem(outcome.deliveryId()).contains("of type EndorsementCredential")
                && problem(outcome.deliveryId()).contains("credential 2 of 2 in the CLR"), problem(outcome.deliveryId()));
    }

    @Test
    void aClrApiIsPulledPageByPageAndReadAsClrFilesAre() throws Exception {
        api.clrCredentials(List.of(Files.readString(EXAMPLES.resolve("clr20/simple.json")),
                Files.readString(EXAMPLES.resolve("clr20/complex.json"))));
        List<ApiPuller.Page> pages = pull("clrapi");
        assertEquals(List.of("staged", "staged"), pages.stream().map(ApiPuller.Page::status).toList(),
                "one ClrCredential a page (page-size 1), each page a delivery");
        assertEquals(7, hub.count("select count(*) from result where feed_code = 'clrapi'"),
                "each credential the CLRs wrap is a result, as from the files");
        Map<String, Object> team = result("clrapi", "http://example.com/credentials/3527");
        assertEquals("ZZ-CLRAPI", team.get("credential_code"), "the catalog's identifiers for the feed map it");
        assertEquals(0, hub.count("select coalesce(sum(rows_rejected), 0) from delivery where feed_code = 'clrapi'"));
    }

    @Test
    void anAchievementTheCatalogDoesNotKnowIsAnUnknownCredentialWithItsNameAndId() throws Exception {
        ObjectNode c = credential("urn:uuid:unknown-1", "https://issuer.test/achievements/basket-weaving",
                "2025-01-20T09:00:00Z", null);
        ((ObjectNode) c.path("credentialSubject").path("achievement")).put("name", "Basket Weaving");
        api.clearCredentials().credentials(List.of(sign(c).toString()));
        pull("signedbadges");
        Map<String, Object> r = result("signedbadges", "urn:uuid:unknown-1");
        assertNull(r.get("credential_code"));
        assertEquals("https://issuer.test/achievements/basket-weaving", r.get("exam_code"));
        assertEquals("Basket Weaving", r.get("exam_name"));
        services().exceptionQueue.refresh();
        assertEquals(1, hub.count("""
                select count(*) from result_exception e join result r using (result_id)
                where e.kind = 'unknown_exam_code' and r.source_ref = 'urn:uuid:unknown-1' and e.status = 'open'"""));
    }

    // ---- signed credentials ----

    @Test
    void signedCredentialsEndAsTheStandardSays() throws Exception {
        ObjectNode valid = sign(credential("urn:uuid:s-valid", "https://issuer.test/achievements/welding",
                "2025-02-01T09:00:00Z", null));
        ObjectNode tampered = sign(credential("urn:uuid:s-tampered", "https://issuer.test/achievements/welding",
                "2025-02-02T09:00:00Z", null));
        ((ObjectNode) tampered.path("credentialSubject").path("achievement")).put("name", "Welding, master level");
        ObjectNode unsigned = credential("urn:uuid:s-unsigned", "https://issuer.test/achievements/welding",
                "2025-02-03T09:00:00Z", null);
        ObjectNode expiredC = credential("urn:uuid:s-expired", "https://issuer.test/achievements/welding",
                "2025-02-04T09:00:00Z", null);
        expiredC.put("validUntil", "2025-03-01T00:00:00Z");
        ObjectNode expired = sign(expiredC);
        Instant validFrom = Instant.now().truncatedTo(ChronoUnit.SECONDS).plus(1, ChronoUnit.HOURS);
        ObjectNode later = sign(credential("urn:uuid:s-later", "https://issuer.test/achievements/welding",
                validFrom.toString(), null));
        ObjectNode endorsementC = credential("urn:uuid:s-endorse", "https://issuer.test/achievements/welding",
                "2025-02-05T09:00:00Z", null);
        endorsementC.set("type", JSON.valueToTree(List.of("VerifiableCredential", "EndorsementCredential")));
        ObjectNode endorsement = sign(endorsementC);
        ObjectNode revoked = sign(credential("urn:uuid:s-revoked", "ce-5b3a9c2e-0000-4000-8000-00000000safe",
                "2025-02-06T09:00:00Z", statusEntry(5)));
        ObjectNode laterRevoked = sign(credential("urn:uuid:s-later-revoked", "ce-5b3a9c2e-0000-4000-8000-00000000safe",
                "2025-02-07T09:00:00Z", statusEntry(6)));
        String jwt = jwt(credential("urn:uuid:s-jwt", "https://issuer.test/achievements/welding", "2025-02-08T09:00:00Z", null));
        setBit(5);
        publishBits();
        api.clearCredentials().credentials(List.of(valid.toString(), tampered.toString(), unsigned.toString(),
                expired.toString(), later.toString(), endorsement.toString(), revoked.toString(),
                laterRevoked.toString()));
        List<ApiPuller.Page> pages = pull("signedbadges");
        long delivery = pages.get(0).deliveryId();
        String problems = problem(delivery);
        assertNotNull(problems);

        assertEquals("active", result("signedbadges", "urn:uuid:s-valid").get("status"));
        assertEquals("ZZ-WELD", result("signedbadges", "urn:uuid:s-valid").get("credential_code"));
        assertNull(result("signedbadges", "urn:uuid:s-tampered"), "tampered after signing: refused");
        assertTrue(problems.contains("its proof does not verify"), problems);
        assertNull(result("signedbadges", "urn:uuid:s-unsigned"), "no proof where one is required: refused");
        assertTrue(problems.contains("has no proof, and this feed requires one"), problems);
        assertNull(result("signedbadges", "urn:uuid:s-endorse"), "an endorsement is no award");
        assertTrue(problems.contains("of type EndorsementCredential, not an award"), problems);
        assertEquals("active", result("signedbadges", "urn:uuid:s-expired").get("status"), "expired: counts for when it was valid");
        assertEquals("2024-2025", result("signedbadges", "urn:uuid:s-expired").get("school_year"));
        assertEquals("pending", result("signedbadges", "urn:uuid:s-later").get("status"), "not yet valid: held, not refused");
        assertNotNull(result("signedbadges", "urn:uuid:s-later").get("held_until"));
        assertEquals("revoked", result("signedbadges", "urn:uuid:s-revoked").get("status"));
        assertEquals("ZZ-SAFE", result("signedbadges", "urn:uuid:s-revoked").get("credential_code"), "a CTID maps it");
        assertEquals("active", result("signedbadges", "urn:uuid:s-later-revoked").get("status"));
        assertEquals(3, hub.count("select count(*) from delivery_rejection where delivery_id = " + delivery), problems);

        // the issuer revokes another; a later credential becomes valid: the next pull (or reporting load) sees both
        setBit(6);
        publishBits();
        services().standing.recheck("signedbadges");
        assertEquals("pending", result("signedbadges", "urn:uuid:s-later").get("status"), "not valid yet: still held");
        assertEquals(1, hub.count("select count(*) from result where source_ref = 'urn:uuid:s-later' and held_until = '"
                + validFrom + "'::timestamptz"), "held until its validFrom");
        // an hour passes (the hold's end moved back instead of the test waiting for it)
        try (var c = hub.db().getConnection(); var st = c.createStatement()) {
            st.executeUpdate("update result set held_until = held_until - interval '1 hour 1 second'"
                    + " where source_ref = 'urn:uuid:s-later'");
        }
        services().standing.recheck("signedbadges");
        assertEquals("revoked", result("signedbadges", "urn:uuid:s-later-revoked").get("status"), "newly revoked: retracted");
        assertEquals("active", result("signedbadges", "urn:uuid:s-later").get("status"), "now valid: counted");

        // a JWT (VC-JOSE, EdDSA) and the same JWT with its payload changed
        String[] p = jwt.split("\\.");
        JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(p[1]));
        ((ObjectNode) payload).put("validFrom", "2025-02-09T09:00:00Z");
        ((ObjectNode) payload).put("id", "urn:uuid:s-jwt-tampered");
        String tamperedJwt = p[0] + "." + b64(JSON.writeValueAsBytes(payload)) + "." + p[2];
        api.clearCredentials().credentials(List.of(JSON.writeValueAsString(jwt), JSON.writeValueAsString(tamperedJwt)));
        List<ApiPuller.Page> jwtPages = pull("signedbadges");
        assertEquals("active", result("signedbadges", "urn:uuid:s-jwt").get("status"));
        assertNull(result("signedbadges", "urn:uuid:s-jwt-tampered"));
        assertTrue(problem(jwtPages.get(0).deliveryId()).contains("its JWT signature does not verify"),
                problem(jwtPages.get(0).deliveryId()));
    }

    @Test
    void eightCredentialsSharingOneIdFromEightIssuersAreEightAwards() throws Exception {
        List<String> eight = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            ObjectNode c = credential("http://example.edu/credentials/3732", "https://issuer.test/achievements/welding",
                    "2025-03-0" + i + "T09:00:00Z", null);
            c.put("issuer", "https://issuer-" + i + ".test");
            eight.add(c.toString());
        }
        api.clearCredentials().credentials(eight);
        pull("badges");
        assertEquals(8, hub.count("select count(*) from result where feed_code = 'badges'"
                + " and source_ref = 'http://example.edu/credentials/3732'"), "none corrects another");
    }

    @Test
    void aDidWebIssuerIsVerifiedWithItsDidDocument() throws Exception {
        String host = "127.0.0.1%3A" + java.net.URI.create(api.baseUrl()).getPort();
        String did = "did:web:" + host + ":issuers:web1";
        api.document("/issuers/web1/did.json", JSON.writeValueAsString(Map.of("id", did, "verificationMethod", List.of(
                Map.of("id", did + "#key-1", "type", "Multikey", "controller", did,
                        "publicKeyMultibase", IssuerKeys.multibase(issuerKey.getPublic()))))));
        ObjectNode c = credential("urn:uuid:web-1", "https://issuer.test/achievements/welding", "2025-04-01T09:00:00Z", null);
        c.put("issuer", did);
        ObjectNode other = credential("urn:uuid:web-2", "https://issuer.test/achievements/welding", "2025-04-02T09:00:00Z", null);
        other.put("issuer", did);
        ObjectNode signedOther = sign(other, issuerDid + "#" + IssuerKeys.multibase(issuerKey.getPublic()));
        api.clearCredentials().credentials(List.of(sign(c, did + "#key-1").toString(), signedOther.toString()));
        List<ApiPuller.Page> pages = pull("signedbadges");
        assertEquals("active", result("signedbadges", "urn:uuid:web-1").get("status"));
        assertNull(result("signedbadges", "urn:uuid:web-2"), "signed with a key that is not the issuer's");
        assertTrue(problem(pages.get(0).deliveryId()).contains("is not its issuer's"), problem(pages.get(0).deliveryId()));
    }

    // ---- making credentials ----

    private ObjectNode credential(String id, String achievementId, String validFrom, JsonNode status) {
        ObjectNode c = JSON.createObjectNode();
        c.set("@context", JSON.valueToTree(List.of(CONTEXT)));
        c.put("id", id);
        c.set("type", JSON.valueToTree(List.of("VerifiableCredential", "OpenBadgeCredential")));
        c.put("issuer", issuerDid);
        c.put("validFrom", validFrom);
        c.put("name", "Badge");
        ObjectNode subject = c.putObject("credentialSubject");
        subject.set("type", JSON.valueToTree(List.of("AchievementSubject")));
        subject.set("identifier", JSON.valueToTree(List.of(Map.of("type", "IdentityObject", "identityType", "studentId",
                "hashed", false, "identityHash", STUDENT))));
        ObjectNode a = subject.putObject("achievement");
        a.put("type", "Achievement");
        a.put("name", "Achievement");
        if (achievementId.startsWith("ce-")) {
            a.put("id", "https://issuer.test/achievements/" + id.substring(9));
            a.set("alignment", JSON.valueToTree(List.of(Map.of("type", "Alignment", "targetName", "CTDL",
                    "targetCode", achievementId, "targetUrl", "https://credentialengineregistry.org/resources/" + achievementId))));
        } else {
            a.put("id", achievementId);
        }
        if (status != null) {
            c.set("credentialStatus", status);
        }
        return c;
    }

    private JsonNode statusEntry(int index) {
        return JSON.valueToTree(Map.of("id", api.baseUrl() + "/status/1#" + index, "type", "BitstringStatusListEntry",
                "statusPurpose", "revocation", "statusListIndex", String.valueOf(index),
                "statusListCredential", api.baseUrl() + "/status/1"));
    }

    private ObjectNode sign(ObjectNode c) throws Exception {
        return sign(c, issuerDid + "#" + IssuerKeys.multibase(issuerKey.getPublic()));
    }

    /** Data Integrity eddsa-rdfc-2022: the hub's canonicalization gives the bytes, the test's key signs them. */
    private ObjectNode sign(ObjectNode c, String verificationMethod) throws Exception {
        ObjectNode proof = JSON.createObjectNode();
        proof.put("type", "DataIntegrityProof");
        proof.put("cryptosuite", "eddsa-rdfc-2022");
        proof.put("created", "2025-01-01T00:00:00Z");
        proof.put("verificationMethod", verificationMethod);
        proof.put("proofPurpose", "assertionMethod");
        byte[] data = services().verification.proofs().hashData(c, proof);
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(issuerKey.getPrivate());
        s.update(data);
        proof.put("proofValue", "z" + IssuerKeys.base58(s.sign()));
        ObjectNode signed = c.deepCopy();
        signed.set("proof", proof);
        return signed;
    }

    /** VC-JOSE: a compact JWS, EdDSA, whose payload is the credential. */
    private String jwt(ObjectNode c) throws Exception {
        String header = b64(JSON.writeValueAsBytes(Map.of("alg", "EdDSA", "typ", "vc+jwt",
                "kid", issuerDid + "#" + IssuerKeys.multibase(issuerKey.getPublic()))));
        String payload = b64(JSON.writeValueAsBytes(c));
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(issuerKey.getPrivate());
        s.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
        return header + "." + payload + "." + b64(s.sign());
    }

    @Test
    void aStatusListIsBelievedOnlyWhenItsOwnProofVerifies() throws Exception {
        setBit(9);
        // the issuer's lists, signed: Data Integrity, and a VC-JOSE JWT; both believed, their credentials revoked
        api.document("/status/1", sign(statusListCredential("/status/1")).toString());
        api.document("/status/3", jwt(statusListCredential("/status/3")));
        // a signed list changed after signing (its bit 9 cleared): not believed, its credential unconfirmed
        ObjectNode changed = sign(statusListCredential("/status/2"));
        bits[9 / 8] = 0;
        ((ObjectNode) changed.path("credentialSubject")).put("encodedList",
                statusListCredential("/status/2").path("credentialSubject").path("encodedList").asText());
        setBit(9);
        api.document("/status/2", changed.toString());
        List<String> records = new ArrayList<>();
        for (int list = 1; list <= 3; list++) {
            records.add(signedOnList("urn:uuid:on-list-" + list, list, 9, "2025-02-1" + list + "T09:00:00Z"));
        }
        services().verification.statusLists().forget();
        api.clearCredentials().credentials(records);
        pull("signedbadges");
        assertEquals("revoked", result("signedbadges", "urn:uuid:on-list-1").get("status"), "a signed list");
        assertEquals("revoked", result("signedbadges", "urn:uuid:on-list-3").get("status"), "a list as a JWT");
        assertEquals("pending", result("signedbadges", "urn:uuid:on-list-2").get("status"),
                "a list changed after signing is not believed: its credentials stay unconfirmed");
    }

    @Test
    void aFeedThatRequiresSignedStatusListsDoesNotBelieveAnUnsignedOne() throws Exception {
        // an unsigned list, and a signed one; the credentials' bit (20) is clear on both
        api.document("/status/6", statusListCredential("/status/6").toString());
        api.document("/status/7", sign(statusListCredential("/status/7")).toString());
        List<String> records = new ArrayList<>();
        for (int list = 6; list <= 7; list++) {
            records.add(signedOnList("urn:uuid:signed-lists-" + list, list, 20, "2025-03-0" + list + "T09:00:00Z"));
        }
        services().verification.statusLists().forget();
        api.clearCredentials().credentials(records);
        pull("signedlists");
        pull("signedbadges");
        assertEquals("pending", result("signedlists", "urn:uuid:signed-lists-6").get("status"),
                "verify.status: signed: an unsigned list is not believed, its credential stays unconfirmed");
        assertEquals("active", result("signedlists", "urn:uuid:signed-lists-7").get("status"), "a signed list is believed");
        assertEquals("active", result("signedbadges", "urn:uuid:signed-lists-6").get("status"),
                "verify.status: check (default): an unsigned list is believed as served");
        // the issuer signs its list: the re-check before a load counts the credential
        api.document("/status/6", sign(statusListCredential("/status/6")).toString());
        services().verification.statusLists().forget();
        services().standing.recheck("signedlists");
        assertEquals("active", result("signedlists", "urn:uuid:signed-lists-6").get("status"));
    }

    /** A signed safety credential whose revocation status is bit {@code index} of the test server's list {@code list}. */
    private String signedOnList(String id, int list, int index, String validFrom) throws Exception {
        JsonNode entry = JSON.valueToTree(Map.of("id", api.baseUrl() + "/status/" + list + "#" + index,
                "type", "BitstringStatusListEntry", "statusPurpose", "revocation", "statusListIndex", String.valueOf(index),
                "statusListCredential", api.baseUrl() + "/status/" + list));
        return sign(credential(id, "ce-5b3a9c2e-0000-4000-8000-00000000safe", validFrom, entry)).toString();
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private void setBit(int index) {
        bits[index / 8] |= (byte) (1 << (7 - index % 8));
    }

    /** The issuer's Bitstring Status List credential (GZIP, multibase base64url), served by the test server. */
    private void publishBits() throws Exception {
        api.document("/status/1", statusListCredential("/status/1").toString());
    }

    /** A Bitstring Status List credential of the bits as they are, for the list at this path. */
    private ObjectNode statusListCredential(String path) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bits);
        }
        return JSON.valueToTree(Map.of("@context", List.of(CONTEXT),
                "id", api.baseUrl() + path, "type", List.of("VerifiableCredential", "BitstringStatusListCredential"),
                "issuer", issuerDid, "validFrom", "2025-01-01T00:00:00Z", "credentialSubject", Map.of("id", api.baseUrl() + path + "#list",
                        "type", "BitstringStatusList", "statusPurpose", "revocation", "encodedList", "u" + b64(out.toByteArray()))));
    }
}
