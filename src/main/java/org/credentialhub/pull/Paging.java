package org.credentialhub.pull;

import com.fasterxml.jackson.databind.JsonNode;
import org.credentialhub.feeds.FeedConfig;
import org.credentialhub.mapping.FixedShapeDates;
import org.credentialhub.standards.Proofs;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Paging through an API feed: the first page's URL, the next page's (Open Badges 3.0: the {@code Link} header's
 * {@code rel="next"}; issued-badge JSON: {@code metadata.next_page_url} or the page number), the records of a
 * page and the newest record time on it, which becomes the next since-cursor.
 */
final class Paging {
    private Paging() {
    }

    /**
     * A 1EdTech API: Open Badges 3.0 ({@code ob3}) or CLR 2.0 ({@code clr2}), the same paging (limit/offset, Link
     * rel=next, since) and the same response ({@code credential[]}, {@code compactJwsString[]}), under their own paths.
     */
    static boolean oneEdTech(FeedConfig.Api api) {
        return "ob3".equals(api.style()) || "clr2".equals(api.style());
    }

    static String firstPage(String base, FeedConfig.Api api, String since) {
        int size = api.pageSize() == null ? 100 : api.pageSize();
        if (oneEdTech(api)) {
            String path = "clr2".equals(api.style()) ? "/ims/clr/v2p0/credentials" : "/ims/ob/v3p0/credentials";
            return base + path + "?limit=" + size + "&offset=0"
                    + (since == null ? "" : "&since=" + enc(since));
        }
        return base + "/v1/organizations/" + enc(api.org()) + "/badges?page=1&per_page=" + size
                + (since == null ? "" : "&filter=" + enc("issued_at_min::" + since));
    }

    /**
     * The page's records (null when the document has none). Open Badges 3.0 and CLR 2.0: the credentials of {@code credential[]}
     * and the compact JWS strings of {@code compactJwsString[]} together.
     */
    static JsonNode records(FeedConfig.Api api, JsonNode doc) {
        if (!oneEdTech(api)) {
            return doc.get("data");
        }
        JsonNode objects = doc.get("credential");
        JsonNode jws = doc.get("compactJwsString");
        if (jws == null || !jws.isArray()) {
            return objects;
        }
        com.fasterxml.jackson.databind.node.ArrayNode all = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        if (objects != null && objects.isArray()) {
            all.addAll((com.fasterxml.jackson.databind.node.ArrayNode) objects);
        }
        all.addAll((com.fasterxml.jackson.databind.node.ArrayNode) jws);
        return all;
    }

    /**
     * A next page's URL as the cursor keeps it: its path and query after the base URL (starting with {@code /}) when it
     * lies under the base, so that a pull stopped between pages goes on at the base URL configured when it resumes;
     * else the whole URL. Null stays null.
     */
    static String underBase(String base, String url) {
        return url != null && url.startsWith(base + "/") ? url.substring(base.length()) : url;
    }

    /** The URL of a next page the cursor kept ({@link #underBase}), at the base URL configured now. */
    static String atBase(String base, String kept) {
        return kept.startsWith("/") && !kept.startsWith("//") ? base + kept : kept;
    }

    /** The next page's absolute URL, or null after the last page. */
    static String nextPageUrl(FeedConfig.Api api, String url, List<String> linkHeaders, JsonNode doc) {
        String next = oneEdTech(api) ? linkNext(linkHeaders) : bodyNext(url, doc);
        return next == null ? null : URI.create(url).resolve(next).toString();
    }

    /**
     * The target of the first link whose relation types include {@code next} (RFC 8288): a header may hold
     * several links, parameter values may be quoted (with commas and semicolons inside), rel may list types.
     */
    static String linkNext(List<String> headers) {
        for (String header : headers) {
            LinkReader in = new LinkReader(header);
            String target;
            while ((target = in.nextTarget()) != null) {
                String rel = in.params();
                if (rel != null && List.of(rel.trim().toLowerCase(Locale.ROOT).split("\\s+")).contains("next")) {
                    return target;
                }
            }
        }
        return null;
    }

    /** The body's {@code metadata.next_page_url}, else the URL with the next page number while pages remain. */
    static String bodyNext(String url, JsonNode doc) {
        JsonNode meta = doc.path("metadata");
        String n = meta.path("next_page_url").asText(null);
        if (n != null && !n.isBlank() && !"null".equals(n)) {
            return n;
        }
        if (meta.has("current_page") && meta.has("total_pages")
                && meta.get("current_page").asInt() < meta.get("total_pages").asInt()) {
            return url.replaceFirst("([?&]page=)\\d+", "$1" + (meta.get("current_page").asInt() + 1));
        }
        return null;
    }

