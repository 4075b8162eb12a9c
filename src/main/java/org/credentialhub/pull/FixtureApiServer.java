package org.credentialhub.pull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.credentialhub.mapping.FixedShapeDates;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for the vendors' APIs, on 127.0.0.1, serving fixture records the way the real APIs
 * page them (docs/vendor-layouts.md):
 * <ul>
 *   <li>Open Badges 3.0: {@code POST /oauth/token} (client credentials, client authenticated with HTTP
 *       basic or form fields) and {@code GET /ims/ob/v3p0/credentials?limit=&offset=&since=} with a
 *       bearer token; {@code Link: <...>; rel="next"} and {@code X-Total-Count}; CLR 2.0 the same at
 *       {@code GET /ims/clr/v2p0/credentials};</li>
 *   <li>issued badges: {@code GET /v1/organizations/{org}/badges?filter=issued_at_min::<ts>&page=N}
 *       with HTTP basic auth (the API token as user name); {@code metadata.next_page_url}.</li>
 * </ul>
 * Records are filtered by their newest time (award or issue, or {@code updated_at} when a record has
 * one, so a revocation shows up again). Tests can make it throttle (429 with Retry-After) or fail (5xx)
 * the next requests. {@code ./hub ingest} serves generated fixtures ({@code api/badges/credentials.json}
 * = {"credential": [...]}, {@code api/issuedbadges/badges.json} = {"data": [...]}) with it.
 */
