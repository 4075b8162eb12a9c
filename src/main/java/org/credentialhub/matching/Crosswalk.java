package org.credentialhub.matching;

import java.util.HashMap;
import java.util.Map;

/**
 * Tier 3: earlier decisions "vendor candidate X is roster student S", applied before anything else.
 * Immutable and thread-safe once built.
 */
public final class Crosswalk {
    private static final Crosswalk EMPTY = new Crosswalk(Map.of());
    private final Map<String, Long> links;

    private Crosswalk(Map<String, Long> links) {
        this.links = links;
    }

    /** @param links vendor candidate key → roster id; copied */
    public static Crosswalk of(Map<String, Long> links) {
        return new Crosswalk(Map.copyOf(links));
    }

    public static Crosswalk empty() {
        return EMPTY;
    }

    /** @return the roster id linked to this candidate key, or null */
    public Long lookup(String candidateKey) {
        return candidateKey == null ? null : links.get(candidateKey);
    }

    public int size() {
        return links.size();
    }

    /** Mutable builder. */
    public static final class Builder {
        private final Map<String, Long> links = new HashMap<>();

        public Builder put(String candidateKey, long rosterId) {
            links.put(candidateKey, rosterId);
            return this;
        }

        public Crosswalk build() {
            return of(links);
        }
    }
}
