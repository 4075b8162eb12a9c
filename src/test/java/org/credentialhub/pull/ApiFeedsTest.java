package org.credentialhub.pull;

import org.credentialhub.mapping.LayoutFiles;
import org.credentialhub.runtime.HubServices;
import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API feeds against a real local HTTP server ({@link FixtureApiServer} on 127.0.0.1) that pages,
 * throttles and fails: OAuth 2.0 client credentials (badges), HTTP basic auth (issuedbadges), paging by
 * Link header and by metadata, back-off on 429 and 5xx, the since-cursor kept in PostgreSQL (a restarted
 * puller continues where the last one stopped), revocations retracting results.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiFeedsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private FixtureApiServer api;
    private TestHub hub;

    @BeforeAll
    void start() throws Exception {
        api = FixtureApiServer.start(0).clientCredentials("credential-hub", "s3cret").apiToken("tok-123").maxPageSize(2);
        List<String> creds = new ArrayList<>();
        creds.add(LayoutFiles.ob3Credential("urn:uuid:c1", "1000000001", "a@example.org", "BA-32AAB", "2025-01-10T09:00:00Z"));
        creds.add(LayoutFiles.ob3Credential("urn:uuid:c2", null, "b@example.org", "BA-3946D", "2025-01-11T09:00:00Z"));
        creds.add(LayoutFiles.ob3Credential("urn:uuid:c3", "1000000003", "c@example.org", "BA-32AAB", "2025-01-12T09:00:00Z"));
        creds.add(LayoutFiles.ob3Credential("urn:uuid:c4", "1000000003", "c@example.org", "NOT-A-CODE", "2025-01-13T09:00:00Z"));
        creds.add(LayoutFiles.ob3Credential("urn:uuid:c5", "1000000001", "a@example.org", "BA-3946D", "2025-01-14T09:00:00Z"));
        api.credentials(creds);
        api.badges(List.of(
                LayoutFiles.issuedBadge("ib-1", "accepted", "2025-02-01T10:00:00Z", "1000000001", "IS-19F2C"),
                LayoutFiles.issuedBadge("ib-2", "pending", "2025-02-02T10:00:00Z", null, "IS-24A52"),
                LayoutFiles.issuedBadge("ib-3", "accepted", "2025-02-03T10:00:00Z", "1000000003", "IS-24A52")));
        // the first pulls meet a throttle and two server errors
        api.retryAfter(1);
        api.failNext(429, 1);
        api.failNext(503, 2);
        hub = TestHub.start(Map.of(
                "hub.api.base-url.badges", api.baseUrl(),
                "hub.api.secret.badges", "s3cret",
                "hub.api.base-url.issuedbadges", api.baseUrl(),
                "hub.api.secret.issuedbadges", "tok-123",
                "hub.api.poll.badges", "1h",
                "hub.api.poll.issuedbadges", "1h",
                "hub.api.delay", "300",
                "hub.api.backoff.badges", "100ms",
                "hub.api.backoff.issuedbadges", "100ms",
                // a pull is matched as it goes once its staged pages hold three results
                "hub.matching.batch-rows", "3"));
        hub.runtime.services().roster.load(List.of(Fixtures.ANA, Fixtures.CARA));
    }

    @AfterAll
    void stop() throws Exception {
        Fixtures.closeAll(hub, api);
    }

    private HubServices services() {
        return hub.runtime.services();
    }

    /** A puller as a freshly started hub has it: nothing in memory, everything from PostgreSQL. */
    private ApiPuller freshPuller(Map<String, String> overrides) {
        HubServices s = services();
        return new ApiPuller(s.database.dataSource(), s.feeds, s.intake,
                key -> overrides.containsKey(key) ? Optional.of(overrides.get(key)) : s.settings.get(key),
                s.dataDir.resolve("archive"));
    }

    private void matchAll(List<ApiPuller.Page> pages) throws Exception {
        for (ApiPuller.Page p : pages) {
            if ("staged".equals(p.status())) {
                services().matcher.matchDelivery(null, p.deliveryId());
            }
        }
    }

    @Test
    @Order(1)
    void routesPullEveryPageThroughThrottlingAndFailures() throws Exception {
        TestHub.await("both API feeds pulled", WAIT, () ->
                hub.count("select count(*) from result where feed_code = 'badges' and match_decision is not null") == 5
                        && hub.count("select count(*) from result where feed_code = 'issuedbadges' and match_decision is not null") == 3
                        && hub.count("select count(*) from api_cursor where next_page is null and since is not null") == 2);
        // 5 credentials, 2 per page: 3 deliveries; 3 badges, 2 per page: 2 deliveries
        assertEquals(3, hub.count("select count(*) from delivery where feed_code = 'badges' and status = 'accepted_with_rejections' or feed_code = 'badges' and status = 'accepted'"));
        assertEquals(2, hub.count("select count(*) from delivery where feed_code = 'issuedbadges'"));
        assertTrue(api.requests() >= 3 + 2 + 1 + 3, "the throttled and failed requests were retried: " + api.requests());
        // the first two pages (four results) were matched, and marked processed, before the third was staged
        assertEquals(2, hub.count("""
                select count(*) from delivery d where d.feed_code = 'badges' and d.processed_at < (
                    select max(received_at) from delivery where feed_code = 'badges')"""));

        Map<String, Object> c1 = hub.rows("""
                select r.source_ref, r.credential_code, r.match_decision, l.source_row, d.source_name
                from result r join result_lineage l using (result_id) join delivery d on d.delivery_id = l.delivery_id
                where r.feed_code = 'badges' and r.source_ref = 'urn:uuid:c1'""").get(0);
        assertEquals("urn:uuid:c1", c1.get("source_ref"));
        // issue 16: the issuer and the credential's id key the award
        assertEquals("https://vendor.example/issuers/1|urn:uuid:c1", hub.rows(
                "select attempt_key from result where source_ref = 'urn:uuid:c1'").get(0).get("attempt_key"));
        assertEquals(1, c1.get("source_row"), "an API record's lineage row is 1; it is found by its id");
        assertEquals("NC-80B60A", c1.get("credential_code"));
        assertEquals("match", c1.get("match_decision"));
        assertTrue(c1.get("source_name").toString().startsWith("/ims/ob/v3p0/credentials?limit="), c1.toString());
        // an exam code the catalog does not know is kept without a credential
        assertNull(hub.rows("select credential_code from result where source_ref = 'urn:uuid:c4'").get(0).get("credential_code"));
        assertEquals("2025-01-14T09:00:00Z", hub.rows("select since from api_cursor where feed_code = 'badges'").get(0).get("since"));
        assertEquals("NC-80DF30", hub.rows("select credential_code from result where source_ref = 'ib-1'").get(0).get("credential_code"));
        assertEquals("active", hub.rows("select status from result where source_ref = 'ib-1'").get(0).get("status"));
    }

    @Test
    @Order(2)
    void nothingNewMeansNoDelivery() throws Exception {
        long deliveries = hub.count("select count(*) from delivery");
        List<ApiPuller.Page> pages = freshPuller(Map.of()).pullAll("badges");
        assertEquals(List.of("empty"), pages.stream().map(ApiPuller.Page::status).toList());
        assertTrue(pages.get(0).url().contains("since=2025-01-14T09%3A00%3A00Z"), pages.get(0).url());
        assertEquals(deliveries, hub.count("select count(*) from delivery"));
    }

    @Test
    @Order(3)
    void revokedBadgeRetractsItsResult() throws Exception {
        api.revokeBadge("ib-1");
        matchAll(freshPuller(Map.of()).pullAll("issuedbadges"));
        assertEquals("revoked", hub.rows("select status from result where source_ref = 'ib-1'").get(0).get("status"));
        assertEquals(3, hub.count("select count(*) from result where feed_code = 'issuedbadges'"), "retracted, not duplicated");
        assertEquals(2, hub.count("select count(*) from result_lineage l join result r using (result_id) where r.source_ref = 'ib-1'"));
    }

    @Test
    @Order(4)
    void aRestartedPullContinuesWhereTheLastStopped() throws Exception {
        api.credentials(List.of(
                LayoutFiles.ob3Credential("urn:uuid:c6", "1000000001", "a@example.org", "BA-32AAB", "2025-03-01T09:00:00Z"),
                LayoutFiles.ob3Credential("urn:uuid:c7", "1000000003", "c@example.org", "BA-32AAB", "2025-03-02T09:00:00Z"),
                // a correction of c2: same credential id, now with a plain student ID
                LayoutFiles.ob3Credential("urn:uuid:c2", "1000000003", "b@example.org", "BA-3946D", "2025-03-03T09:00:00Z")));
        ApiPuller first = freshPuller(Map.of("hub.api.retries.badges", "2"));
        ApiPuller.Page one = first.nextPage("badges");
        assertEquals("staged", one.status());
        assertTrue(one.more());
        api.failNext(503, 2);
        IOException down = assertThrows(IOException.class, () -> first.nextPage("badges"));
        assertTrue(down.getMessage().contains("failed after 2 attempts (HTTP 503)"), down.getMessage());
        String stoppedAt = (String) hub.rows("select next_page from api_cursor where feed_code = 'badges'").get(0).get("next_page");
        assertTrue(stoppedAt.contains("offset=2"), stoppedAt);

        List<ApiPuller.Page> rest = freshPuller(Map.of()).pullAll("badges");
        assertEquals(1, rest.size());
        assertTrue(rest.get(0).url().contains("offset=2"), rest.get(0).url());
        matchAll(rest);
        matchAll(List.of(one));
        assertEquals(7, hub.count("select count(*) from result where feed_code = 'badges'"), "no page taken twice");
        assertEquals("match", hub.rows("select match_decision from result where source_ref = 'urn:uuid:c2'").get(0).get("match_decision"));
        assertEquals("2025-03-03T09:00:00Z", hub.rows("select since from api_cursor where feed_code = 'badges'").get(0).get("since"));
    }

    @Test
    @Order(5)
    void wrongSecretsAreRefused() {
        IOException oauth = assertThrows(IOException.class,
                () -> freshPuller(Map.of("hub.api.secret.badges", "wrong")).nextPage("badges"));
        assertTrue(oauth.getMessage().contains("token endpoint answered HTTP 401"), oauth.getMessage());
        IOException basic = assertThrows(IOException.class,
                () -> freshPuller(Map.of("hub.api.secret.issuedbadges", "wrong")).nextPage("issuedbadges"));
        assertTrue(basic.getMessage().contains("answered HTTP 401"), basic.getMessage());
    }

    @Test
    @Order(6)
    void aCredentialNotYetValidDoesNotStopLaterPulls() throws Exception {
        // issue 16: a credential valid from 2099 made the since-cursor 2099, and nothing issued before it was pulled again
        api.credentials(List.of(
                LayoutFiles.ob3Credential("urn:uuid:c8", "1000000001", "a@example.org", "BA-32AAB", "2025-04-01T09:00:00Z"),
                LayoutFiles.ob3Credential("urn:uuid:c9", "1000000003", "c@example.org", "BA-32AAB", "2099-01-01T00:00:00Z")));
        matchAll(freshPuller(Map.of()).pullAll("badges"));
        assertEquals(1, hub.count("select count(*) from result where source_ref = 'urn:uuid:c8'"));
        // held, not refused: kept pending until 2099, then counted (standards.Standing)
        assertEquals("pending", hub.rows("select status from result where source_ref = 'urn:uuid:c9'").get(0).get("status"));
        String since = (String) hub.rows("select since from api_cursor where feed_code = 'badges'").get(0).get("since");
        assertEquals("2025-04-01T09:00:00Z", since, "the cursor never passes now");

        api.credentials(List.of(
                LayoutFiles.ob3Credential("urn:uuid:c9", "1000000003", "c@example.org", "BA-32AAB", "2099-01-01T00:00:00Z"),
                LayoutFiles.ob3Credential("urn:uuid:c10", "1000000003", "c@example.org", "BA-3946D", "2025-04-02T09:00:00Z")));
        matchAll(freshPuller(Map.of()).pullAll("badges"));
        assertEquals(1, hub.count("select count(*) from result where source_ref = 'urn:uuid:c10'"), "issued later, still pulled");
        assertEquals("2025-04-02T09:00:00Z", hub.rows("select since from api_cursor where feed_code = 'badges'").get(0).get("since"));
    }

    @Test
    @Order(7)
    void aPullStoppedMidwayGoesOnAtTheBaseUrlConfiguredNow() throws Exception {
        // drill: a pull killed between its pages went on, after the restart, at the page URL the killed run had
        // stored, on a server the configuration no longer named; it failed to connect again and again and never ended
        String now = java.time.Instant.now().toString();
        List<String> creds = List.of(
                LayoutFiles.ob3Credential("urn:uuid:m1", "1000000001", "a@example.org", "BA-32AAB", "2025-05-01T09:00:00Z"),
                LayoutFiles.ob3Credential("urn:uuid:m2", "1000000003", "c@example.org", "BA-32AAB", "2025-05-02T09:00:00Z"),
                LayoutFiles.ob3Credential("urn:uuid:m3", "1000000003", "c@example.org", "BA-3946D", "2025-05-03T09:00:00Z"));
        List<String> issued = List.of(
                LayoutFiles.issuedBadge("ib-m1", "accepted", now, "1000000001", "IS-19F2C"),
                LayoutFiles.issuedBadge("ib-m2", "accepted", now, "1000000003", "IS-19F2C"),
                LayoutFiles.issuedBadge("ib-m3", "accepted", now, "1000000003", "IS-24A52"));
        api.clearCredentials().credentials(creds).clearBadges().badges(issued);
        try (FixtureApiServer moved = FixtureApiServer.start(0).clientCredentials("credential-hub", "s3cret")
                .apiToken("tok-123").maxPageSize(2).credentials(creds).badges(issued)) {
            for (String feed : List.of("badges", "issuedbadges")) {
                ApiPuller.Page first = freshPuller(Map.of()).nextPage(feed);
                assertEquals("staged", first.status(), feed);
                assertTrue(first.more(), feed);
                int before = api.requests();
                List<ApiPuller.Page> rest = freshPuller(Map.of("hub.api.base-url." + feed, moved.baseUrl())).pullAll(feed);
                assertEquals(List.of("staged"), rest.stream().map(ApiPuller.Page::status).toList(), feed);
                assertTrue(rest.get(0).url().startsWith(moved.baseUrl() + "/"), feed + ": " + rest.get(0).url());
                assertEquals(before, api.requests(), feed + ": nothing more asked of the server no longer configured");
                matchAll(List.of(first));
                matchAll(rest);
            }
        }
        for (String ref : List.of("urn:uuid:m1", "urn:uuid:m2", "urn:uuid:m3", "ib-m1", "ib-m2", "ib-m3")) {
            assertEquals(1, hub.count("select count(*) from result where source_ref = '" + ref + "'"), ref);
        }
        assertEquals(2, hub.count("select count(*) from api_cursor where next_page is null"), "both pulls ended");
    }
}
