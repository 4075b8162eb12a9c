package org.credentialhub.pull;

import com.sun.net.httpserver.HttpServer;
import org.credentialhub.feeds.FeedConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Authorization of the API requests against a real local token endpoint and API: OAuth 2.0 tokens are kept until
 * 30 s before they expire, fetched again when refused; basic auth sends the secret.
 */
class ApiAuthorizationTest {
    private HttpServer server;
    private final AtomicInteger tokensIssued = new AtomicInteger();
    private final Set<String> valid = ConcurrentHashMap.newKeySet();
    private volatile long expiresIn = 3600;
    private volatile String lastAuthorization;
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private ApiAuthorization auth;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/oauth/token", ex -> {
            String client = ex.getRequestHeaders().getFirst("Authorization");
            if (!ApiAuthorization.basic("hub", "s3cret").equals(client)) {
                send(ex, 401, "{}");
                return;
            }
            String token = "tok-" + tokensIssued.incrementAndGet();
            valid.add(token);
            send(ex, 200, "{\"access_token\": \"" + token + "\", \"expires_in\": " + expiresIn + "}");
        });
        server.createContext("/data", ex -> {
            lastAuthorization = ex.getRequestHeaders().getFirst("Authorization");
            boolean basic = ApiAuthorization.basic("api-token", "").equals(lastAuthorization);
            boolean bearer = lastAuthorization != null && valid.contains(lastAuthorization.replace("Bearer ", ""));
            send(ex, basic || bearer ? 200 : 401, "{}");
        });
        server.start();
        auth = authorization("s3cret");
    }

    private static void send(com.sun.net.httpserver.HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private ApiAuthorization authorization(String secret) {
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        Map<String, FeedConfig> feeds = Map.of(
                "oauth", feed("oauth", new FeedConfig.Api("ob3", base, "oauth2", null, "hub", null, null, null, null,
                        null, null, 2, "1ms")),
                "basic", feed("basic", new FeedConfig.Api("issued-badges", base, "basic", null, null, null, null, null,
                        null, null, null, 2, "1ms")));
        Map<String, String> settings = Map.of("hub.api.secret.oauth", secret, "hub.api.secret.basic", "api-token");
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
        return new ApiAuthorization(new ApiSettings(feeds, k -> Optional.ofNullable(settings.get(k))),
                new ApiHttp(HttpClient.newHttpClient(), d -> { }), clock);
    }

    private static FeedConfig feed(String code, FeedConfig.Api api) {
        return new FeedConfig(code, "api", code, null, null, null, api, null);
    }

    private String data() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/data";
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aTokenIsKeptUntilShortlyBeforeItExpires() throws Exception {
        expiresIn = 120;
        auth.get("oauth", data());
        auth.get("oauth", data());
        assertEquals(1, tokensIssued.get(), "one token for both requests");
        assertEquals("Bearer tok-1", lastAuthorization);
        now = now.plusSeconds(90);
        auth.get("oauth", data());
        assertEquals(1, tokensIssued.get(), "still valid 90 s on");
        now = now.plusSeconds(1);
        auth.get("oauth", data());
        assertEquals(2, tokensIssued.get(), "fetched again 30 s before it expires");
        assertEquals("Bearer tok-2", lastAuthorization);
    }

    @Test
    void aTokenWithAShortLifeLastsASecond() throws Exception {
        expiresIn = 10;
        auth.get("oauth", data());
        now = now.plusSeconds(1);
        auth.get("oauth", data());
        assertEquals(1, tokensIssued.get());
        now = now.plusMillis(1001);
        auth.get("oauth", data());
        assertEquals(2, tokensIssued.get());
    }

    @Test
    void aRefusedTokenIsFetchedAgainOnce() throws Exception {
        auth.get("oauth", data());
        valid.clear(); // the API forgot its tokens
        assertEquals(200, auth.get("oauth", data()).statusCode());
        assertEquals(2, tokensIssued.get());
        assertEquals("Bearer tok-2", lastAuthorization);
    }

    @Test
    void aWrongClientSecretIsAnError() {
        IOException e = assertThrows(IOException.class, () -> authorization("wrong").get("oauth", data()));
        assertEquals("feed oauth: the token endpoint answered HTTP 401", e.getMessage());
    }

    @Test
    void basicAuthSendsTheSecretAsUser() throws Exception {
        assertEquals(200, auth.get("basic", data()).statusCode());
        assertEquals("Basic " + java.util.Base64.getEncoder().encodeToString("api-token:".getBytes(StandardCharsets.UTF_8)),
                lastAuthorization);
        assertEquals(0, tokensIssued.get());
        IOException e = assertThrows(IOException.class, () -> authorization("x").get("oauth", data()));
        assertTrue(e.getMessage().contains("answered HTTP 401"), e.getMessage());
    }
}
