package org.credentialhub.pull;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The retry loop of the API requests, against a real local HTTP server that answers a scripted list of statuses. */
class ApiHttpTest {
    private HttpServer server;
    /** The statuses the next requests answer (then 200); "429:N" answers 429 with Retry-After N. */
    private final ConcurrentLinkedQueue<String> script = new ConcurrentLinkedQueue<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Duration> waits = new ArrayList<>();
    private final ApiHttp http = new ApiHttp(HttpClient.newHttpClient(), waits::add);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            String step = Optional.ofNullable(script.poll()).orElse("200");
            String[] parts = step.split(":");
            if (parts.length > 1) {
                ex.getResponseHeaders().add("Retry-After", parts[1]);
            }
            byte[] body = ("answer " + parts[0]).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(Integer.parseInt(parts[0]), body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private HttpResponse<byte[]> get(int attempts) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/page");
        return http.send("feed t: /page", () -> HttpRequest.newBuilder(uri).GET().build(),
                new ApiHttp.Retry(attempts, Duration.ofMillis(100)));
    }

    @Test
    void backoffDoublesEachAttempt() {
        ApiHttp.Retry retry = new ApiHttp.Retry(6, Duration.ofMillis(250));
        assertEquals(List.of(250L, 500L, 1000L, 2000L, 4000L),
                List.of(1, 2, 3, 4, 5).stream().map(a -> retry.delay(a).toMillis()).toList());
        assertEquals(Duration.ofMillis(250).multipliedBy(1L << 30), retry.delay(99), "no overflow");
    }

    @Test
    void retryAfterInSeconds() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertEquals(Optional.of(Duration.ofSeconds(7)), ApiHttp.retryAfter(" 7 ", now));
        assertEquals(Optional.of(Duration.ZERO), ApiHttp.retryAfter("-3", now));
        assertEquals(Optional.of(ApiHttp.MAX_RETRY_AFTER), ApiHttp.retryAfter("86400", now));
        assertEquals(Optional.empty(), ApiHttp.retryAfter(null, now));
        assertEquals(Optional.empty(), ApiHttp.retryAfter("soon", now));
    }

    @Test
    void retryAfterAsHttpDate() {
        Instant now = Instant.parse("2015-10-21T07:27:00Z");
        assertEquals(Optional.of(Duration.ofSeconds(60)), ApiHttp.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now));
        assertEquals(Optional.of(Duration.ZERO), ApiHttp.retryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now), "past");
        assertEquals(Optional.of(ApiHttp.MAX_RETRY_AFTER), ApiHttp.retryAfter("Thu, 22 Oct 2015 07:28:00 GMT", now));
    }

    @Test
    void serverErrorsAreRetriedWithGrowingWaits() throws Exception {
        script.addAll(List.of("503", "500", "502"));
        HttpResponse<byte[]> r = get(6);
        assertEquals(200, r.statusCode());
        assertEquals(4, requests.get());
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400)), waits);
    }

    @Test
    void throttlingWaitsWhatRetryAfterSays() throws Exception {
        script.addAll(List.of("429:3", "429", "429:9999"));
        assertEquals(200, get(6).statusCode());
        // Retry-After, else the back-off; a wait is at most a minute
        assertEquals(List.of(Duration.ofSeconds(3), Duration.ofMillis(200), ApiHttp.MAX_WAIT), waits);
    }

    @Test
    void otherAnswersGoBackAtOnce() throws Exception {
        script.add("404");
        assertEquals(404, get(6).statusCode());
        assertEquals(1, requests.get());
        assertEquals(List.of(), waits);
    }

    @Test
    void theLastFailureEndsIt() {
        script.addAll(List.of("503", "503", "503"));
        IOException e = assertThrows(IOException.class, () -> get(2));
        assertEquals("feed t: /page failed after 2 attempts (HTTP 503)", e.getMessage());
        assertEquals(2, requests.get());
        assertEquals(List.of(Duration.ofMillis(100)), waits, "no wait after the last attempt");
    }

    @Test
    void connectionFailuresAreRetried() throws Exception {
        int closed = org.credentialhub.runtime.Ports.free();
        URI uri = URI.create("http://127.0.0.1:" + closed + "/page");
        IOException e = assertThrows(IOException.class, () -> http.send("feed t: /page",
                () -> HttpRequest.newBuilder(uri).GET().build(), new ApiHttp.Retry(3, Duration.ofMillis(10))));
        assertEquals("feed t: /page failed after 3 attempts (ConnectException)", e.getMessage());
        assertEquals(List.of(Duration.ofMillis(10), Duration.ofMillis(20)), waits);
    }
}
