package org.credentialhub.support;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * Keyed hashes (HMAC-SHA256) of state student IDs: the hub stores and compares these, never the clear
 * ID. Also the one place that checks vendors' salted identity hashes ({@link SaltedHash}: Open Badges). The key comes from configuration or the environment ({@code HUB_ID_HMAC_KEY}).
 */
public final class Hmac {
    private final SecretKeySpec key;

    public Hmac(byte[] key) {
        if (key.length < 16) {
            throw new ConfigException("the identifier hashing key must have at least 16 bytes");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** HMAC-SHA256 of a message, for one thread. */
    interface Engine {
        byte[] hash(byte[] message);

        /** The HMAC of the message's first {@code length} bytes, into {@code out} (32 bytes): nothing allocated. */
        void hash(byte[] message, int length, byte[] out);
    }

    /**
     * One engine per thread (creating one per hash costs more than the hash: millions per SIS bundle), of the kind
     * that is faster under this process's JIT ({@link Jit#optimizing}): the platform's Mac with the optimizing JIT (a
     * running hub, and the commands that end, where it compiles the JDK's crypto alone), whose SHA-256 intrinsic
     * (SHA-NI) it compiles: 0.25-0.3 µs a short hash; else {@link QuickJitHmac}. The test JVMs run the quick JIT alone,
     * which has no SHA intrinsics: there the Mac took 2.1-2.9 µs a short hash, the platform's digests from the padded
     * keys 1.2-1.6 µs and QuickJitHmac 0.87 µs; keyed hashes had been a quarter of a scale-1 NC ingest's JVM samples
     * (JFR).
     */
    private final ThreadLocal<Engine> engine = ThreadLocal.withInitial(() -> engine(Jit.optimizing()));

    /** An engine of either kind (both give the same hashes: HmacTest). */
    Engine engine(boolean platformMac) {
        if (!platformMac) {
            return new QuickJitHmac(key.getEncoded());
        }
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(this.key);
            return new Engine() {
                @Override
                public byte[] hash(byte[] message) {
                    return m.doFinal(message);
                }

                @Override
                public void hash(byte[] message, int length, byte[] out) {
                    m.update(message, 0, length);
                    try {
                        m.doFinal(out, 0);
                    } catch (javax.crypto.ShortBufferException e) {
                        throw new IllegalArgumentException("32 bytes are needed", e);
                    }
                }
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * HMAC-SHA256 by Bouncy Castle's {@code HMac}, for the quick JIT: it works out the digest states of the two padded
     * keys once (RFC 2104's H((K ^ opad) || H((K ^ ipad) || m))) and restores them for each message, two SHA-256 blocks
     * for a short message. Under the quick JIT it took 0.87 µs a neighbourhood entry where the platform's digests,
     * copied from the padded keys' states for each message, took 1.2-1.6 µs (the same 14-byte messages, one JVM,
     * alternating): the copies and the platform digest's buffering, not SHA-256's rounds (a megabyte hashes at 150 and
     * 158 MB/s). One per thread: it is not thread-safe.
     */
    static final class QuickJitHmac implements Engine {
        private final HMac mac = new HMac(new SHA256Digest());

        QuickJitHmac(byte[] key) {
            mac.init(new KeyParameter(key));
        }

        @Override
        public byte[] hash(byte[] message) {
            byte[] out = new byte[mac.getMacSize()];
            hash(message, message.length, out);
            return out;
        }

        @Override
        public void hash(byte[] message, int length, byte[] out) {
            mac.update(message, 0, length);
            mac.doFinal(out, 0); // (and back to the inner padded key's state for the next message)
        }
    }

    /**
     * The keyed hash of a student as a vendor sent them (names and birth date), for remembering a district's decision
     * about a vendor candidate that has no candidate or state ID; null when nothing was sent.
     */
    public String identity(String firstName, String lastName, java.time.LocalDate birthDate) {
        String first = firstName == null ? "" : firstName.strip().toLowerCase(java.util.Locale.ROOT);
        String last = lastName == null ? "" : lastName.strip().toLowerCase(java.util.Locale.ROOT);
        if (first.isEmpty() && last.isEmpty() && birthDate == null) {
            return null;
        }
        String value = "identity|" + first + "|" + last + "|" + (birthDate == null ? "" : birthDate);
        return hex(engine.get().hash(value.getBytes(StandardCharsets.UTF_8)));
    }

    /** Normalizes a state student ID (drops blanks, dashes and dots) and returns its keyed hash, or null. */
    public String stateId(String clear) {
        String normalized = normalizedStateId(clear);
        if (normalized == null) {
            return null;
        }
        return hex(engine.get().hash(normalized.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Bytes as lowercase hex, as {@code HexFormat.of().formatHex} writes them: the text of every keyed hash. Written
     * into a byte array (HexFormat's builder took a call a character under the quick JIT: a file's staging hashes an
     * identity and a state ID a row).
     */
    public static String hex(byte[] bytes) {
        byte[] out = new byte[bytes.length * 2];
        hexInto(bytes, bytes.length, out, 0);
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /** The first {@code count} bytes as lowercase hex, written into {@code out} from {@code at}. */
    private static void hexInto(byte[] bytes, int count, byte[] out, int at) {
        for (int k = 0; k < count; k++) {
            out[at++] = HEX_DIGITS[(bytes[k] >> 4) & 0xF];
            out[at++] = HEX_DIGITS[bytes[k] & 0xF];
        }
    }

    /**
     * A deletion neighbourhood's entries (64 bits each) in the text {@link #stateIdNear} writes: {@link #NEAR_HEX}
     * lowercase hex characters an entry, its high bits first.
     */
    public static String nearText(long[] entries) {
        byte[] out = new byte[entries.length * NEAR_HEX];
        int at = 0;
        for (long e : entries) {
            for (int shift = 64 - 4; shift >= 0; shift -= 4) {
                out[at++] = HEX_DIGITS[(int) (e >>> shift) & 0xF];
            }
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /** Hex characters of one entry of {@link #stateIdNear}. */
    public static final int NEAR_HEX = 16;
    /** The domain of {@link #stateIdNear}'s messages. */
    private static final String NEAR_DOMAIN = "near|";
    private static final byte[] NEAR_PREFIX = NEAR_DOMAIN.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * The keyed hashes of a state ID's deletion neighbourhood, for finding IDs one edit away without storing or
     * comparing clear IDs: for each position i of the normalized ID (as in {@link #stateId}), the HMAC of the ID with
     * its i-th character deleted (in its own domain, so it never equals an ID's hash), truncated to 64 bits; the
     * entries concatenated in position order, {@link #NEAR_HEX} hex characters each. Two IDs of equal length differ
     * in one character at i exactly when their i-th entries are equal, and by the swap of characters i and i+1 when
     * entry i of one equals entry i+1 of the other and the other way round. Null for a missing or one-character ID.
     */
    public String stateIdNear(String clear) {
        String normalized = normalizedStateId(clear);
        if (normalized == null || normalized.length() < 2) {
            return null;
        }
        Engine m = engine.get();
        int n = normalized.length();
        // (an ID of ASCII characters, each one byte: the message of deletion i is the one of deletion i - 1 with one byte
        // changed; no string a deletion, which with the hashes were half of a first roster's users thread, JFR)
        boolean ascii = isAscii(normalized);
        byte[] message = null;
        if (ascii) {
            message = new byte[NEAR_PREFIX.length + n - 1];
            System.arraycopy(NEAR_PREFIX, 0, message, 0, NEAR_PREFIX.length);
            for (int j = 1; j < n; j++) {
                message[NEAR_PREFIX.length + j - 1] = (byte) normalized.charAt(j);   // deletion 0: from the second
            }
        }
        byte[] h = new byte[32];
        // (the hex written into the entries' bytes: HexFormat's into a StringBuilder, a call a character under the quick
        // JIT, took 4.2 us an ID against 2.9 us: docs/performance.md, session 42)
        byte[] entries = new byte[n * NEAR_HEX];
        for (int i = 0; i < n; i++) {
            if (!ascii) {
                message = (NEAR_DOMAIN + normalized.substring(0, i) + normalized.substring(i + 1)).getBytes(StandardCharsets.UTF_8);
            } else if (i > 0) {
                message[NEAR_PREFIX.length + i - 1] = (byte) normalized.charAt(i - 1);
            }
            m.hash(message, message.length, h);
            hexInto(h, NEAR_HEX / 2, entries, i * NEAR_HEX);
        }
        return new String(entries, StandardCharsets.ISO_8859_1);
    }

    /** A state ID's separator, left out of it: a blank (space, tab, line end, form feed), a dot or a dash. */
    private static boolean isSeparator(char c) {
        return c == ' ' || c == '.' || c == '-' || c >= '\t' && c <= '\r';
    }

    private static String normalizedStateId(String clear) {
        if (clear == null) {
            return null;
        }
        // (most IDs have no separator: the ID as it is, without a copy)
        int first = 0;
        while (first < clear.length() && !isSeparator(clear.charAt(first))) {
            first++;
        }
        String normalized = clear;
        if (first < clear.length()) {
            StringBuilder b = new StringBuilder(clear.length()).append(clear, 0, first);
            for (int i = first + 1; i < clear.length(); i++) {
                char c = clear.charAt(i);
                if (!isSeparator(c)) {
                    b.append(c);
                }
            }
            normalized = b.toString();
        }
        return normalized.isEmpty() ? null : normalized;
    }

    /**
     * An identity hash as Open Badges sends it ({@code IdentityObject.identityHash} with {@code hashed: true}):
     * {@code sha256$<hex>} (or {@code md5$<hex>}) of the value followed by the salt. The hub cannot read the value
     * back; it can only tell whether a value it already has (a roster candidate's name or birth date) is the one
     * hashed, with {@link #matches}. No key is involved: these are the vendor's hashes, not the hub's.
     */
    public static final class SaltedHash {
        private static final ThreadLocal<java.security.MessageDigest> SHA256 = digest("SHA-256");
        private static final ThreadLocal<java.security.MessageDigest> MD5 = digest("MD5");

        private final boolean sha256;
        private final byte[] hash;
        private final byte[] salt;

        private SaltedHash(boolean sha256, byte[] hash, byte[] salt) {
            this.sha256 = sha256;
            this.hash = hash;
            this.salt = salt;
        }

        /** Whether the text has the form of an identity hash ({@code sha256$<hex>}, {@code md5$<hex>}). */
        public static boolean isIdentityHash(String text) {
            return parse(text, null) != null;
        }

        /** The identity hash with its salt (null or blank: none), or null when the text is not an identity hash. */
        public static SaltedHash parse(String identityHash, String salt) {
            if (identityHash == null) {
                return null;
            }
            // the form (?i)(sha256|md5)\$[0-9a-f]+ (ASCII letters in either case), read without a regular expression:
            // each badge's name and birth date hashes were matched twice as its record was mapped and again as it was
            // matched (docs/performance.md, session 51)
            String text = identityHash.strip();
            boolean sha = asciiPrefix(text, "sha256$");
            int from = sha ? 7 : asciiPrefix(text, "md5$") ? 4 : -1;
            if (from < 0 || text.length() - from != (sha ? 64 : 32)) {
                return null;
            }
            byte[] hash = new byte[(text.length() - from) / 2];
            for (int i = 0; i < hash.length; i++) {
                int hi = hexDigit(text.charAt(from + 2 * i));
                int lo = hexDigit(text.charAt(from + 2 * i + 1));
                if ((hi | lo) < 0) {
                    return null;
                }
                hash[i] = (byte) (hi << 4 | lo);
            }
            return new SaltedHash(sha, hash, salt == null ? new byte[0] : salt.getBytes(StandardCharsets.UTF_8));
        }

        /** Whether {@code text} starts with {@code lower}, its ASCII letters in either case (and nothing else folded). */
        private static boolean asciiPrefix(String text, String lower) {
            if (text.length() < lower.length()) {
                return false;
            }
            for (int i = 0; i < lower.length(); i++) {
                char c = text.charAt(i);
                char p = lower.charAt(i);
                if (c != p && !(p >= 'a' && p <= 'z' && c == p - ('a' - 'A'))) {
                    return false;
                }
            }
            return true;
        }

        /** The value of an ASCII hex digit (either case), or -1 (the JDK's reading of a digit, {@link HexFormat}). */
        private static int hexDigit(char c) {
            return HexFormat.isHexDigit(c) ? HexFormat.fromHexDigit(c) : -1;
        }

        /** The identity hash of a value with a salt, as a vendor writes it ({@code sha256$<hex>}). */
        public static String of(String value, String salt) {
            java.security.MessageDigest d = SHA256.get();
            d.update(value.getBytes(StandardCharsets.UTF_8));
            if (salt != null) {
                d.update(salt.getBytes(StandardCharsets.UTF_8));
            }
            return "sha256$" + hex(d.digest());
        }

        /** Whether this is the hash of {@code value} (followed by the salt). */
        public boolean matches(String value) {
            if (value == null) {
                return false;
            }
            java.security.MessageDigest d = (sha256 ? SHA256 : MD5).get();
            d.update(value.getBytes(StandardCharsets.UTF_8));
            d.update(salt);
            return java.security.MessageDigest.isEqual(d.digest(), hash);
        }

        private static ThreadLocal<java.security.MessageDigest> digest(String algorithm) {
            return ThreadLocal.withInitial(() -> {
                try {
                    return java.security.MessageDigest.getInstance(algorithm);
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(algorithm + " is not available", e);
                }
            });
        }

        /** The same kind of hash of the same bytes, with the same salt. */
        @Override
        public boolean equals(Object o) {
            return o instanceof SaltedHash h && h.sha256 == sha256 && java.util.Arrays.equals(h.hash, hash)
                    && java.util.Arrays.equals(h.salt, salt);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(hash);
        }

        /** Never prints the hash or the salt. */
        @Override
        public String toString() {
            return "SaltedHash";
        }
    }
}
