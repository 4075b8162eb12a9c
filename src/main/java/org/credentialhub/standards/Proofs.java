package org.credentialhub.standards;

import com.apicatalog.jsonld.JsonLd;
import com.apicatalog.jsonld.JsonLdError;
import com.apicatalog.jsonld.document.JsonDocument;
import com.apicatalog.rdf.api.RdfConsumerException;
import com.apicatalog.rdf.canon.RdfCanon;
import com.apicatalog.rdf.nquads.NQuadsWriter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.json.Json;
import jakarta.json.JsonStructure;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.List;

/**
 * The proof of a verifiable credential, verified as its standard says:
 * <ul>
 *   <li>W3C Data Integrity, {@code DataIntegrityProof} with cryptosuite {@code eddsa-rdfc-2022}: the credential
 *       without its proof and the proof's options, each turned into RDF (JSON-LD, with only the contexts the hub
 *       pins: {@link Contexts}) and canonicalized (RDFC-1.0), hashed with SHA-256; the Ed25519 signature
 *       ({@code proofValue}, multibase base58btc) covers the options' hash followed by the credential's;</li>
 *   <li>VC-JOSE / VC-JWT: a compact JWS ({@code alg: EdDSA}) whose payload is the credential (VC 2.0) or holds it
 *       in {@code vc} (VC 1.1).</li>
 * </ul>
 * The key must be the issuer's ({@link IssuerKeys}). Every answer that refuses is a reason without personal data.
 */
public final class Proofs {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A record opened as a credential.
     *
     * @param credential the credential (null when it cannot be read: see problem)
     * @param signed     it carries a proof (an embedded proof, or it is a JWS)
     * @param jws        the compact JWS it came as, or null
     * @param problem    why it cannot be read as a credential, or null
     */
    public record Opened(JsonNode credential, boolean signed, String jws, String problem) {
    }

    private final IssuerKeys keys;
    private final Contexts contexts;

    public Proofs(IssuerKeys keys, Contexts contexts) {
        this.keys = keys;
        this.contexts = contexts;
    }

    public Opened open(JsonNode record) {
        return opened(record);
    }

    /**
     * A record as a credential, unverified: a JSON object as it is, a compact JWS (VC-JOSE) as its payload, or its
     * {@code vc} (VC-JWT). Needs no keys: also what paging reads a page's record times from.
     */
    public static Opened opened(JsonNode record) {
        if (record.isTextual()) {
            String[] parts = record.asText().split("\\.", -1);
            if (parts.length != 3) {
                return new Opened(null, true, null, "the record is neither a credential nor a compact JWS");
            }
            try {
                JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
                JsonNode c = payload.has("vc") ? payload.get("vc") : payload;
                if (!c.isObject()) {
                    return new Opened(null, true, null, "the JWT's payload is not a credential");
                }
                return new Opened(c, true, record.asText(), null);
            } catch (IOException | IllegalArgumentException e) {
                return new Opened(null, true, null, "the JWT's payload is not base64url JSON");
            }
        }
        if (!record.isObject()) {
            return new Opened(null, false, null, "the record is not a JSON object");
        }
        return new Opened(record, record.has("proof"), null, null);
    }

    /** Why the opened credential's proof does not verify, or null when it does. */
    public String verify(Opened opened, List<String> configuredKeys) {
        try {
            return opened.jws() != null ? jws(opened, configuredKeys) : dataIntegrity(opened.credential(), configuredKeys);
        } catch (IllegalArgumentException e) {
            return "its proof cannot be verified: " + e.getMessage();
        }
    }

    private String jws(Opened opened, List<String> configured) throws IllegalArgumentException {
        String[] parts = opened.jws().split("\\.", -1);
        JsonNode header;
        try {
            header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        } catch (IOException e) {
            return "its JWT header is not base64url JSON";
        }
        String alg = header.path("alg").asText();
        if (!"EdDSA".equals(alg) && !"Ed25519".equals(alg)) {
            return "its JWT is signed with " + (alg.isEmpty() ? "no algorithm" : alg) + "; the hub verifies EdDSA (Ed25519)";
        }
        String kid = header.path("kid").asText(null);
        String issuer = issuer(opened.credential());
        byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        return anyVerifies(keys.keys(kid, issuer, configured), input, signature) ? null
                : "its JWT signature does not verify (tampered with, or signed with another key)";
    }

    private String dataIntegrity(JsonNode credential, List<String> configured) {
        JsonNode proofs = credential.get("proof");
        for (JsonNode proof : proofs.isArray() ? proofs : List.of(proofs)) {
            String type = proof.path("type").asText();
            String suite = proof.path("cryptosuite").asText();
            if (!"DataIntegrityProof".equals(type) || !"eddsa-rdfc-2022".equals(suite)) {
                return "its proof is a " + type + (suite.isEmpty() ? "" : " (" + suite + ")")
                        + "; the hub verifies DataIntegrityProof eddsa-rdfc-2022 and EdDSA JWTs";
            }
            if (!"assertionMethod".equals(proof.path("proofPurpose").asText())) {
                return "its proof's purpose is not assertionMethod";
            }
            byte[] signature = IssuerKeys.multibase(proof.path("proofValue").asText(""));
            byte[] data = hashData(credential, proof);
            List<PublicKey> candidates = keys.keys(proof.path("verificationMethod").asText(null), issuer(credential), configured);
            if (!anyVerifies(candidates, data, signature)) {
                return "its proof does not verify (the credential was changed after it was signed, or signed with another key)";
            }
        }
        return null;
    }

    /** What eddsa-rdfc-2022 signs: SHA-256 of the canonical proof options, then of the canonical credential. */
    public byte[] hashData(JsonNode credential, JsonNode proof) {
        ObjectNode document = credential.deepCopy();
        document.remove("proof");
        ObjectNode options = proof.deepCopy();
        options.remove("proofValue");
        options.set("@context", credential.get("@context"));
        byte[] a = sha256(canonical(options));
        byte[] b = sha256(canonical(document));
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The RDFC-1.0 canonical N-Quads of a JSON-LD document, its contexts from {@link Contexts} only. */
    public String canonical(JsonNode doc) {
        try {
            JsonStructure json = Json.createReader(new StringReader(JSON.writeValueAsString(doc))).read();
            RdfCanon canon = RdfCanon.create("SHA-256");
            JsonLd.toRdf(JsonDocument.of(json)).loader(contexts).provide(canon);
            StringWriter out = new StringWriter();
            canon.provide(new NQuadsWriter(out));
            return out.toString();
        } catch (JsonLdError e) {
            throw new IllegalArgumentException(contexts.explain(e));
        } catch (RdfConsumerException | IOException e) {
            throw new IllegalArgumentException("it cannot be canonicalized as JSON-LD");
        }
    }

    private static boolean anyVerifies(List<PublicKey> candidates, byte[] data, byte[] signature) {
        for (PublicKey k : candidates) {
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(k);
                s.update(data);
                if (s.verify(signature)) {
                    return true;
                }
            } catch (GeneralSecurityException e) {
                // not this key
            }
        }
        return false;
    }

    static String issuer(JsonNode credential) {
        JsonNode i = credential.get("issuer");
        return i == null ? null : i.isTextual() ? i.asText() : i.path("id").asText(null);
    }

    private static byte[] sha256(String s) {
        return org.credentialhub.support.Sha256.digest().digest(s.getBytes(StandardCharsets.UTF_8));
    }
}
