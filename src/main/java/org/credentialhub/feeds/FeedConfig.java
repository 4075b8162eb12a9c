package org.credentialhub.feeds;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;

/**
 * One delivery channel, as configured in {@code config/feeds.yaml}.
 *
 * @param code        the feed's code (also its mapping's layout unless {@code layout} says otherwise)
 * @param kind        {@code sftp}, {@code api}, {@code district} or {@code sis} (OneRoster bundles from a SIS)
 * @param layout      the mapping file in {@code mappings/} ({@code <layout>.yaml})
 * @param description what the feed is, for people
 * @param cadence     how often a delivery is expected ({@code daily}, {@code weekly}, {@code monthly},
 *                    an ISO-8601 duration such as {@code PT6H}, or {@code none}: see {@link Cadence})
 * @param sftp        SFTP settings for {@code kind: sftp}
 * @param api         API settings for {@code kind: api}
 * @param verify      how the feed's verifiable credentials are checked (layouts with a {@code source.standard})
 */
public record FeedConfig(
        @JsonProperty(required = true) String code,
        @JsonProperty(required = true) String kind,
        String layout,
        String description,
        String cadence,
        Sftp sftp,
        Api api,
        Verify verify) {

    /**
     * How a feed's verifiable credentials (Open Badges 3.0, CLR 2.0) are verified: docs/open-badges.md.
     *
     * @param proof  {@code required} (a credential without a proof that verifies is refused), {@code if-present}
     *               (default: a proof that is there must verify) or {@code off}
     * @param keys   issuer keys configured for the feed, beside those of {@code did:key} and {@code did:web}
     *               issuers: {@code did:key:z6Mk...} or a multibase Ed25519 key ({@code z6Mk...})
     * @param status {@code check} (default: credentialStatus is checked on every pull and before every reporting
     *               load; a list with a proof is believed only when the proof verifies, one without is believed as
     *               served), {@code signed} (as check, and a list without a verifying proof is not believed: its
     *               credentials stay unconfirmed) or {@code off}
     */
    public record Verify(String proof, java.util.List<String> keys, String status) {
        public String proofMode() {
            return proof == null ? "if-present" : proof;
        }

        public boolean checksStatus() {
            return !"off".equals(status);
        }

        /** The feed believes only status lists whose own proof verifies ({@code status: signed}). */
        public boolean signedListsOnly() {
            return "signed".equals(status);
        }
    }

    /**
     * @param account        SFTP account name (default: the feed code); its home holds inbox/ and outbox/
     * @param include        regular expression of the file names the hub takes from the inbox
     * @param poll           how often the inbox is polled (Camel duration: 10s, 1m)
     * @param authorizedKeys path of an OpenSSH authorized_keys file for public-key login. The account's
     *                       password is never written here: it comes from the property or environment
     *                       variable {@code hub.sftp.password.<account>} / {@code HUB_SFTP_PASSWORD_<ACCOUNT>}
     */
    public record Sftp(String account, String include, String poll,
                       @JsonProperty("authorized-keys") String authorizedKeys) {
    }

    /**
     * An API the hub pulls. The secret (OAuth client secret, API token) never sits here: it comes from
     * {@code hub.api.secret.<feed>} / {@code HUB_API_SECRET_<FEED>}; {@code hub.api.base-url.<feed>}
     * overrides the base URL.
     *
     * @param style      the API's paging style: {@code ob3} (Open Badges 3.0: limit/offset, Link rel=next,
     *                   since), {@code clr2} (CLR 2.0: the same under /ims/clr/v2p0) or {@code issued-badges} (page=N, metadata.next_page_url, filter=issued_at_min)
     * @param baseUrl    the API's base URL
     * @param auth       {@code oauth2} (client credentials) or {@code basic}
     * @param tokenUrl   OAuth 2.0 token endpoint (default {@code <base-url>/oauth/token})
     * @param clientId   OAuth 2.0 client id
     * @param scope      OAuth 2.0 scope to ask for (optional)
     * @param username   HTTP basic user name (default: the secret itself is the user, with no password,
     *                   as badge platforms take API tokens)
     * @param org        the organization id in the path ({@code issued-badges})
     * @param pageSize   records per page
     * @param poll       how often the API is pulled (Camel duration: 15m, 1h)
     * @param start      the since-cursor of the very first pull (ISO-8601 timestamp; default: everything)
     * @param retries    attempts per page on 429 and 5xx before the pull stops (default 6)
     * @param backoff    first back-off delay (ISO-8601 or Camel-like duration: 500ms, 2s); doubles each retry
     */
    public record Api(String style,
                      @JsonProperty(value = "base-url", required = true) String baseUrl,
                      @JsonProperty(required = true) String auth,
                      @JsonProperty("token-url") String tokenUrl,
                      @JsonProperty("client-id") String clientId,
                      String scope,
                      String username,
                      String org,
                      @JsonProperty("page-size") Integer pageSize,
                      String poll,
                      String start,
                      Integer retries,
                      String backoff) {
    }

    public String layoutName() {
        return layout == null || layout.isBlank() ? code : layout;
    }

    public String account() {
        return sftp == null || sftp.account() == null || sftp.account().isBlank() ? code : sftp.account();
    }

    /** The feed's cadence and lateness rule ({@link Cadence#NONE} when no delivery is expected). */
    public Cadence expected() {
        return Cadence.parse(cadence);
    }

    /** The cadence as a duration, or null when none is expected. */
    public Duration expectedEvery() {
        return expected().every();
    }

    /** How long the feed may go without a delivery before it is late, or null when it never is. */
    public Duration lateAfter() {
        return expected().lateAfter(kind);
    }

    /** Camel-style durations (500ms, 10s, 15m, 1h) or ISO-8601 (PT10S). */
    public static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.startsWith("p")) {
            return Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (500ms, 10s, 15m, 1h, PT1H)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
