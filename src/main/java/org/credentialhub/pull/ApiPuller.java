package org.credentialhub.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.credentialhub.feeds.FeedConfig;
import org.credentialhub.intake.Intake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pulls a vendor API one page at a time. Each page is a delivery: archived, fingerprinted (a page whose
 * content the hub already took is skipped) and staged through {@link Intake} with the feed's mapping
 * (format json), exactly like a file. Where the pull stands lives in PostgreSQL ({@code api_cursor}):
 * the next page's URL while a pull runs, and the since-cursor between pulls; the cursor moves in the
 * same transaction that stages the page, so a restart continues where it stopped and never takes a page
 * twice. Requests authenticate with OAuth 2.0 client credentials or HTTP basic auth and back off on 429
 * (honouring Retry-After) and 5xx.
 */
public final class ApiPuller {
    private static final Logger LOG = LoggerFactory.getLogger(ApiPuller.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String MORE_PAGES = "hubMorePages";

    private final DataSource dataSource;
    private final Map<String, FeedConfig> feeds;
    private final Intake intake;
    private final Function<String, Optional<String>> settings;
    private final Path archiveDir;
    private final HttpClient http;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    private record Token(String value, Instant expires) {
    }

    /** What fetching one page did. */
    public record Page(String url, String status, Long deliveryId, int records, boolean more) {
    }

    /**
     * @param settings looks up {@code hub.api.secret.<feed>}, {@code hub.api.base-url.<feed>} and the like
     *                 (properties, then the environment)
     */
    public ApiPuller(DataSource dataSource, Map<String, FeedConfig> feeds, Intake intake,
                     Function<String, Optional<String>> settings, Path archiveDir) {
        this.dataSource = dataSource;
        this.feeds = feeds;
        this.intake = intake;
        this.settings = settings;
        this.archiveDir = archiveDir;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** The API feeds that can run: those whose secret is configured. */
    public boolean configured(String feed) {
        return settings.apply("hub.api.secret." + feed).isPresent();
    }

    public String baseUrl(String feed) {
        FeedConfig.Api api = api(feed);
        return settings.apply("hub.api.base-url." + feed).orElse(api.baseUrl()).replaceAll("/+$", "");
    }

    private FeedConfig.Api api(String feed) {
        FeedConfig f = feeds.get(feed);
        if (f == null || f.api() == null) {
            throw new IllegalArgumentException("no API feed " + feed);
        }
        return f.api();
    }

    /** Route step: fetches and stages the feed's next page; sets the delivery headers and {@link #MORE_PAGES}. */
    public void nextPage(Exchange exchange) throws Exception {
        String feed = exchange.getIn().getHeader(Intake.FEED, String.class);
        Page page = nextPage(feed);
        exchange.getIn().setHeader(Intake.DELIVERY_ID, page.deliveryId());
        exchange.getIn().setHeader(Intake.STATUS, page.status());
        exchange.getIn().setHeader(MORE_PAGES, page.more());
        exchange.getIn().setHeader("hubPageUrl", page.url());
    }

    /** Pulls every page that is due, without matching (for tests and the command line). */
    public List<Page> pullAll(String feed) throws Exception {
        List<Page> pages = new java.util.ArrayList<>();
        Page p;
        do {
            p = nextPage(feed);
            pages.add(p);
        } while (p.more());
        return pages;
    }

    public Page nextPage(String feed) throws Exception {
        FeedConfig.Api api = api(feed);
        Cursor cursor = cursor(feed, api);
        String url = cursor.nextPage() != null ? cursor.nextPage() : firstPage(feed, api, cursor.since());
        HttpResponse<byte[]> response = get(feed, api, url);
        byte[] body = response.body();
        JsonNode doc;
        try {
            doc = JSON.readTree(body);
        } catch (IOException e) {
            doc = null;
        }
        String next = doc == null ? null : nextPageUrl(api, url, response, doc);
        JsonNode records = doc == null ? null : doc.get("ob3".equals(api.style()) ? "credential" : "data");
        int count = records != null && records.isArray() ? records.size() : 0;
        String pageMax = records == null ? null : newest(api, records);
        String runMax = max(cursor.runMax(), pageMax);
        String label = label(url);

        if (doc != null && count == 0) {
            advance(null, feed, next, runMax);
            LOG.info("Feed {}: {} has no records", feed, label);
            return new Page(url, "empty", null, 0, next != null);
        }
        String sha = sha256(body);
        if (alreadyTaken(feed, sha)) {
            advance(null, feed, next, runMax);
            LOG.info("Feed {}: {} has the content of an earlier page; skipped", feed, label);
            return new Page(url, "duplicate", null, count, next != null);
        }
        Path dir = org.credentialhub.support.PrivateFiles.folder(archiveDir.resolve(feed));
        Path archived = dir.resolve(sha);
        Path tmp = Files.createTempFile(dir, "page", ".part");
        Files.write(tmp, body);
        org.credentialhub.support.PrivateFiles.chmod(tmp, org.credentialhub.support.PrivateFiles.FILE);
        Files.move(tmp, archived, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        String finalNext = next;
        String finalRunMax = runMax;
        Intake.StageOutcome outcome = intake.stage(feed, label, sha, archived, new Intake.Hooks() {
            @Override
            public void afterPublish(Connection c, long deliveryId) throws SQLException {
                advance(c, feed, finalNext, finalRunMax);
            }
        });
        if (outcome.quarantineReason() != null) {
            // recorded and visible to operations; the pull goes on past it (reset api_cursor to take it again)
            advance(null, feed, next, cursor.runMax());
            return new Page(url, "quarantined", outcome.deliveryId(), count, next != null);
        }
        return new Page(url, "staged", outcome.deliveryId(), count, next != null);
    }

    // ---- cursor ----

    private record Cursor(String since, String nextPage, String runMax) {
    }

    private Cursor cursor(String feed, FeedConfig.Api api) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into api_cursor (feed_code, since) values (?, ?) on conflict do nothing")) {
                ps.setString(1, feed);
                ps.setString(2, api.start());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "select since, next_page, run_max from api_cursor where feed_code = ?")) {
                ps.setString(1, feed);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Cursor(rs.getString(1), rs.getString(2), rs.getString(3));
                }
            }
        }
    }

    /** Moves the cursor past a page: to the next page, or, after the last one, to a new since. */
    private void advance(Connection tx, String feed, String next, String runMax) throws SQLException {
        String sql = next != null
                ? "update api_cursor set next_page = ?, run_max = ?, pages = pages + 1, updated_at = now() where feed_code = ?"
                : "update api_cursor set next_page = null, since = coalesce(?, since), run_max = null, pages = pages + 1,"
                + " updated_at = now() where feed_code = ?";
        Connection c = tx != null ? tx : dataSource.getConnection();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (next != null) {
                ps.setString(i++, next);
                ps.setString(i++, runMax);
            } else {
                ps.setString(i++, newerOf(runMax, feed, c));
            }
            ps.setString(i, feed);
            ps.executeUpdate();
        } finally {
            if (tx == null) {
                c.close();
            }
        }
    }

    private static String newerOf(String runMax, String feed, Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select since from api_cursor where feed_code = ?")) {
            ps.setString(1, feed);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? max(rs.getString(1), runMax) : runMax;
            }
        }
    }

    private boolean alreadyTaken(String feed, String sha) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return org.credentialhub.store.Deliveries.earlierWithContent(c, feed, sha) != null;
        }
    }

    // ---- paging ----

    private String firstPage(String feed, FeedConfig.Api api, String since) {
        String base = baseUrl(feed);
        int size = api.pageSize() == null ? 100 : api.pageSize();
        if ("ob3".equals(api.style())) {
            return base + "/ims/ob/v3p0/credentials?limit=" + size + "&offset=0"
                    + (since == null ? "" : "&since=" + enc(since));
        }
        return base + "/v1/organizations/" + enc(api.org()) + "/badges?page=1&per_page=" + size
                + (since == null ? "" : "&filter=" + enc("issued_at_min::" + since));
    }

    private static final Pattern LINK = Pattern.compile("<([^>]+)>\\s*;[^,]*rel=\"?next\"?");

    private static String nextPageUrl(FeedConfig.Api api, String url, HttpResponse<byte[]> response, JsonNode doc) {
        String next = null;
        if ("ob3".equals(api.style())) {
            for (String link : response.headers().allValues("Link")) {
                Matcher m = LINK.matcher(link);
                if (m.find()) {
                    next = m.group(1);
                }
            }
        } else {
            JsonNode meta = doc.path("metadata");
            String n = meta.path("next_page_url").asText(null);
            if (n != null && !n.isBlank() && !"null".equals(n)) {
                next = n;
            } else if (meta.has("current_page") && meta.has("total_pages")
                    && meta.get("current_page").asInt() < meta.get("total_pages").asInt()) {
                next = url.replaceFirst("([?&]page=)\\d+", "$1" + (meta.get("current_page").asInt() + 1));
            }
        }
        return next == null ? null : URI.create(url).resolve(next).toString();
    }

    /**
     * The newest record time on the page (award, issue or update) that is not in the future, as the next
     * since-cursor: a credential valid only from a later date (or a wrong clock at the vendor) never moves the
     * cursor past now, so every record issued meanwhile is still pulled, and the early one is met again.
     */
    private static String newest(FeedConfig.Api api, JsonNode records) {
        List<String> fields = "ob3".equals(api.style()) ? List.of("validFrom", "issuanceDate", "updated_at")
                : List.of("issued_at", "updated_at");
        java.time.Instant now = java.time.Instant.now();
        String max = null;
        for (JsonNode r : records) {
            for (String f : fields) {
                String v = r.path(f).asText(null);
                if (v != null && !v.isBlank() && !inFuture(v, now)) {
                    max = max(max, v);
                }
            }
        }
        return max;
    }

    private static boolean inFuture(String time, java.time.Instant now) {
        try {
            return OffsetDateTime.parse(time).toInstant().isAfter(now);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String max(String a, String b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        try {
            return OffsetDateTime.parse(a).toInstant().isBefore(OffsetDateTime.parse(b).toInstant()) ? b : a;
        } catch (RuntimeException e) {
            return a.compareTo(b) < 0 ? b : a;
        }
    }

    /** A page's label in the delivery table: its path and query (no host, no credentials). */
    private static String label(String url) {
        URI u = URI.create(url);
        return u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }

    // ---- HTTP ----

    private HttpResponse<byte[]> get(String feed, FeedConfig.Api api, String url) throws Exception {
        int attempts = attempts(feed, api);
        Duration delay = backoff(feed, api);
        boolean refreshed = false;
        String why = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            HttpResponse<byte[]> r;
            String authorization = authorization(feed, api);
            try {
                HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                        .header("Accept", "application/json")
                        .header("Authorization", authorization).GET().build();
                r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                why = e.getClass().getSimpleName();
                LOG.warn("Feed {}: {} failed ({}), attempt {}/{}", feed, label(url), why, attempt, attempts);
                sleep(delay);
                delay = delay.multipliedBy(2);
                continue;
            }
            int s = r.statusCode();
            if (s == 200) {
                return r;
            }
            if (s == 401 && "oauth2".equals(api.auth()) && !refreshed) {
                tokens.remove(feed);
                refreshed = true;
                attempt--;
                continue;
            }
            if (s == 429 || s >= 500) {
                why = "HTTP " + s;
                Duration wait = s == 429 ? retryAfter(r).orElse(delay) : delay;
                LOG.warn("Feed {}: {} answered {}, attempt {}/{}; retrying in {} ms", feed, label(url), s, attempt,
                        attempts, wait.toMillis());
                if (attempt < attempts) {
                    sleep(wait);
                }
                delay = delay.multipliedBy(2);
                continue;
            }
            throw new IOException("feed " + feed + ": " + label(url) + " answered HTTP " + s);
        }
        throw new IOException("feed " + feed + ": " + label(url) + " failed after " + attempts + " attempts (" + why + ")");
    }

    /** Attempts per request: {@code hub.api.retries.<feed>}, else the feed's {@code retries}, else 6. */
    private int attempts(String feed, FeedConfig.Api api) {
        return settings.apply("hub.api.retries." + feed).map(Integer::parseInt)
                .orElse(api.retries() == null ? 6 : Math.max(1, api.retries()));
    }

    /** First back-off delay: {@code hub.api.backoff.<feed>}, else the feed's {@code backoff}, else 1 s. */
    private Duration backoff(String feed, FeedConfig.Api api) {
        return settings.apply("hub.api.backoff." + feed).map(FeedConfig::parseDuration)
                .orElse(api.backoff() == null ? Duration.ofSeconds(1) : FeedConfig.parseDuration(api.backoff()));
    }

    private static Optional<Duration> retryAfter(HttpResponse<?> r) {
        return r.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                long s = Long.parseLong(v.trim());
                return Optional.of(Duration.ofSeconds(Math.min(Math.max(s, 0), 300)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    private static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(Math.min(d.toMillis(), 60_000));
    }

    private String secret(String feed) {
        return settings.apply("hub.api.secret." + feed).orElseThrow(() -> new IllegalStateException(
                "feed " + feed + ": no secret (hub.api.secret." + feed + " / HUB_API_SECRET_" + feed.toUpperCase() + ")"));
    }

    private String authorization(String feed, FeedConfig.Api api) throws Exception {
        if ("basic".equals(api.auth())) {
            String user = api.username() == null ? secret(feed) : api.username();
            String pass = api.username() == null ? "" : secret(feed);
            return basic(user, pass);
        }
        Token t = tokens.get(feed);
        if (t == null || Instant.now().isAfter(t.expires())) {
            t = fetchToken(feed, api);
            tokens.put(feed, t);
        }
        return "Bearer " + t.value();
    }

    private static String basic(String user, String pass) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
    }

    /** OAuth 2.0 client credentials grant (RFC 6749 4.4), client authenticated with HTTP basic (2.3.1). */
    private Token fetchToken(String feed, FeedConfig.Api api) throws Exception {
        String tokenUrl = api.tokenUrl() != null && !api.tokenUrl().startsWith("/") ? api.tokenUrl()
                : baseUrl(feed) + (api.tokenUrl() == null ? "/oauth/token" : api.tokenUrl());
        String form = "grant_type=client_credentials" + (api.scope() == null ? "" : "&scope=" + enc(api.scope()));
        int attempts = attempts(feed, api);
        Duration delay = backoff(feed, api);
        for (int attempt = 1; ; attempt++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(tokenUrl)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "application/json")
                    .header("Authorization", basic(enc(api.clientId()), enc(secret(feed))))
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build();
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 200) {
                JsonNode t = JSON.readTree(r.body());
                String value = t.path("access_token").asText(null);
                if (value == null) {
                    throw new IOException("feed " + feed + ": the token endpoint answered without an access_token");
                }
                long life = t.path("expires_in").asLong(3600);
                return new Token(value, Instant.now().plusSeconds(Math.max(life - 30, 1)));
            }
            if ((r.statusCode() == 429 || r.statusCode() >= 500) && attempt < attempts) {
                sleep(r.statusCode() == 429 ? retryAfter(r).orElse(delay) : delay);
                delay = delay.multipliedBy(2);
                continue;
            }
            throw new IOException("feed " + feed + ": the token endpoint answered HTTP " + r.statusCode());
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
