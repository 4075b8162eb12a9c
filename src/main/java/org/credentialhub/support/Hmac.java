package org.credentialhub.support;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Keyed hashes (HMAC-SHA256) of state student IDs: the hub stores and compares these, never the clear
 * ID. The key comes from configuration or the environment ({@code HUB_ID_HMAC_KEY}).
 */
public final class Hmac {
    private static final Pattern SEPARATORS = Pattern.compile("[\\s.\\-]");
    private final SecretKeySpec key;

    public Hmac(byte[] key) {
        if (key.length < 16) {
            throw new ConfigException("the identifier hashing key must have at least 16 bytes");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** One initialised Mac per thread: creating one per hash costs more than the hash (millions per SIS bundle). */
    private final ThreadLocal<Mac> mac = ThreadLocal.withInitial(this::newMac);

    private Mac newMac() {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(this.key);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Normalizes a state student ID (drops blanks, dashes and dots) and returns its keyed hash, or null. */
    public String stateId(String clear) {
        if (clear == null) {
            return null;
        }
        String normalized = SEPARATORS.matcher(clear).replaceAll("");
        if (normalized.isEmpty()) {
            return null;
        }
        return HexFormat.of().formatHex(mac.get().doFinal(normalized.getBytes(StandardCharsets.UTF_8)));
    }
}
