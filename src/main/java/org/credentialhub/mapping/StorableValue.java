package org.credentialhub.mapping;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;

/**
 * What the hub's tables can hold of one canonical value, checked before COPY so that a value PostgreSQL
 * would refuse (and that would fail the whole file) rejects its row instead. Each check answers with the
 * reason, never with the value (it may be personal data), or null when the value can be stored.
 *
 * <ul>
 *   <li>text: no NUL character (PostgreSQL text cannot hold one), no unpaired UTF-16 surrogate (a JSON
 *       {@code \ud800} escape: it has no UTF-8 form), at most {@value #MAX_TEXT} characters (what any
 *       name, code or e-mail address needs; longer values are junk and would not fit the indexes);</li>
 *   <li>decimal (score): at most {@value #MAX_INTEGER_DIGITS} digits before the decimal point and
 *       {@value #MAX_FRACTION_DIGITS} after it ({@code 1e200000} overflows PostgreSQL's numeric);</li>
 *   <li>date: between {@link #EARLIEST} and {@link #LATEST} (PostgreSQL's own range is far wider,
 *       but a date outside these bounds is a typo in any result file).</li>
 * </ul>
 */
public final class StorableValue {
    static final int MAX_TEXT = 255;
    static final int MAX_INTEGER_DIGITS = 15;
    static final int MAX_FRACTION_DIGITS = 20;
    /** The attempt key is stored as text under a unique index: at most this many UTF-8 bytes. */
    static final int MAX_KEY_BYTES = 2000;
    static final LocalDate EARLIEST = LocalDate.of(1900, 1, 1);
    static final LocalDate LATEST = LocalDate.of(2999, 12, 31);

    private StorableValue() {
    }

    /** Why the text cannot be stored, or null. */
    public static String text(String v) {
        if (v == null) {
            return null;
        }
        String problem = characters(v);
        if (problem != null) {
            return problem;
        }
        int length = v.codePointCount(0, v.length());
        if (length > MAX_TEXT) {
            return "is " + length + " characters long; at most " + MAX_TEXT + " are taken";
        }
        return null;
    }

    /** Why the text holds something no text column can (NUL, an unpaired surrogate), whatever its length; or null. */
    public static String characters(String v) {
        // the text passed over first for the one comparison a character that tells whether anything is to be looked
        // at (a NUL or any surrogate; a record's every text value goes through here: 10 % of a file's mapping)
        int n = v.length();
        int from = 0;
        while (from < n) {
            char c = v.charAt(from);
            if (c == '\0' || c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE) {
                break;
            }
            from++;
        }
        for (int i = from; i < n; i++) {
            char c = v.charAt(i);
            if (c == '\0') {
                return "holds a NUL character (byte 0), which the database cannot store";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < v.length() && Character.isLowSurrogate(v.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "holds an unpaired UTF-16 surrogate (not a character)";
            }
            if (Character.isLowSurrogate(c)) {
                return "holds an unpaired UTF-16 surrogate (not a character)";
            }
        }
        return null;
    }

    /** Why the attempt key (its columns' values, joined) cannot be stored, or null. */
    static String key(String key) {
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        return bytes > MAX_KEY_BYTES ? "the attempt key is " + bytes + " bytes long; at most " + MAX_KEY_BYTES
                + " are taken" : null;
    }

    /** Why the number cannot be stored, or null. */
    static String decimal(BigDecimal d) {
        BigDecimal n = d.stripTrailingZeros();
        int integerDigits = Math.max(0, n.precision() - n.scale());
        if (integerDigits > MAX_INTEGER_DIGITS) {
            return "out of range: more than " + MAX_INTEGER_DIGITS + " digits before the decimal point";
        }
        if (n.scale() > MAX_FRACTION_DIGITS) {
            return "out of range: more than " + MAX_FRACTION_DIGITS + " digits after the decimal point";
        }
        return null;
    }

    /** Why the date cannot be stored, or null. */
    public static String date(LocalDate d) {
        if (d.isBefore(EARLIEST) || d.isAfter(LATEST)) {
            return "out of range: not between " + EARLIEST + " and " + LATEST;
        }
        return null;
    }
}
