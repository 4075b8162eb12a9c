package org.credentialhub.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.credentialhub.feeds.FeedConfig;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The paging rules of the API feeds: next page from the Link header or the body, newest record time, labels. */
class PagingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final FeedConfig.Api OB3 = api("ob3");
    static final FeedConfig.Api ISSUED = api("issued-badges");

    static FeedConfig.Api api(String style) {
        return new FeedConfig.Api(style, "http://127.0.0.1:1", "oauth2", null, "hub", null, null, "org 1", 2,
                null, null, null, null);
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void linkHeaderWithOneNextLink() {
        assertEquals("/p?offset=2", Paging.linkNext(List.of("</p?offset=2>; rel=\"next\"")));
        assertEquals("/p?offset=2", Paging.linkNext(List.of("</p?offset=2>;rel=next")));
    }

    @Test
    void linkHeaderWithSeveralLinksPicksNext() {
        assertEquals("/p?offset=4", Paging.linkNext(List.of(
                "</p?offset=0>; rel=\"first\", </p?offset=4>; rel=\"next\", </p?offset=8>; rel=\"last\"")));
        // over several header lines too
        assertEquals("/p?offset=4", Paging.linkNext(List.of("</p?offset=0>; rel=\"prev\"", "</p?offset=4>; rel=\"next\"")));
    }

    @Test
    void linkHeaderQuotingAndRelationLists() {
        // a quoted title with a comma, a semicolon and rel=next inside is not a link of its own
        assertEquals("/b", Paging.linkNext(List.of(
                "</a>; title=\"page, rel=next; of 3\"; rel=\"prev\", </b>; title=\"x\\\"y\"; rel=\"next\"")));
        // rel lists relation types, compared without case; a longer type is not next
        assertEquals("/c", Paging.linkNext(List.of("</c>; rel=\"last NEXT\"")));
        assertNull(Paging.linkNext(List.of("</d>; rel=\"next-archive\"")));
        // a comma inside the target belongs to it
        assertEquals("/e?ids=1,2", Paging.linkNext(List.of("</e?ids=1,2>; rel=next")));
    }

    @Test
    void noNextLink() {
        assertNull(Paging.linkNext(List.of()));
        assertNull(Paging.linkNext(List.of("</p?offset=0>; rel=\"prev\"")));
        assertNull(Paging.linkNext(List.of("not a link")));
        assertNull(Paging.linkNext(List.of("</unterminated; rel=next")));
    }

    @Test
    void nextPageIsResolvedAgainstThePage() throws Exception {
        String url = "http://127.0.0.1:1/ims/ob/v3p0/credentials?limit=2&offset=0";
        assertEquals("http://127.0.0.1:1/ims/ob/v3p0/credentials?limit=2&offset=2", Paging.nextPageUrl(OB3, url,
                List.of("</ims/ob/v3p0/credentials?limit=2&offset=2>; rel=\"next\""), json("{}")));
        assertNull(Paging.nextPageUrl(OB3, url, List.of(), json("{}")));
    }

    @Test
    void bodyNextUrl() throws Exception {
        String url = "http://127.0.0.1:1/v1/organizations/o/badges?page=1&per_page=2";
        assertEquals("http://127.0.0.1:1/v1/organizations/o/badges?page=2&per_page=2", Paging.nextPageUrl(ISSUED, url,
                List.of(), json("{\"metadata\": {\"next_page_url\": \"/v1/organizations/o/badges?page=2&per_page=2\"}}")));
        // no next_page_url: the page number, while pages remain
        assertEquals("http://127.0.0.1:1/v1/organizations/o/badges?page=3&per_page=2", Paging.nextPageUrl(ISSUED,
                url.replace("page=1", "page=2"), List.of(),
                json("{\"metadata\": {\"next_page_url\": null, \"current_page\": 2, \"total_pages\": 3}}")));
        assertNull(Paging.bodyNext(url, json("{\"metadata\": {\"next_page_url\": \"\", \"current_page\": 3, \"total_pages\": 3}}")));
        assertNull(Paging.bodyNext(url, json("{\"data\": []}")));
        // the Link header does not page issued-badge JSON
        assertNull(Paging.nextPageUrl(ISSUED, url, List.of("</x>; rel=next"), json("{}")));
    }

    @Test
    void newestRecordTimeLeavesOutTheFuture() throws Exception {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        JsonNode ob3 = json("""
                [{"validFrom": "2025-01-10T09:00:00Z", "issuanceDate": "2025-01-09T09:00:00Z"},
                 {"validFrom": "2099-01-01T00:00:00Z", "updated_at": "2025-01-12T09:00:00+02:00"},
                 {"issued_at": "2025-12-31T00:00:00Z"}]""");
        assertEquals("2025-01-12T09:00:00+02:00", Paging.newest(OB3, ob3, now));
        assertEquals("2025-12-31T00:00:00Z", Paging.newest(ISSUED, ob3, now));
        assertNull(Paging.newest(OB3, json("[{\"validFrom\": \"\"}]"), now));
    }

    /**
     * The newest time of a page is the later of its times one after the other as {@link Paging#max} tells it (an
     * instant where both parse, else their texts), the future left out: each time parsed once gives what parsing both
     * at each step gave, with equal instants in other offsets, texts that do not parse and future times mixed in.
     */
    @Test
    void newestIsTheLaterOfEachTimeInTurn() throws Exception {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        String[] times = {"2025-01-10T09:00:00Z", "2025-01-10T11:00:00+02:00", "2025-01-10T04:00:00-05:00",
                "2025-03-01T00:00:00Z", "2025-03-01T00:00:00.000Z", "2025-02-28T23:59:59Z", "2024-12-31T23:00:00-01:00",
                "2099-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", "2025-01-10", "yesterday",
                "2025-13-01T00:00:00Z", " ", "3000-01-01"};
        String[] fields = {"validFrom", "issuanceDate", "updated_at", "issued_at"};
        java.util.SplittableRandom r = new java.util.SplittableRandom(51);
        ObjectMapper om = new ObjectMapper();
        int pages = 0;
        for (int page = 0; page < 3_000; page++) {
            com.fasterxml.jackson.databind.node.ArrayNode records = om.createArrayNode();
            for (int k = 1 + r.nextInt(8); k > 0; k--) {
                com.fasterxml.jackson.databind.node.ObjectNode rec = records.addObject();
                for (String f : fields) {
                    if (r.nextInt(3) > 0) {
                        rec.put(f, times[r.nextInt(times.length)]);
                    }
                }
            }
            for (FeedConfig.Api api : List.of(OB3, ISSUED)) {
                List<String> read = api == OB3 ? List.of("validFrom", "issuanceDate", "updated_at")
                        : List.of("issued_at", "updated_at");
                String expected = null;
                for (JsonNode rec : records) {
                    for (String f : read) {
                        String v = rec.path(f).asText(null);
                        if (v != null && !v.isBlank() && !future(v, now)) {
                            expected = Paging.max(expected, v);
                        }
                    }
                }
                String newest = Paging.newest(api, records, now);
                assertEquals(expected, newest, records.toString());
                pages++;
            }
        }
        assertEquals(6_000, pages);
    }

    /** Whether a text is a time after {@code now} (a text that does not parse is not). */
    private static boolean future(String time, Instant now) {
        try {
            return java.time.OffsetDateTime.parse(time).toInstant().isAfter(now);
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Test
    void anOb3PagesRecordsAreItsCredentialsAndItsCompactJwsStringsWhoseTimesCount() throws Exception {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        String vcJose = "eyJhbGciOiJFZERTQSJ9." + b64.encodeToString("{\"validFrom\": \"2025-03-01T00:00:00Z\"}".getBytes()) + ".c2ln";
        String vcJwt = "eyJhbGciOiJFZERTQSJ9." + b64.encodeToString("{\"vc\": {\"issuanceDate\": \"2025-04-01T00:00:00Z\"}}".getBytes()) + ".c2ln";
        JsonNode page = json("{\"credential\": [{\"validFrom\": \"2025-01-10T09:00:00Z\"}], \"compactJwsString\": [\""
                + vcJose + "\", \"not a jws\"]}");
        JsonNode records = Paging.records(OB3, page);
        assertEquals(3, records.size());
        assertEquals("2025-03-01T00:00:00Z", Paging.newest(OB3, records, now));
        assertEquals("2025-04-01T00:00:00Z", Paging.newest(OB3, Paging.records(OB3,
                json("{\"compactJwsString\": [\"" + vcJwt + "\"]}")), now));
        assertEquals(1, Paging.records(OB3, json("{\"credential\": [{}]}")).size());
    }

    @Test
    void maxComparesInstantsAcrossOffsets() {
        assertEquals("2025-01-01T09:30:00Z", Paging.max("2025-01-01T10:00:00+01:00", "2025-01-01T09:30:00Z"));
        assertEquals("2025-01-01T10:00:00+01:00", Paging.max("2025-01-01T10:00:00+01:00", null));
        assertEquals("b", Paging.max(null, "b"));
        assertEquals("2025-02", Paging.max("2025-01", "2025-02"), "what does not parse compares as text");
    }

    @Test
    void firstPageAndLabel() {
        String ob3 = Paging.firstPage("http://h", OB3, "2025-01-14T09:00:00Z");
        assertEquals("http://h/ims/ob/v3p0/credentials?limit=2&offset=0&since=2025-01-14T09%3A00%3A00Z", ob3);
        assertEquals("http://h/v1/organizations/org+1/badges?page=1&per_page=2", Paging.firstPage("http://h", ISSUED, null));
        assertEquals("/ims/ob/v3p0/credentials?limit=2&offset=0&since=2025-01-14T09%3A00%3A00Z", Paging.label(ob3));
    }

    @Test
    void aNextPageIsKeptRelativeToTheBaseUrlOnlyWhereItLiesUnderIt() {
        String kept = Paging.underBase("https://api.vendor.example/v2", "https://api.vendor.example/v2/badges?page=2");
        assertEquals("/badges?page=2", kept);
        assertEquals("http://127.0.0.1:8081/v2/badges?page=2", Paging.atBase("http://127.0.0.1:8081/v2", kept));
        // another host, or a path beside the base's, stays whole; so does a URL kept whole by an earlier version
        assertEquals("https://cdn.vendor.example/badges?page=2",
                Paging.underBase("https://api.vendor.example", "https://cdn.vendor.example/badges?page=2"));
        assertEquals("https://api.vendor.example/v20/badges",
                Paging.underBase("https://api.vendor.example/v2", "https://api.vendor.example/v20/badges"));
        assertEquals("https://old.example/p?page=3", Paging.atBase("https://new.example", "https://old.example/p?page=3"));
        assertEquals("//cdn.example/p", Paging.atBase("https://new.example", "//cdn.example/p"));
        assertNull(Paging.underBase("https://api.vendor.example", null));
    }
}
