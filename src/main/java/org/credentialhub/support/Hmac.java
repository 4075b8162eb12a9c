package org.credentialhub.support;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * Keyed hashes (HMAC-SHA256) of state student IDs: the hub stores and compares these, never the clear
 * ID. The key comes from configuration or the environment ({@code HUB_ID_HMAC_KEY}).
 */
public final class Hmac {
    private final SecretKeySpec key;

    public Hmac(byte[] key) {
        if (key.length < 16) {
            throw new ConfigException("the identifier hashing key must have at least 16 bytes");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** Normalizes a state student ID (drops blanks, dashes and dots) and returns its keyed hash, or null. */
    public String stateId(String clear) {
        if (clear == null) {
            return null;
        }
        String normalized = clear.replaceAll("[\\s.\\-]", "");
        if (normalized.isEmpty()) {
            return null;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(normalized.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