    /**
     * The newest record time on the page (award, issue or update) that is not in the future, as the next
     * since-cursor: a credential valid only from a later date (or a wrong clock at the vendor) never moves the
     * cursor past now, so every record issued meanwhile is still pulled, and the early one is met again.
     */
    static String newest(FeedConfig.Api api, JsonNode records, Instant now) {
        List<String> fields = oneEdTech(api) ? List.of("validFrom", "issuanceDate", "updated_at")
                : List.of("issued_at", "updated_at");
        String max = null;
        // each time read once, the newest's kept with it (a page of 1,000 badges parsed each time three times over,
        // 3 % of the NC year's JVM samples: docs/performance.md, session 51)
        Instant maxTime = null;
        for (JsonNode record : records) {
            // a compact JWS's times are in its payload (read unverified: they only move the since-cursor)
            JsonNode credential = Proofs.opened(record).credential();
            JsonNode r = credential == null ? record : credential;
            for (String f : fields) {
                String v = r.path(f).asText(null);
                if (v == null || v.isBlank()) {
                    continue;
                }
                Instant t = instant(v);
                if (t != null && t.isAfter(now)) {
                    continue;   // in the future
                }
                if (max == null || earlier(max, maxTime, v, t)) {
                    max = v;
                    maxTime = t;
                }
            }
        }
        return max;
    }

    /** The time a text says, or null when it is not an ISO-8601 time with an offset. */
    private static Instant instant(String time) {
        try {
            return FixedShapeDates.isoOffsetDateTime(time).toInstant();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The later of two times (either may be null); times that do not parse compare as text. */
    static String max(String a, String b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return earlier(a, instant(a), b, instant(b)) ? b : a;
    }

    /**
     * Whether time {@code a} comes before {@code b} (each with the instant it says, null when it does not parse): by
     * their instants when both parse, else by their texts. Equal ones are not.
     */
    private static boolean earlier(String a, Instant ta, String b, Instant tb) {
        return ta != null && tb != null ? ta.isBefore(tb) : a.compareTo(b) < 0;
    }

    /** A page's label in the delivery table and the log: its path and query (no host, no credentials). */
    static String label(String url) {
        URI u = URI.create(url);
        return u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Reads {@code <target>; name=value; name="quoted", <target>; ...} one link at a time. */
    private static final class LinkReader {
        private final String s;
        private int i;

        LinkReader(String s) {
            this.s = s;
        }

        /** The next link's target, or null at the end (or where the header is not links). */
        String nextTarget() {
            while (i < s.length() && (s.charAt(i) == ',' || Character.isWhitespace(s.charAt(i)))) {
                i++;
            }
            int close = s.indexOf('>', i);
            if (i >= s.length() || s.charAt(i) != '<' || close < 0) {
                return null;
            }
            String target = s.substring(i + 1, close).trim();
            i = close + 1;
            return target;
        }

        /** Reads the link's parameters up to the comma that ends it; returns its rel (null when it has none). */
        String params() {
            String rel = null;
            while (i < s.length() && s.charAt(i) != ',') {
                if (s.charAt(i) != ';') {
                    i++;
                    continue;
                }
                i++;
                int start = i;
                while (i < s.length() && ";,=".indexOf(s.charAt(i)) < 0) {
                    i++;
                }
                String name = s.substring(start, i).trim().toLowerCase(Locale.ROOT);
                String value = i < s.length() && s.charAt(i) == '=' ? value() : null;
                if ("rel".equals(name) && rel == null) {
                    rel = value;
                }
            }
            return rel;
        }

        private String value() {
            i++; // '='
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            StringBuilder v = new StringBuilder();
            if (i < s.length() && s.charAt(i) == '"') {
                for (i++; i < s.length() && s.charAt(i) != '"'; i++) {
                    if (s.charAt(i) == '\\' && i + 1 < s.length()) {
                        i++;
                    }
                    v.append(s.charAt(i));
                }
                i++; // closing quote
            } else {
                for (; i < s.length() && s.charAt(i) != ';' && s.charAt(i) != ','; i++) {
                    v.append(s.charAt(i));
                }
            }
            return v.toString().trim();
        }
    }
}
