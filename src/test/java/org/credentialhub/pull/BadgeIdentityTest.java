package org.credentialhub.pull;

import org.credentialhub.roster.RosterLoader;
import org.credentialhub.runtime.HubServices;
import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.credentialhub.mapping.LayoutFiles.identity;
import static org.credentialhub.mapping.LayoutFiles.issuedBadge;
import static org.credentialhub.mapping.LayoutFiles.ob3Credential;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, badge identity: a badge is matched on every identity it carries (Open Badges 3.0 {@code identifier}
 * entries of type name and birth date, plain or hashed with a salt; an issued badge's names and earner identifiers),
 * not on its ID alone. A real hub (PostgreSQL) pulls from a real local HTTP server ({@link FixtureApiServer}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadgeIdentityTest {
    /** Student A: the badges' wrong IDs point at her. */
    private static final String A = "1000000021";
    /** Student B: the names and birth dates point at him. */
    private static final String B = "1000000022";
    private static final String B_NAME = "Marcus Whitfield";
    private static final String B_BIRTH = "2008-02-14";
    /** A Cara whose double surname ends in another student's surname. */
    private static final String CARA_DOUBLE = "1000000029";

    private FixtureApiServer api;
    private TestHub hub;

    @BeforeAll
    void start() throws Exception {
        api = FixtureApiServer.start(0).clientCredentials("credential-hub", "s3cret").apiToken("tok-123");
        api.credentials(List.of(
                // the ID is A's; the name and birth date are B's (plain)
                ob3Credential("urn:uuid:b1", "BA-32AAB", "2025-01-10T09:00:00Z", List.of(
                        identity("studentId", A, null), identity("name", B_NAME, null),
                        identity("ext:birthDate", B_BIRTH, null))),
                // the ID is A's; the name and birth date are B's, hashed with salts
                ob3Credential("urn:uuid:b2", "BA-32AAB", "2025-01-11T09:00:00Z", List.of(
                        identity("studentId", A, null), identity("name", B_NAME, "pepper-1"),
                        identity("ext:birthDate", B_BIRTH, "pepper-2"))),
                // no ID: name and birth date only, plain
                ob3Credential("urn:uuid:b3", "BA-32AAB", "2025-01-12T09:00:00Z", List.of(
                        identity("name", B_NAME, null), identity("ext:birthDate", B_BIRTH, null))),
                // no ID: the name plain, the birth date hashed with a salt
                ob3Credential("urn:uuid:b4", "BA-32AAB", "2025-01-13T09:00:00Z", List.of(
                        identity("name", B_NAME, null), identity("ext:birthDate", B_BIRTH, "s4"))),
                // A's own ID, hashed name and birth date that are hers: the hashes corroborate the ID
                ob3Credential("urn:uuid:b5", "BA-32AAB", "2025-01-14T09:00:00Z", List.of(
                        identity("studentId", A, null), identity("name", "Ana Peña", "s5"),
                        identity("ext:birthDate", "2007-05-01", "s6"))),
                // A's e-mail, with B's name (written Last, First) and hashed birth date: the e-mail does not decide
                ob3Credential("urn:uuid:b6", "BA-32AAB", "2025-01-15T09:00:00Z", List.of(
                        identity("emailAddress", "ana.pena@example.org", null), identity("name", "Whitfield, Marcus", null),
                        identity("ext:birthDate", B_BIRTH, "s7"))),
                // the name of one student exactly (one part of another's double surname), with a hashed birth date
                // that is not hers: the other student's
                ob3Credential("urn:uuid:b7", "BA-32AAB", "2025-01-16T09:00:00Z", List.of(
                        identity("name", "Cara Lopez", null), identity("ext:birthDate", "2008-04-02", "s11")))));
        api.badges(List.of(
                // the earner ID is A's; names and birth date B's
                issuedBadge("ib-1", "2025-02-01T10:00:00Z", A, "Marcus", "Whitfield", null, "IS-19F2C",
                        List.of(identity("ext:birthDate", B_BIRTH, null))),
                // no ID, no first/last name fields: the full name (issued_to) and a hashed birth date
                issuedBadge("ib-2", "2025-02-02T10:00:00Z", null, null, null, B_NAME, "IS-19F2C",
                        List.of(identity("ext:birthDate", B_BIRTH, "s8"))),
                // the earner ID is A's; only hashed identifiers, B's
                issuedBadge("ib-3", "2025-02-03T10:00:00Z", A, null, null, null, "IS-19F2C",
                        List.of(identity("name", B_NAME, "s9"), identity("ext:birthDate", B_BIRTH, "s10")))));
        // the routes do not pull (no secrets set): each test pulls itself
        hub = TestHub.start(Map.of("hub.api.delay", "3600000"));
        hub.runtime.services().roster.load(List.of(
                new RosterLoader.Student(A, "Ana", "Peña", LocalDate.of(2007, 5, 1), "910", "910301"),
                new RosterLoader.Student(B, "Marcus", "Whitfield", LocalDate.parse(B_BIRTH), "910", "910301"),
                new RosterLoader.Student("1000000023", "Cara", "Lopez", LocalDate.of(2007, 11, 23), "920", "920301"),
                new RosterLoader.Student("1000000024", "Dee", "Smith", LocalDate.of(2008, 7, 9), "920", "920301"),
                new RosterLoader.Student("1000000025", "Ben", "Okafor", LocalDate.of(2007, 3, 30), "910", "910301"),
                new RosterLoader.Student("1000000026", "Lena", "Okafor", LocalDate.of(2009, 1, 12), "910", "910301"),
                new RosterLoader.Student("1000000027", "Marcus", "Whitley", LocalDate.of(2007, 9, 2), "920", "920301"),
                new RosterLoader.Student("1000000028", "Maria", "Whitfield", LocalDate.of(2006, 12, 5), "920", "920301"),
                new RosterLoader.Student(CARA_DOUBLE, "Cara", "García López", LocalDate.of(2008, 4, 2), "930", "930301")));
        pullAndMatch("badges");
        pullAndMatch("issuedbadges");
    }

    @AfterAll
    void stop() throws Exception {
        Fixtures.closeAll(hub, api);
    }

    private void pullAndMatch(String feed) throws Exception {
        HubServices s = hub.runtime.services();
        Map<String, String> overrides = Map.of(
                "hub.api.base-url." + feed, api.baseUrl(),
                "hub.api.secret." + feed, "badges".equals(feed) ? "s3cret" : "tok-123");
        ApiPuller puller = new ApiPuller(s.database.dataSource(), s.feeds, s.intake,
                key -> overrides.containsKey(key) ? Optional.of(overrides.get(key)) : s.settings.get(key),
                s.dataDir.resolve("archive"));
        for (ApiPuller.Page p : puller.pullAll(feed)) {
            if ("staged".equals(p.status())) {
                s.matcher.matchDelivery(feed, p.deliveryId());
            }
        }
    }

    /** The decision on a record and the state-ID hash of the student it went to (null: none). */
    private Map<String, Object> decision(String ref) throws Exception {
        List<Map<String, Object>> rows = hub.rows("""
                select r.match_decision, s.state_id_hash, s.first_name
                from result r left join student s on s.student_id = r.student_id
                where r.source_ref = '%s'""".formatted(ref));
        assertEquals(1, rows.size(), ref);
        return rows.get(0);
    }

    private String hashOf(String stateId) {
        return hub.runtime.services().hmac.stateId(stateId);
    }

    private void assertMatched(String ref, String stateId) throws Exception {
        Map<String, Object> d = decision(ref);
        assertEquals("match", d.get("match_decision"), ref + ": " + d.get("match_decision"));
        assertEquals(hashOf(stateId), d.get("state_id_hash"), ref + " went to " + d.get("first_name"));
    }

    private void assertNotMatchedTo(String ref, String stateId) throws Exception {
        Map<String, Object> d = decision(ref);
        assertNotEquals(hashOf(stateId), d.get("state_id_hash"), ref + " was matched to the ID's student");
    }

    @Test
    void anIdContradictedByPlainNameAndBirthDateGoesToTheirStudent() throws Exception {
        assertNotMatchedTo("urn:uuid:b1", A);
        assertMatched("urn:uuid:b1", B);
    }

    @Test
    void anIdContradictedByHashedNameAndBirthDateIsNotAutoMatched() throws Exception {
        assertNotMatchedTo("urn:uuid:b2", A);
        assertNotEquals("match", decision("urn:uuid:b2").get("match_decision"));
    }

    @Test
    void nameAndBirthDateAloneFindTheStudent() throws Exception {
        assertMatched("urn:uuid:b3", B);
        assertMatched("urn:uuid:b4", B);
        assertMatched("urn:uuid:b6", B);
    }

    @Test
    void aNameWhoseHashedBirthDateIsNotTheNamesakesIsNotMatchedToHer() throws Exception {
        assertNotMatchedTo("urn:uuid:b7", "1000000023");
        assertEquals("review", decision("urn:uuid:b7").get("match_decision"));
    }

    @Test
    void hashedIdentifiersThatAgreeCorroborateTheId() throws Exception {
        assertMatched("urn:uuid:b5", A);
    }

    @Test
    void issuedBadgesToo() throws Exception {
        assertNotMatchedTo("ib-1", A);
        assertMatched("ib-1", B);
        assertMatched("ib-2", B);
        assertNotMatchedTo("ib-3", A);
        assertNotEquals("match", decision("ib-3").get("match_decision"));
    }

    @Test
    void noPlainIdentifierInTheLogOrTheStore() throws Exception {
        // the hashed identifiers are kept as sent (hash and salt), never as the value they were found to hash
        List<Map<String, Object>> rows = hub.rows("""
                select i.first_name, i.birth_date::text as birth_date, i.name_hash, i.birth_date_salt
                from result r join result_identity i using (result_id) where r.source_ref = 'urn:uuid:b2'""");
        assertEquals(1, rows.size());
        assertEquals(null, rows.get(0).get("first_name"));
        assertEquals(null, rows.get(0).get("birth_date"));
        assertTrue(rows.get(0).get("name_hash").toString().startsWith("sha256$"));
        assertEquals("pepper-2", rows.get(0).get("birth_date_salt"));
        assertFalse(hub.rows("select reasons::text as r from match_candidate").stream()
                .anyMatch(r -> r.get("r").toString().contains("Whitfield") || r.get("r").toString().contains(B_BIRTH)));
    }
}
