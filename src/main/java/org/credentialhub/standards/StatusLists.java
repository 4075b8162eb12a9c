package org.credentialhub.standards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;

/**
 * A credential's {@code credentialStatus}, as its standard says: a W3C Bitstring Status List entry
 * ({@code BitstringStatusListEntry}; its predecessor {@code StatusList2021Entry}), whose list credential's
 * {@code encodedList} is a GZIP bitstring (multibase base64url), the credential's bit at {@code statusListIndex}
 * counted from the left; or a 1EdTech Revocation List ({@code 1EdTechRevocationList}: a JSON list whose
 * {@code revokedCredentials} name revoked credentials by id). Lists are fetched over HTTP and kept for
 * {@code hub.standards.status-cache} (default 5 minutes); a list that cannot be fetched or read is
 * {@link State#UNKNOWN}, never "not revoked".
 *
 * <p>An entry is kept with the result as one line, {@code <type> <purpose> <list URL> <index or credential id>},
 * so that {@link Standing} re-checks it without the credential.
 */
public final class StatusLists {
    private static final Logger LOG = LoggerFactory.getLogger(StatusLists.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String BITSTRING = "BitstringStatusListEntry";
    static final String STATUS_LIST_2021 = "StatusList2021Entry";
    static final String REVOCATION_LIST = "1EdTechRevocationList";

    /** What the lists say of a credential. */
    public enum State { CLEAR, REVOKED, UNKNOWN }

    /** A list as read: its bits or revoked ids, whether its own proof verified, or why it cannot be believed. */
    private record Fetched(Instant at, byte[] bits, Set<String> revokedIds, boolean signed, String problem) {
    }

    private final HttpClient http;
    private final Duration keep;
    private final Duration retry;
    private final Proofs proofs;
    private final Map<String, Fetched> cache = new ConcurrentHashMap<>();

    /**
     * @param keep   how long a list read is kept ({@code hub.standards.status-cache})
     * @param retry  how long a list that could not be read is not asked for again ({@code hub.standards.status-retry})
     * @param proofs checks a status list credential's own proof (a list whose proof fails is not believed)
     */
    public StatusLists(HttpClient http, Duration keep, Duration retry, Proofs proofs) {
        this.http = http;
        this.keep = keep;
        this.retry = retry;
        this.proofs = proofs;
    }

    /**
     * The status entries of a credential as lines to keep, or a reason the credentialStatus cannot be read.
     *
     * @throws IllegalArgumentException with the reason (no personal data) for an entry the hub cannot check
     */
    public static List<String> entries(JsonNode credential) {
        JsonNode status = credential.get("credentialStatus");
        List<String> out = new ArrayList<>();
        if (status == null || status.isNull()) {
            return out;
        }
        for (JsonNode e : status.isArray() ? status : List.of(status)) {
            String type = e.path("type").isArray() ? e.path("type").path(0).asText("") : e.path("type").asText("");
            switch (type) {
                case BITSTRING, STATUS_LIST_2021 -> {
                    String purpose = e.path("statusPurpose").asText("revocation");
                    String list = e.path("statusListCredential").asText("");
                    String index = e.path("statusListIndex").asText("");
                    if (!list.startsWith("http") || !index.matches("\\d{1,9}")) {
                        throw new IllegalArgumentException("its credentialStatus (" + type
                                + ") lacks an http(s) statusListCredential or a statusListIndex");
                    }
                    if (Set.of("revocation", "suspension").contains(purpose)) {
                        out.add(type + " " + purpose + " " + list + " " + index);
                    }
                }
                case REVOCATION_LIST -> {
                    String list = e.path("id").asText("");
                    String id = credential.path("id").asText("");
                    if (!list.startsWith("http") || id.isEmpty()) {
                        throw new IllegalArgumentException("its credentialStatus (" + type + ") has no http(s) id");
                    }
                    out.add(type + " revocation " + list + " " + id);
                }
                default -> throw new IllegalArgumentException("its credentialStatus is of a type the hub cannot check ("
                        + (type.isEmpty() ? "no type" : type) + ")");
            }
        }
        return out;
    }

    /** What the lists say of a credential with these entries: revoked if any says so, unknown if any cannot be read. */
    public State state(List<String> entries) {
        return state(entries, false);
    }

    /**
     * As {@link #state(List)}; with {@code signedOnly} (a feed's {@code verify.status: signed}) a list that carries no
     * proof is not believed either: the credential's state is unknown (a 1EdTech Revocation List, which has no
     * proof, is never believed then).
     */
    public State state(List<String> entries, boolean signedOnly) {
        State state = State.CLEAR;
        for (String entry : entries) {
            String[] p = entry.split(" ", 4);
            if (p.length < 4) {
                return State.UNKNOWN;
            }
            Fetched list = fetch(p[0], p[2]);
            if (list.problem() != null || signedOnly && !list.signed()) {
                state = State.UNKNOWN;
                continue;
            }
            if (REVOCATION_LIST.equals(p[0])) {
                if (list.revokedIds().contains(p[3])) {
                    return State.REVOKED;
                }
            } else {
                long i = Long.parseLong(p[3]);
                if (i / 8 >= list.bits().length) {
                    state = State.UNKNOWN;   // an index past the list's end
                    continue;
                }
                if ((list.bits()[(int) (i / 8)] >> (7 - (int) (i % 8)) & 1) == 1) {
                    return State.REVOKED;
                }
            }
        }
        return state;
    }

    /** Forgets every list (the next check fetches anew). */
    public void forget() {
        cache.clear();
    }

    private Fetched fetch(String type, String url) {
        Fetched f = cache.get(url);
        // a list that could not be read (or believed) is asked for again after the retry interval, not once per
        // credential on it: a list server that is down would otherwise cost every credential its timeout
        if (f != null && f.at().plus(f.problem() == null ? keep : retry).isAfter(Instant.now())) {
            return f;
        }
        f = load(type, url);
        cache.put(url, f);
        return f;
    }

    private Fetched load(String type, String url) {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Accept", "application/json, application/vc+ld+json, application/vc").GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                return problem(url, "HTTP " + r.statusCode());
            }
            String text = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8).strip();
            JsonNode doc = text.startsWith("{") ? JSON.readTree(text) : com.fasterxml.jackson.databind.node.TextNode.valueOf(text);
            if (REVOCATION_LIST.equals(type)) {
                Set<String> ids = new HashSet<>();
                for (JsonNode c : doc.path("revokedCredentials")) {
                    ids.add(c.isTextual() ? c.asText() : c.path("id").asText());
                }
                if (!doc.has("revokedCredentials")) {
                    return problem(url, "no revokedCredentials");
                }
                return new Fetched(Instant.now(), null, ids, false, null);
            }
            // a status list credential (JSON, or a compact JWS: VC-JOSE) whose proof does not verify is not believed
            Proofs.Opened opened = proofs.open(doc);
            if (opened.problem() != null) {
                return problem(url, opened.problem());
            }
            if (opened.signed()) {
                String why = proofs.verify(opened, List.of());
                if (why != null) {
                    return problem(url, why);
                }
            }
            doc = opened.credential();
            String encoded = doc.path("credentialSubject").path("encodedList").asText(null);
            if (encoded == null) {
                return problem(url, "no credentialSubject.encodedList");
            }
            return new Fetched(Instant.now(), gunzip(decode(type, encoded)), null, opened.signed(), null);
        } catch (IOException | IllegalArgumentException e) {
            return problem(url, e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return problem(url, "interrupted");
        }
    }

    private static Fetched problem(String url, String why) {
        LOG.warn("Status list {} cannot be read ({}); its credentials stay unconfirmed", URI.create(url).getHost(), why);
        return new Fetched(Instant.now(), null, null, false, why);
    }

    /** Multibase base64url ({@code u...}, Bitstring Status List) or plain base64/base64url (StatusList2021). */
    static byte[] decode(String type, String encoded) {
        String s = BITSTRING.equals(type) && encoded.startsWith("u") ? encoded.substring(1) : encoded;
        s = s.replace('+', '-').replace('/', '_').replaceAll("=+$", "");
        return Base64.getUrlDecoder().decode(s);
    }

    private static byte[] gunzip(byte[] data) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return in.readNBytes(16 * 1024 * 1024);
        }
    }
}
