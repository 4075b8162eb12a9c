package org.credentialhub.pull;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * HTTP to the vendor APIs: a request is sent again after an I/O failure, a 429 (after its Retry-After, when it
 * has one) and a 5xx, waiting a back-off delay that doubles after every attempt. No library the hub keeps
 * retries one request this way (Camel's redelivery repeats a whole route step, and the pulls also run outside
 * routes), so this is the loop.
 */
final class ApiHttp {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHttp.class);
    /** The longest Retry-After taken from a server. */
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);
    /** The longest one wait between two attempts. */
    static final Duration MAX_WAIT = Duration.ofMinutes(1);

    /** How often a request is tried, and the wait after its first failed attempt. */
    record Retry(int attempts, Duration backoff) {
        /** The wait after failed attempt {@code attempt} (from 1): the back-off, doubled for each attempt before. */
        Duration delay(int attempt) {
            return backoff.multipliedBy(1L << Math.min(Math.max(attempt - 1, 0), 30));
        }
    }

    /** Builds the request anew for every attempt (an authorization may have changed meanwhile). */
    interface Request {
        HttpRequest build() throws Exception;
    }

    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final HttpClient http;
    private final Sleeper sleeper;

    ApiHttp() {
        this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL).build(), d -> Thread.sleep(d.toMillis()));
    }

    ApiHttp(HttpClient http, Sleeper sleeper) {
        this.http = http;
        this.sleeper = sleeper;
    }

    /**
     * Sends the request until it is answered with anything but 429 or 5xx, or the attempts run out.
     *
     * @param what names the request in the log and the error ("feed badges: /ims/ob/v3p0/credentials?...")
     * @return the first answer that is not 429 or 5xx (the caller judges its status)
     * @throws IOException after the last failed attempt: "what failed after N attempts (HTTP 503)"
     */
    HttpResponse<byte[]> send(String what, Request request, Retry retry) throws Exception {
        String why = null;
        for (int attempt = 1; attempt <= retry.attempts(); attempt++) {
            HttpRequest built = request.build();
            Duration wait = retry.delay(attempt);
            try {
                HttpResponse<byte[]> r = http.send(built, HttpResponse.BodyHandlers.ofByteArray());
                int s = r.statusCode();
                if (s != 429 && s < 500) {
                    return r;
                }
                why = "HTTP " + s;
                if (s == 429) {
                    wait = retryAfter(r.headers().firstValue("Retry-After").orElse(null), Instant.now()).orElse(wait);
                }
            } catch (IOException e) {
                why = e.getClass().getSimpleName();
            }
            if (attempt < retry.attempts()) {
                Duration sleep = wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
                LOG.warn("{} failed ({}), attempt {}/{}; retrying in {} ms", what, why, attempt, retry.attempts(),
                        sleep.toMillis());
                sleeper.sleep(sleep);
            } else {
                LOG.warn("{} failed ({}), attempt {}/{}", what, why, attempt, retry.attempts());
            }
        }
        throw new IOException(what + " failed after " + retry.attempts() + " attempts (" + why + ")");
    }

    /**
     * The wait a Retry-After header asks for (RFC 9110 10.2.3): delay-seconds or an HTTP-date, from 0 to
     * {@link #MAX_RETRY_AFTER}; empty when there is none or it cannot be read.
     */
    static Optional<Duration> retryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        Duration wait;
        try {
            wait = Duration.ofSeconds(Long.parseLong(value.trim()));
        } catch (NumberFormatException notSeconds) {
            try {
                wait = Duration.between(now, ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait);
    }
}
