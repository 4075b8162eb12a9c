package org.credentialhub.guards;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The guards' webhook notifier ({@code hub.guards.webhook.url}; docs/guards.md): each alarm is POSTed as JSON
 * ({@code kind}, {@code feed}, {@code delivery}, {@code district}, {@code message}); a status other than 2xx fails
 * the step, so the alarm stays unsent and is tried again on the next check.
 */
public final class Webhook {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String url;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public Webhook(String url) {
        this.url = url == null || url.isBlank() ? null : url.trim();
    }

    public boolean configured() {
        return url != null;
    }

    /** Route step: the body is the alarm (a map); nothing when no URL is configured. */
    public void post(Exchange exchange) throws IOException, InterruptedException {
        if (url == null) {
            return;
        }
        Map<?, ?> alarm = exchange.getIn().getBody(Map.class);
        Map<String, Object> body = new LinkedHashMap<>();
        for (String k : new String[]{"id", "kind", "feed", "delivery", "district", "message", "raised_at"}) {
            body.put(k, alarm.get(k));
        }
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("the guards' webhook answered " + r.statusCode());
        }
    }
}
