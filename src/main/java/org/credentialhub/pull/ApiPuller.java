package org.credentialhub.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.commons.codec.digest.DigestUtils;
import org.credentialhub.feeds.FeedConfig;
import org.credentialhub.intake.Intake;
import org.credentialhub.support.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Pulls a vendor API one page at a time. Each page is a delivery: archived, fingerprinted (a page whose
 * content the hub already took is skipped) and staged through {@link Intake} with the feed's mapping
 * (format json), exactly like a file. Where the pull stands lives in PostgreSQL ({@link PullCursor}):
 * the next page's URL while a pull runs (relative to the base URL, so a pull resumed after the base URL changed
 * goes on at the new one), and the since-cursor between pulls; the cursor moves in the
 * same transaction that stages the page, so a restart continues where it stopped and never takes a page
 * twice. Requests authenticate with OAuth 2.0 client credentials or HTTP basic auth ({@link ApiAuthorization})
 * and back off on 429 (honouring Retry-After) and 5xx ({@link ApiHttp}); {@link Paging} finds the pages.
 */
public final class ApiPuller {
    private static final Logger LOG = LoggerFactory.getLogger(ApiPuller.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String MORE_PAGES = "hubMorePages";

    private final DataSource dataSource;
    private final Intake intake;
    private final Path archiveDir;
    private final ApiSettings settings;
    private final ApiAuthorization authorization;
    private final PullCursor cursor;

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
        this.intake = intake;
        this.archiveDir = archiveDir;
        this.settings = new ApiSettings(feeds, settings);
        this.authorization = new ApiAuthorization(this.settings, new ApiHttp(), Clock.systemUTC());
        this.cursor = new PullCursor(dataSource);
    }

    /** The API feeds that can run: those whose secret is configured. */
    public boolean configured(String feed) {
        return settings.configured(feed);
    }

    public String baseUrl(String feed) {
        return settings.baseUrl(feed);
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
        List<Page> pages = new ArrayList<>();
        Page p;
        do {
            p = nextPage(feed);
            pages.add(p);
        } while (p.more());
        return pages;
    }

    public Page nextPage(String feed) throws Exception {
        FeedConfig.Api api = settings.api(feed);
        PullCursor.Position at = cursor.read(feed, api.start());
        String base = baseUrl(feed);
        String url = at.nextPage() != null ? Paging.atBase(base, at.nextPage()) : Paging.firstPage(base, api, at.since());
        HttpResponse<byte[]> response = authorization.get(feed, url);
        byte[] body = response.body();
        JsonNode doc;
        try {
            doc = JSON.readTree(body);
        } catch (IOException e) {
            doc = null;
        }
        // kept relative to the base URL: a pull resumed after a restart asks the server configured then
        String next = doc == null ? null
                : Paging.underBase(base, Paging.nextPageUrl(api, url, response.headers().allValues("Link"), doc));
        JsonNode records = doc == null ? null : Paging.records(api, doc);
        int count = records != null && records.isArray() ? records.size() : 0;
        String pageMax = records == null ? null : Paging.newest(api, records, Instant.now());
        String runMax = Paging.max(at.runMax(), pageMax);
        String label = Paging.label(url);

        if (doc != null && count == 0) {
            cursor.advance(null, feed, next, runMax);
            LOG.info("Feed {}: {} has no records", feed, label);
            return new Page(url, "empty", null, 0, next != null);
        }
        String sha = DigestUtils.sha256Hex(body);
        if (alreadyTaken(feed, sha)) {
            cursor.advance(null, feed, next, runMax);
            LOG.info("Feed {}: {} has the content of an earlier page; skipped", feed, label);
            return new Page(url, "duplicate", null, count, next != null);
        }
        Path archived = PrivateFiles.folder(archiveDir.resolve(feed)).resolve(sha);
        PrivateFiles.write(archived, body);
        Intake.StageOutcome outcome = intake.stage(feed, label, sha, archived, new Intake.Hooks() {
            @Override
            public void afterPublish(Connection c, long deliveryId) throws SQLException {
                cursor.advance(c, feed, next, runMax);
            }
        });
        if (outcome.quarantineReason() != null) {
            // recorded and visible to operations; the pull goes on past it (reset api_cursor to take it again)
            cursor.advance(null, feed, next, at.runMax());
            return new Page(url, "quarantined", outcome.deliveryId(), count, next != null);
        }
        return new Page(url, "staged", outcome.deliveryId(), count, next != null);
    }

    private boolean alreadyTaken(String feed, String sha) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return org.credentialhub.store.Deliveries.earlierWithContent(c, feed, sha) != null;
        }
    }
}
