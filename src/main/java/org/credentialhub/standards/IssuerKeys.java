package org.credentialhub.standards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The public keys that may have signed an issuer's credential: a {@code did:key} (the key is the identifier), a
 * {@code did:web} (its DID document fetched over HTTPS and kept for {@code hub.standards.did-cache}), or keys
 * configured for the feed ({@code verify.keys}). Ed25519 keys only (multibase {@code z6Mk...}, or a JWK of
 * {@code kty: OKP, crv: Ed25519}), as eddsa-rdfc-2022 and EdDSA JWTs use; a key of another kind is not taken.
 * A verification method that is neither the issuer's DID nor a configured key is not trusted: a proof must be
 * made with a key its issuer controls.
 */
public final class IssuerKeys {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** SubjectPublicKeyInfo of an Ed25519 key, up to the 32 key bytes (RFC 8410). */
    private static final byte[] ED25519_SPKI = HexFormat.of().parseHex("302a300506032b6570032100");

    private record Document(Instant at, JsonNode doc) {
    }

    private final HttpClient http;
    private final Duration keep;
    private final String webScheme;
    private final Map<String, Document> didWeb = new ConcurrentHashMap<>();

    /** @param webScheme {@code https} (did:web as specified); a test may serve did:web documents over {@code http} */
    public IssuerKeys(HttpClient http, Duration keep, String webScheme) {
        this.http = http;
        this.keep = keep;
        this.webScheme = webScheme;
    }

    /**
     * The keys that may verify a proof made with {@code verificationMethod} (may be null: a JWT without kid) for a
     * credential of {@code issuer}.
     *
     * @throws IllegalArgumentException why no key can be had (no personal data)
     */
    public List<PublicKey> keys(String verificationMethod, String issuer, List<String> configured) {
        List<PublicKey> out = new ArrayList<>();
        for (String k : configured) {
            out.add(ed25519(multibase(k.replaceFirst("^did:key:", "").replaceFirst("#.*", ""))));
        }
        String did = verificationMethod == null ? issuer : verificationMethod.replaceFirst("#.*", "");
        if (issuer != null && did != null && did.startsWith("did:") && !did.equals(issuer)) {
            if (out.isEmpty()) {
                throw new IllegalArgumentException("its proof's key (" + did + ") is not its issuer's");
            }
            return out;
        }
        if (did != null && did.startsWith("did:key:")) {
            out.add(ed25519(multibase(did.substring("did:key:".length()))));
        } else if (did != null && did.startsWith("did:web:")) {
            out.addAll(web(did, verificationMethod));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no key of its issuer is known (a did:key or did:web issuer, or a key"
                    + " configured for the feed in verify.keys)");
        }
        return out;
    }