public final class FixtureApiServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<JsonNode> credentials = new CopyOnWriteArrayList<>();
    private final List<JsonNode> clrs = new CopyOnWriteArrayList<>();
    private final Map<String, String> documents = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<JsonNode> badges = new CopyOnWriteArrayList<>();
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Integer> injected = new CopyOnWriteArrayList<>();
    private volatile String clientId = "credential-hub";
    private volatile String clientSecret = "fixture-secret";
    private volatile String apiToken = "fixture-token";
    private volatile String org = "nc-cte";
    private volatile int retryAfterSeconds = 1;
    private volatile int maxPageSize = 1000;

    private FixtureApiServer(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::handle);
    }

    /** Starts on 127.0.0.1 (port 0: any free port). */
    public static FixtureApiServer start(int port) throws IOException {
        FixtureApiServer s = new FixtureApiServer(port);
        s.server.start();
        return s;
    }

    /**
     * Serves the generated fixtures under {@code dir}: {@code api/badges/credentials.json} and
     * {@code api/issuedbadges/badges.json} (either may be missing).
     */
    public static FixtureApiServer serve(Path dir, int port) throws IOException {
        FixtureApiServer s = start(port);
        try {
            Path creds = dir.resolve("api/badges/credentials.json");
            if (Files.isRegularFile(creds)) {
                s.credentials.addAll(s.fileRecords(creds, "credential", "validFrom", "issuanceDate"));
            }
            Path issued = dir.resolve("api/issuedbadges/badges.json");
            if (Files.isRegularFile(issued)) {
                s.badges.addAll(s.fileRecords(issued, "data", "issued_at"));
            }
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        s.changed();
        return s;
    }

    /** The files whose records are served from where they lie ({@link FileRecord}), open while the server runs. */
    private final List<FileChannel> files = new CopyOnWriteArrayList<>();

    /**
     * The elements of the array {@code field} of a fixtures file, read one at a time: each kept as what finding,
     * ordering and filtering it needs (its key and its newest time of {@code timeFields}), with where its text lies in
     * the file, which is read again when a page serves it. Held whole, a scale-5 state's 350 MB of credentials ran a
     * 1 GB heap out of memory before the hub had started, and a scale-1 state's 70 MB held about a third of its heap;
     * as small trees of those fields they still held about 200 MB at scale 5.
     */
    private List<JsonNode> fileRecords(Path file, String field, String... timeFields) throws IOException {
        FileChannel channel = FileChannel.open(file);
        files.add(channel);
        List<JsonNode> out = new ArrayList<>();
        try (JsonParser p = JSON.getFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException(file.getFileName() + ": not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = field.equals(p.currentName());
                JsonToken value = p.nextToken();
                if (!wanted || value != JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    long start = p.currentTokenLocation().getByteOffset();
                    JsonNode element = p.readValueAsTree();
                    if (!element.isObject()) {
                        out.add(element);   // a compact JWS: its text is all there is
                        continue;
                    }
                    long end = p.currentLocation().getByteOffset();
                    Instant newest = newest(element, timeFields);
                    out.add(new FileRecord(key(element), element.path("id").asText(),
                            newest == null ? Instant.EPOCH : newest, channel, start, (int) (end - start)));
                }
            }
        }
        return out;
    }

    /**
     * A record served from its fixtures file: its key, id and newest time, worked out when the file was read, and where
     * its text lies; it writes that text when a page is serialized. It has no fields of its own as a tree: the server
     * asks a file record for its key, id and time (the server's key, id and sort).
     */
    private static final class FileRecord extends ObjectNode {
        private final String key;
        private final String id;
        private final Instant newest;
        private final FileChannel file;
        private final long offset;
        private final int length;

        FileRecord(String key, String id, Instant newest, FileChannel file, long offset, int length) {
            super(JsonNodeFactory.instance);
            this.key = key;
            this.id = id;
            this.newest = newest;
            this.file = file;
            this.offset = offset;
            this.length = length;
        }

        /** The record as the file has it. */
        String text() {
            ByteBuffer b = ByteBuffer.allocate(length);
            try {
                while (b.hasRemaining()) {
                    if (file.read(b, offset + b.position()) < 0) {
                        throw new IOException("the fixtures file ends inside a record");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new String(b.array(), StandardCharsets.UTF_8);
        }

        /** The whole record, to change it (a revocation). */
        ObjectNode whole() {
            try {
                return (ObjectNode) JSON.readTree(text());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void serialize(JsonGenerator g,
                              SerializerProvider provider) throws IOException {
            g.writeRawValue(text());
        }

        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public FixtureApiServer clientCredentials(String id, String secret) {
        this.clientId = id;
        this.clientSecret = secret;
        return this;
    }

    public FixtureApiServer apiToken(String token) {
        this.apiToken = token;
        return this;
    }

    public FixtureApiServer organization(String org) {
        this.org = org;
        return this;
    }

    /** The most records a page holds whatever the client asks. */
    public FixtureApiServer maxPageSize(int n) {
        this.maxPageSize = n;
        return this;
    }

    /** Adds or replaces (same id) OB 3.0 credentials. */
    public FixtureApiServer credentials(List<String> json) throws IOException {
        for (String j : json) {
            put(credentials, JSON.readTree(j));
        }
        return this;
    }

    /** Adds or replaces (same id) CLR 2.0 ClrCredentials, served at {@code /ims/clr/v2p0/credentials}. */
    public FixtureApiServer clrCredentials(List<String> json) throws IOException {
        for (String j : json) {
            put(clrs, JSON.readTree(j));
        }
        return this;
    }

    /** Adds or replaces (same id) issued badges. */
    public FixtureApiServer badges(List<String> json) throws IOException {
        for (String j : json) {
            put(badges, JSON.readTree(j));
        }
        return this;
    }

    /** Another record of the same issuer and id replaces it (the issuer's id, or its name where it is a string). */
    private void put(List<JsonNode> list, JsonNode record) {
        String key = key(record);
        list.removeIf(r -> key(r).equals(key));
        list.add(record);
        changed();
    }

    /** A record's id (a file record's as read from the file). */
    private static String id(JsonNode r) {
        return r instanceof FileRecord f ? f.id : r.path("id").asText();
    }

    private static String key(JsonNode r) {
        if (r instanceof FileRecord f) {
            return f.key;
        }
        if (r.isTextual()) {
            return r.asText();   // a compact JWS
        }
        JsonNode issuer = r.path("issuer");
        return (issuer.isTextual() ? issuer.asText() : issuer.path("id").asText()) + "|" + r.path("id").asText();
    }

    /** Removes every OB 3.0 credential. */
    public FixtureApiServer clearCredentials() {
        credentials.clear();
        changed();
        return this;
    }

    /** Removes every issued badge. */
    public FixtureApiServer clearBadges() {
        badges.clear();
        changed();
        return this;
    }

    /**
     * Serves a document at a path without sign-in, as an issuer's server does: a status list credential, a
     * revocation list, a did:web DID document ({@code /.well-known/did.json}). Served again replaces it.
     */
    public FixtureApiServer document(String path, String json) {
        documents.put(path, json);
        return this;
    }

    /** Revokes an issued badge now: state revoked, updated_at now. */
    public void revokeBadge(String id) {
        for (int i = 0; i < badges.size(); i++) {
            if (id(badges.get(i)).equals(id)) {
                ObjectNode b = badges.get(i) instanceof FileRecord f ? f.whole() : badges.get(i).deepCopy();
                b.put("state", "revoked");
                b.put("updated_at", Instant.now().toString());
                badges.set(i, b);
            }
        }
        changed();
    }

    /** The next {@code times} API requests answer {@code status} (429 comes with Retry-After). */
    public void failNext(int status, int times) {
        for (int i = 0; i < times; i++) {
            injected.add(status);
        }
    }

    public void retryAfter(int seconds) {
        this.retryAfterSeconds = seconds;
    }

    public int requests() {
        return requests.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            requests.incrementAndGet();
            if (!injected.isEmpty()) {
                int status = injected.remove(0);
                if (status == 429) {
                    ex.getResponseHeaders().add("Retry-After", String.valueOf(retryAfterSeconds));
                }
                send(ex, status, "{\"error\": \"injected " + status + "\"}");
                return;
            }
            String path = ex.getRequestURI().getPath();
            String doc = documents.get(path);
            if (doc != null && "GET".equals(ex.getRequestMethod())) {
                send(ex, 200, doc);
            } else if (path.equals("/oauth/token") && "POST".equals(ex.getRequestMethod())) {
                token(ex);
            } else if (path.equals("/ims/ob/v3p0/credentials") && "GET".equals(ex.getRequestMethod())) {
                oneEdTech(ex, path, credentials);
            } else if (path.equals("/ims/clr/v2p0/credentials") && "GET".equals(ex.getRequestMethod())) {
                oneEdTech(ex, path, clrs);
            } else if (path.matches("/v1/organizations/[^/]+/badges") && "GET".equals(ex.getRequestMethod())) {
                issued(ex, path.split("/")[3]);
            } else {
                send(ex, 404, "{\"error\": \"not found\"}");
            }
        } catch (RuntimeException e) {
            send(ex, 500, "{\"error\": \"" + e.getClass().getSimpleName() + "\"}");
        }
    }

    private void token(HttpExchange ex) throws IOException {
        Map<String, String> form = query(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String id = form.get("client_id");
        String secret = form.get("client_secret");
        String[] basic = basic(ex);
        if (basic != null) {
            id = URLDecoder.decode(basic[0], StandardCharsets.UTF_8);
            secret = URLDecoder.decode(basic[1], StandardCharsets.UTF_8);
        }
        if (!"client_credentials".equals(form.get("grant_type"))) {
            send(ex, 400, "{\"error\": \"unsupported_grant_type\"}");
        } else if (!clientId.equals(id) || !clientSecret.equals(secret)) {
            send(ex, 401, "{\"error\": \"invalid_client\"}");
        } else {
            String t = UUID.randomUUID().toString();
            tokens.add(t);
            send(ex, 200, "{\"access_token\": \"" + t + "\", \"token_type\": \"Bearer\", \"expires_in\": 3600}");
        }
    }

    /** An Open Badges 3.0 or CLR 2.0 getCredentials page (the same paging and response, under their own paths). */
    private void oneEdTech(HttpExchange ex, String path, List<JsonNode> credentials) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ") || !tokens.contains(auth.substring(7))) {
            send(ex, 401, "{\"error\": \"invalid_token\"}");
            return;
        }
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        int limit = Math.min(Integer.parseInt(q.getOrDefault("limit", "100")), maxPageSize);
        int offset = Integer.parseInt(q.getOrDefault("offset", "0"));
        Instant since = q.containsKey("since") ? OffsetDateTime.parse(q.get("since")).toInstant() : null;
        List<JsonNode> all = select(credentials, since, false, "validFrom", "issuanceDate");
        List<JsonNode> page = all.subList(Math.min(offset, all.size()), Math.min(offset + limit, all.size()));
        ObjectNode body = JSON.createObjectNode();
        // as OB 3.0's GetOpenBadgeCredentialsResponse has them: JSON credentials in credential[], compact JWS strings
        // in compactJwsString[]
        ArrayNode arr = body.putArray("credential");
        page.stream().filter(r -> !r.isTextual()).forEach(arr::add);
        if (page.stream().anyMatch(JsonNode::isTextual)) {
            ArrayNode jws = body.putArray("compactJwsString");
            page.stream().filter(JsonNode::isTextual).forEach(jws::add);
        }
        ex.getResponseHeaders().add("X-Total-Count", String.valueOf(all.size()));
        String base = path + "?limit=" + limit
                + (since == null ? "" : "&since=" + URLEncoder.encode(q.get("since"), StandardCharsets.UTF_8));
        List<String> links = new ArrayList<>();
        if (offset + limit < all.size()) {
            links.add("<" + baseUrl() + base + "&offset=" + (offset + limit) + ">; rel=\"next\"");
        }
        links.add("<" + baseUrl() + base + "&offset=" + Math.max(0, (all.size() - 1) / limit * limit) + ">; rel=\"last\"");
        ex.getResponseHeaders().add("Link", String.join(", ", links));
        send(ex, 200, JSON.writeValueAsString(body));
    }

    private void issued(HttpExchange ex, String pathOrg) throws IOException {
        String[] basic = basic(ex);
        if (basic == null || !apiToken.equals(basic[0])) {
            ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"api\"");
            send(ex, 401, "{\"error\": \"unauthorized\"}");
            return;
        }
        if (!org.equals(pathOrg)) {
            send(ex, 404, "{\"error\": \"no such organization\"}");
            return;
        }
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        int per = Math.min(Integer.parseInt(q.getOrDefault("per_page", "50")), maxPageSize);
        int page = Math.max(1, Integer.parseInt(q.getOrDefault("page", "1")));
        Instant since = null;
        String filter = q.get("filter");
        if (filter != null && filter.startsWith("issued_at_min::")) {
            since = OffsetDateTime.parse(filter.substring("issued_at_min::".length())).toInstant();
        }
        List<JsonNode> all = select(badges, since, true, "issued_at");
        int pages = Math.max(1, (all.size() + per - 1) / per);
        List<JsonNode> slice = all.subList(Math.min((page - 1) * per, all.size()), Math.min(page * per, all.size()));
        ObjectNode body = JSON.createObjectNode();
        ArrayNode arr = body.putArray("data");
        slice.forEach(arr::add);
        ObjectNode meta = body.putObject("metadata");
        meta.put("count", all.size());
        meta.put("current_page", page);
        meta.put("total_pages", pages);
        if (page < pages) {
            meta.put("next_page_url", baseUrl() + "/v1/organizations/" + pathOrg + "/badges?page=" + (page + 1)
                    + "&per_page=" + per + (filter == null ? "" : "&filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8)));
        } else {
            meta.putNull("next_page_url");
        }
        send(ex, 200, JSON.writeValueAsString(body));
    }

    /**
     * Each served list's records by their newest time, oldest first (ties by id), worked out once after the list
     * changed, not for every page request: sorting every record for each page made serving a state's API records
     * quadratic (JFR: 41 % of the CPU samples of a whole NC year's {@code ./hub ingest}, which serves them).
     */
    private final Map<List<JsonNode>, Sorted> sorted = new java.util.IdentityHashMap<>();

    /** A list's records and their newest times (EPOCH for a record without one), in serving order. */
    private record Sorted(JsonNode[] nodes, Instant[] times) {
    }

    /** A served list changed: its order is worked out again at the next request. */
    private synchronized void changed() {
        sorted.clear();
    }

    /** Records whose newest time is after (or, inclusive, not before) since, oldest first; all of them without since. */
    private List<JsonNode> select(List<JsonNode> records, Instant since, boolean inclusive, String... timeFields) {
        Sorted s;
        synchronized (this) {
            s = sorted.computeIfAbsent(records, r -> sort(r, timeFields));
        }
        int from = 0;
        if (since != null) {
            // the first record in the window (the times ascend), and never one without a time
            int hi = s.times().length;
            while (from < hi) {
                int mid = (from + hi) >>> 1;
                Instant t = s.times()[mid];
                if (inclusive ? !t.isBefore(since) : t.isAfter(since)) {
                    hi = mid;
                } else {
                    from = mid + 1;
                }
            }
            while (from < s.times().length && s.times()[from].equals(Instant.EPOCH)) {
                from++;
            }
        }
        return java.util.Arrays.asList(s.nodes()).subList(from, s.nodes().length);
    }

    private static Sorted sort(List<JsonNode> records, String... timeFields) {
        record Timed(JsonNode node, Instant time, String id) {
        }
        List<Timed> all = new ArrayList<>();
        for (JsonNode r : records) {
            Instant newest = r instanceof FileRecord f ? f.newest : newest(r, timeFields);
            all.add(new Timed(r, newest == null ? Instant.EPOCH : newest, id(r)));
        }
        all.sort(Comparator.comparing(Timed::time).thenComparing(Timed::id));
        return new Sorted(all.stream().map(Timed::node).toArray(JsonNode[]::new),
                all.stream().map(Timed::time).toArray(Instant[]::new));
    }

    private static Instant newest(JsonNode r, String... fields) {
        Instant max = null;
        List<String> all = new ArrayList<>(List.of(fields));
        all.add("updated_at");
        for (String f : all) {
            String v = r.path(f).asText(null);
            if (v != null && !v.isBlank()) {
                try {
                    Instant t = FixedShapeDates.isoOffsetDateTime(v).toInstant();
                    max = max == null || t.isAfter(max) ? t : max;
                } catch (RuntimeException ignored) {
                    // not a time
                }
            }
        }
        return max;
    }

    private static String[] basic(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Basic ")) {
            return null;
        }
        String decoded = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return colon < 0 ? new String[]{decoded, ""} : new String[]{decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isBlank()) {
            return out;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    /** Serves generated fixtures: {@code FixtureApiServer <fixtures dir> [port]}. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : ".");
        FixtureApiServer s = serve(dir, args.length > 1 ? Integer.parseInt(args[1]) : 0);
        System.out.println("fixture API on " + s.baseUrl() + " (client " + s.clientId + ", token " + s.apiToken + ")");
        Thread.currentThread().join();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        for (FileChannel f : files) {
            try {
                f.close();
            } catch (IOException ignored) {
                // closing a file only read
            }
        }
    }
}
