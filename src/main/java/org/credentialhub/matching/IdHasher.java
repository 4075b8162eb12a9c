package org.credentialhub.matching;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import javax.crypto.Mac;
import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.HmacAlgorithms;
import org.apache.commons.codec.digest.HmacUtils;

/**
 * Turns raw state student IDs into opaque HMAC-SHA256 hex strings, so the matcher (and anything it might log) never
 * sees the raw ID. The same key must be used for the roster and the results of one run. Thread-safe.
 */
public final class IdHasher {
    private final byte[] key;
    private final ThreadLocal<Mac> mac;

    /** @param key secret HMAC key (at least 16 bytes recommended); copied */
    public IdHasher(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length == 0) {
            throw new IllegalArgumentException("HMAC key must not be empty");
        }
        this.key = key.clone();
        this.mac = ThreadLocal.withInitial(() -> HmacUtils.getInitializedMac(HmacAlgorithms.HMAC_SHA_256, this.key));
    }

    /** @return lower-case hex HMAC-SHA256 of the trimmed ID, or null for a null/blank ID */
    public String hash(String rawId) {
        if (rawId == null) {
            return null;
        }
        String t = rawId.trim();
        if (t.isEmpty()) {
            return null;
        }
        Mac m = mac.get();
        m.reset();
        return Hex.encodeHexString(m.doFinal(t.getBytes(StandardCharsets.UTF_8)));
    }
}