    private List<PublicKey> web(String did, String method) {
        Document d = didWeb.get(did);
        if (d == null || d.at().plus(keep).isBefore(Instant.now())) {
            String[] parts = did.substring("did:web:".length()).split(":");
            StringBuilder url = new StringBuilder(webScheme + "://"
                    + URLDecoder.decode(parts[0], StandardCharsets.UTF_8));
            if (parts.length == 1) {
                url.append("/.well-known");
            }
            for (int i = 1; i < parts.length; i++) {
                url.append('/').append(URLDecoder.decode(parts[i], StandardCharsets.UTF_8));
            }
            url.append("/did.json");
            try {
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url.toString()))
                        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() != 200) {
                    throw new IllegalArgumentException("its issuer's DID document (" + did + ") answered HTTP " + r.statusCode());
                }
                d = new Document(Instant.now(), JSON.readTree(r.body()));
            } catch (IOException e) {
                throw new IllegalArgumentException("its issuer's DID document (" + did + ") cannot be fetched");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalArgumentException("interrupted");
            }
            didWeb.put(did, d);
        }
        if (!did.equals(d.doc().path("id").asText())) {
            throw new IllegalArgumentException("its issuer's DID document is not " + did + "'s");
        }
        List<PublicKey> out = new ArrayList<>();
        for (JsonNode vm : d.doc().path("verificationMethod")) {
            String id = vm.path("id").asText();
            String full = id.startsWith("#") ? did + id : id;
            if (method == null || method.equals(full) || method.equals(did)) {
                if (vm.has("publicKeyMultibase")) {
                    out.add(ed25519(multibase(vm.path("publicKeyMultibase").asText())));
                } else if ("Ed25519".equals(vm.path("publicKeyJwk").path("crv").asText())) {
                    out.add(ed25519Raw(Base64.getUrlDecoder().decode(vm.path("publicKeyJwk").path("x").asText())));
                }
            }
        }
        return out;
    }

    /** A multibase base58btc Ed25519 public key ({@code z6Mk...}: multicodec 0xed01 and 32 bytes). */
    static PublicKey ed25519(byte[] multicodec) {
        if (multicodec.length != 34 || (multicodec[0] & 0xff) != 0xed || multicodec[1] != 0x01) {
            throw new IllegalArgumentException("its key is not an Ed25519 key");
        }
        return ed25519Raw(java.util.Arrays.copyOfRange(multicodec, 2, 34));
    }

    static PublicKey ed25519Raw(byte[] raw) {
        if (raw.length != 32) {
            throw new IllegalArgumentException("its key is not an Ed25519 key");
        }
        byte[] spki = new byte[ED25519_SPKI.length + 32];
        System.arraycopy(ED25519_SPKI, 0, spki, 0, ED25519_SPKI.length);
        System.arraycopy(raw, 0, spki, ED25519_SPKI.length, 32);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("its key is not an Ed25519 key");
        }
    }

    /** The 32 raw bytes of an Ed25519 public key (the last 32 of its SubjectPublicKeyInfo). */
    public static byte[] raw(PublicKey key) {
        byte[] enc = key.getEncoded();
        return java.util.Arrays.copyOfRange(enc, enc.length - 32, enc.length);
    }

    /** The multibase ({@code z...}) form of an Ed25519 public key: what did:key and publicKeyMultibase hold. */
    public static String multibase(PublicKey key) {
        byte[] mc = new byte[34];
        mc[0] = (byte) 0xed;
        mc[1] = 0x01;
        System.arraycopy(raw(key), 0, mc, 2, 32);
        return "z" + base58(mc);
    }

    /** Decodes a multibase base58btc value ({@code z...}). */
    static byte[] multibase(String value) {
        if (!value.startsWith("z")) {
            throw new IllegalArgumentException("its key or signature is not multibase base58btc (z...)");
        }
        return unbase58(value.substring(1));
    }

    private static final String B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    public static String base58(byte[] data) {
        BigInteger n = new BigInteger(1, data);
        StringBuilder b = new StringBuilder();
        BigInteger base = BigInteger.valueOf(58);
        while (n.signum() > 0) {
            BigInteger[] qr = n.divideAndRemainder(base);
            b.append(B58.charAt(qr[1].intValue()));
            n = qr[0];
        }
        for (int i = 0; i < data.length && data[i] == 0; i++) {
            b.append('1');
        }
        return b.reverse().toString();
    }

    static byte[] unbase58(String s) {
        BigInteger n = BigInteger.ZERO;
        for (char c : s.toCharArray()) {
            int d = B58.indexOf(c);
            if (d < 0) {
                throw new IllegalArgumentException("its key or signature is not base58btc");
            }
            n = n.multiply(BigInteger.valueOf(58)).add(BigInteger.valueOf(d));
        }
        byte[] bytes = n.toByteArray();
        int strip = bytes.length > 1 && bytes[0] == 0 ? 1 : 0;
        int zeros = 0;
        while (zeros < s.length() && s.charAt(zeros) == '1') {
            zeros++;
        }
        byte[] out = new byte[zeros + bytes.length - strip];
        System.arraycopy(bytes, strip, out, zeros, bytes.length - strip);
        return out;
    }
}
