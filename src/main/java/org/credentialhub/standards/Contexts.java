package org.credentialhub.standards;

import com.apicatalog.jsonld.JsonLdError;
import com.apicatalog.jsonld.JsonLdErrorCode;
import com.apicatalog.jsonld.document.Document;
import com.apicatalog.jsonld.document.JsonDocument;
import com.apicatalog.jsonld.loader.DocumentLoader;
import com.apicatalog.jsonld.loader.DocumentLoaderOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.credentialhub.support.ConfigException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The JSON-LD contexts a proof may use, pinned: read from a folder ({@code hub.standards.contexts.dir}, default
 * {@code config/jsonld-contexts}) whose {@code contexts.json} maps each context URL to its file. A context is never
 * fetched over the network (a context changed at its URL would change what a signature means); a credential whose
 * context is not pinned here cannot have its Data Integrity proof checked, and says so.
 */
public final class Contexts implements DocumentLoader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, Path> files = new HashMap<>();

    public Contexts(Path dir) {
        Path index = dir.resolve("contexts.json");
        if (!Files.isRegularFile(index)) {
            return;   // nothing pinned: Data Integrity proofs cannot be checked, and say why
        }
        try {
            JsonNode map = JSON.readTree(index.toFile());
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Path file = dir.resolve(e.getValue().asText());
                if (!Files.isRegularFile(file)) {
                    throw new ConfigException(index + ": " + e.getKey() + ": no file " + file.getFileName());
                }
                files.put(e.getKey(), file);
            }
        } catch (IOException e) {
            throw new ConfigException(index + ": not JSON: " + e.getMessage());
        }
    }

    @Override
    public Document loadDocument(URI url, DocumentLoaderOptions options) throws JsonLdError {
        Path file = files.get(url.toString());
        if (file == null) {
            throw new JsonLdError(JsonLdErrorCode.LOADING_REMOTE_CONTEXT_FAILED, "not pinned: " + url);
        }
        try (InputStream in = Files.newInputStream(file)) {
            JsonDocument d = JsonDocument.of(in);
            d.setDocumentUrl(url);
            return d;
        } catch (IOException e) {
            throw new JsonLdError(JsonLdErrorCode.LOADING_REMOTE_CONTEXT_FAILED, "cannot read " + file.getFileName());
        }
    }

    /** A JSON-LD error as a reason (which context is not pinned). */
    String explain(JsonLdError e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        int at = m.indexOf("not pinned: ");
        if (at >= 0) {
            return "its JSON-LD context " + m.substring(at + "not pinned: ".length()).split("[\\s,\\]]")[0]
                    + " is not pinned by the hub (hub.standards.contexts.dir)";
        }
        return "it is not valid JSON-LD (" + e.getCode() + ")";
    }
}
