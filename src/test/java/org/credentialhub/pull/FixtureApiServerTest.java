package org.credentialhub.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.credentialhub.mapping.LayoutFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link FixtureApiServer#serve} keeps a fixtures file's records where they lie and reads each again when a page
 * serves it: every page together gives the file's records, byte for byte the same JSON (multi-byte text, nesting,
 * a compact JWS string among them), in the order of their times; a revoked file record is served revoked.
 */
class FixtureApiServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aFixturesFileIsServedAsItsRecordsWithoutHoldingThem(@TempDir Path dir) throws Exception {
        List<String> creds = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            creds.add(LayoutFiles.ob3Credential("urn:uuid:f" + i, "100000000" + i, "zoë" + i + "@example.org", "BA-32AAB",
                    "2025-01-1" + (5 - i) + "T09:00:00Z").replace("Badge Vendor", "Bädge Vendör ✓"));
        }
        creds.add("\"eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2ln\"");
        Files.createDirectories(dir.resolve("api/badges"));
        // pretty-printed, as the generator writes it
        Files.writeString(dir.resolve("api/badges/credentials.json"), "{\n  \"credential\" : [ "
                + String.join(",\n    ", creds) + " ],\n  \"other\" : {\"x\": [1, 2]}\n}\n", StandardCharsets.UTF_8);
        List<String> issued = List.of(
                LayoutFiles.issuedBadge("ib-f1", "accepted", "2025-02-01T10:00:00Z", "1000000001", "IS-19F2C"),
                LayoutFiles.issuedBadge("ib-f2", "accepted", "2025-02-02T10:00:00Z", null, "IS-24A52"));
        Files.createDirectories(dir.resolve("api/issuedbadges"));
        Files.writeString(dir.resolve("api/issuedbadges/badges.json"), "{\"data\": [" + String.join(",", issued)
                + "], \"metadata\": {}}", StandardCharsets.UTF_8);

        try (FixtureApiServer api = FixtureApiServer.serve(dir, 0).clientCredentials("c", "s").apiToken("t")
                .organization("nc-cte").maxPageSize(2)) {
            String token = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + "/oauth/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=c&client_secret=s"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body()).path("access_token").asText();
            List<JsonNode> served = new ArrayList<>();
            for (int offset = 0; offset < 6; offset += 2) {
                JsonNode page = JSON.readTree(get(api.baseUrl() + "/ims/ob/v3p0/credentials?limit=2&offset=" + offset,
                        "Bearer " + token));
                page.path("credential").forEach(served::add);
                page.path("compactJwsString").forEach(served::add);
            }
            // the record without a time (the JWS) and the oldest on the first page, a page's JSON credentials before
            // its compact JWS strings; then the others, oldest first
            List<JsonNode> expected = new ArrayList<>();
            expected.add(JSON.readTree(creds.get(4)));
            expected.add(JSON.readTree(creds.get(5)));
            for (int i = 3; i >= 0; i--) {
                expected.add(JSON.readTree(creds.get(i)));
            }
            assertEquals(expected, served);

            api.revokeBadge("ib-f1");
            String basic = "Basic " + Base64.getEncoder().encodeToString("t:".getBytes(StandardCharsets.UTF_8));
            JsonNode badges = JSON.readTree(get(api.baseUrl() + "/v1/organizations/nc-cte/badges?page=1&per_page=10",
                    basic)).path("data");
            assertEquals(2, badges.size());
            assertEquals(JSON.readTree(issued.get(1)), badges.get(0));
            assertEquals("revoked", badges.get(1).path("state").asText());
            assertEquals("ib-f1", badges.get(1).path("id").asText());
            assertEquals("Peña", badges.get(1).path("issued_to_last_name").asText());
        }
    }

    private String get(String url, String authorization) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", authorization)
                .GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }
}
