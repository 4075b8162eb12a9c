package org.credentialhub.pull;

import org.credentialhub.feeds.FeedConfig;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * An API feed's settings: its {@code api} block in config/feeds.yaml, overridden per feed by
 * {@code hub.api.<setting>.<feed>} (properties, then the environment): secret, base URL, retries, back-off.
 */
final class ApiSettings {
    private final Map<String, FeedConfig> feeds;
    private final Function<String, Optional<String>> settings;

    ApiSettings(Map<String, FeedConfig> feeds, Function<String, Optional<String>> settings) {
        this.feeds = feeds;
        this.settings = settings;
    }

    FeedConfig.Api api(String feed) {
        FeedConfig f = feeds.get(feed);
        if (f == null || f.api() == null) {
            throw new IllegalArgumentException("no API feed " + feed);
        }
        return f.api();
    }

    /** A feed can run once its secret is configured. */
    boolean configured(String feed) {
        return settings.apply("hub.api.secret." + feed).isPresent();
    }

    String baseUrl(String feed) {
        return settings.apply("hub.api.base-url." + feed).orElse(api(feed).baseUrl()).replaceAll("/+$", "");
    }

    String secret(String feed) {
        return settings.apply("hub.api.secret." + feed).orElseThrow(() -> new IllegalStateException(
                "feed " + feed + ": no secret (hub.api.secret." + feed + " / HUB_API_SECRET_" + feed.toUpperCase() + ")"));
    }

    /**
     * Attempts per request ({@code hub.api.retries.<feed>}, else the feed's {@code retries}, else 6) and the
     * first back-off delay ({@code hub.api.backoff.<feed>}, else the feed's {@code backoff}, else 1 s).
     */
    ApiHttp.Retry retry(String feed) {
        FeedConfig.Api api = api(feed);
        int attempts = settings.apply("hub.api.retries." + feed).map(Integer::parseInt)
                .orElse(api.retries() == null ? 6 : Math.max(1, api.retries()));
        Duration backoff = settings.apply("hub.api.backoff." + feed).map(FeedConfig::parseDuration)
                .orElse(api.backoff() == null ? Duration.ofSeconds(1) : FeedConfig.parseDuration(api.backoff()));
        return new ApiHttp.Retry(attempts, backoff);
    }
}
