package org.credentialhub.standards;

import org.credentialhub.feeds.FeedConfig;
import org.credentialhub.mapping.RecordCheck;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The hub's verification of verifiable credentials (issue 16, docs/open-badges.md): gives each feed whose layout
 * names a standard ({@code source.standard}) its {@link CredentialCheck}, with the feed's policy
 * ({@code verify} in config/feeds.yaml), and holds what the checks share: the status lists and DID documents
 * fetched and kept, the pinned JSON-LD contexts.
 */
public final class Verification implements RecordCheck.Factory {
    private static final FeedConfig.Verify DEFAULT = new FeedConfig.Verify(null, null, null);

    private final Map<String, FeedConfig> feeds;
    private final StatusLists statusLists;
    private final Proofs proofs;

    /**
     * @param statusCache how long a fetched status list is kept ({@code hub.standards.status-cache})
     * @param statusRetry how long a list that could not be read is not asked for again ({@code hub.standards.status-retry})
     * @param didCache    how long a fetched did:web document is kept ({@code hub.standards.did-cache})
     * @param didWebScheme {@code https}; tests serve did:web documents over http
     * @param contextsDir the pinned JSON-LD contexts ({@code hub.standards.contexts.dir})
     */
    public Verification(Map<String, FeedConfig> feeds, Duration statusCache, Duration statusRetry, Duration didCache,
                        String didWebScheme, Path contextsDir) {
        this.feeds = feeds;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.proofs = new Proofs(new IssuerKeys(http, didCache, didWebScheme), new Contexts(contextsDir));
        this.statusLists = new StatusLists(http, statusCache, statusRetry, proofs);
    }

    /** Verification as the settings say ({@code hub.standards.*}): the hub's, and a command's that loads the reports. */
    public static Verification of(org.credentialhub.runtime.Settings settings, Map<String, FeedConfig> feeds) {
        return new Verification(feeds,
                FeedConfig.parseDuration(settings.get("hub.standards.status-cache", "5m")),
                FeedConfig.parseDuration(settings.get("hub.standards.status-retry", "30s")),
                FeedConfig.parseDuration(settings.get("hub.standards.did-cache", "1h")),
                settings.get("hub.standards.did-web.scheme", "https"),
                settings.path("hub.standards.contexts.dir", "config/jsonld-contexts"));
    }

    @Override
    public RecordCheck forFeed(String feed, String standard) {
        FeedConfig f = feeds.get(feed);
        FeedConfig.Verify policy = f == null || f.verify() == null ? DEFAULT : f.verify();
        return new CredentialCheck("clr-2".equals(standard), policy, proofs, statusLists);
    }

    /** The feed believes only status lists whose own proof verifies ({@code verify.status: signed}). */
    public boolean signedListsOnly(String feed) {
        FeedConfig f = feeds.get(feed);
        return f != null && f.verify() != null && f.verify().signedListsOnly();
    }

    public StatusLists statusLists() {
        return statusLists;
    }

    public Proofs proofs() {
        return proofs;
    }
}
