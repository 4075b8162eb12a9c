package org.credentialhub.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.credentialhub.feeds.FeedConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authenticated requests to an API feed: HTTP basic auth with the feed's secret (as the user name, or as the
 * password of the configured user), or an OAuth 2.0 client-credentials token, kept until 30 s before it
 * expires and fetched again when the API refuses it.
 */
final class ApiAuthorization {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiSettings settings;
    private final ApiHttp http;
    private final Clock clock;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    record Token(String value, Instant expires) {
    }

    ApiAuthorization(ApiSettings settings, ApiHttp http, Clock clock) {
        this.settings = settings;
        this.http = http;
        this.clock = clock;
    }

    /** GETs the URL as JSON, authorized; a refused token is fetched again once. Anything but 200 is an error. */
    HttpResponse<byte[]> get(String feed, String url) throws Exception {
        FeedConfig.Api api = settings.api(feed);
        String what = "feed " + feed + ": " + Paging.label(url);
        ApiHttp.Request request = () -> HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json")
                .header("Authorization", header(feed, api)).GET().build();
        HttpResponse<byte[]> r = http.send(what, request, settings.retry(feed));
        if (r.statusCode() == 401 && "oauth2".equals(api.auth())) {
            tokens.remove(feed);
            r = http.send(what, request, settings.retry(feed));
        }
        if (r.statusCode() != 200) {
            throw new IOException(what + " answered HTTP " + r.statusCode());
        }
        return r;
    }

    /** The Authorization header for the feed's next request. */
    String header(String feed, FeedConfig.Api api) throws Exception {
        if ("basic".equals(api.auth())) {
            String user = api.username() == null ? settings.secret(feed) : api.username();
            String pass = api.username() == null ? "" : settings.secret(feed);
            return basic(user, pass);
        }
        Token t = tokens.get(feed);
        if (t == null || clock.instant().isAfter(t.expires())) {
            t = fetchToken(feed, api);
            tokens.put(feed, t);
        }
        return "Bearer " + t.value();
    }

    static String basic(String user, String pass) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
    }

    /** OAuth 2.0 client credentials grant (RFC 6749 4.4), client authenticated with HTTP basic (2.3.1). */
    private Token fetchToken(String feed, FeedConfig.Api api) throws Exception {
        String tokenUrl = api.tokenUrl() != null && !api.tokenUrl().startsWith("/") ? api.tokenUrl()
                : settings.baseUrl(feed) + (api.tokenUrl() == null ? "/oauth/token" : api.tokenUrl());
        String form = "grant_type=client_credentials" + (api.scope() == null ? "" : "&scope=" + Paging.enc(api.scope()));
        String what = "feed " + feed + ": the token endpoint";
        HttpResponse<byte[]> r = http.send(what, () -> HttpRequest.newBuilder(URI.create(tokenUrl))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .header("Authorization", basic(Paging.enc(api.clientId()), Paging.enc(settings.secret(feed))))
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), settings.retry(feed));
        if (r.statusCode() != 200) {
            throw new IOException(what + " answered HTTP " + r.statusCode());
        }
        JsonNode t = JSON.readTree(r.body());
        String value = t.path("access_token").asText(null);
        if (value == null) {
            throw new IOException("feed " + feed + ": the token endpoint answered without an access_token");
        }
        long life = t.path("expires_in").asLong(3600);
        return new Token(value, clock.instant().plusSeconds(Math.max(life - 30, 1)));
    }
}
