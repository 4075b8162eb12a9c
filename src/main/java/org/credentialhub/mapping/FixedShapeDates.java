package org.credentialhub.mapping;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Dates of a fixed shape read without a formatter: a date pattern made of {@code yyyy}, {@code MM}, {@code dd} and
 * separators ({@code yyyy-MM-dd}, {@code MM/dd/yyyy}, {@code yyyyMMdd}, {@code iso-date}), and ISO date-times with an
 * offset shaped {@code 2024-12-19T13:28:00-05:00} or {@code 2024-12-19T13:28:00Z}. A value of another shape, or one
 * that is no day or time, gives null: the field's formatter then reads it as before, and says why it is refused.
 * Whatever this reads, the formatter reads to the same date or date-time ({@code FixedShapeDatesTest}).
 *
 * <p>A formatter's general parsing (a map of parsed fields a value, resolved) was a quarter of a large file's reading
 * thread: JFR of the 1,000,000-row certexam file's staging, docs/performance.md, session 44. A OneRoster file's dates
 * are read the same way ({@code sis.RowChecker}).
 */
public final class FixedShapeDates {
    private final int length;
    private final int year;
    private final int month;
    private final int day;
    /** The pattern's separators by position (0 where a digit goes). */
    private final char[] separators;

    private FixedShapeDates(int length, int year, int month, int day, char[] separators) {
        this.length = length;
        this.year = year;
        this.month = month;
        this.day = day;
        this.separators = separators;
    }

    /**
     * The shape of a mapping's date format ({@code iso-date} or a pattern), or null when it has none: letters other
     * than {@code yyyy}, {@code MM} and {@code dd} (or one of them missing or twice), or quoted text.
     */
    public static FixedShapeDates of(String format) {
        String pattern = FieldRule.ISO_DATE.equals(format) ? "yyyy-MM-dd" : format;
        int[] at = {-1, -1, -1};   // where the year, month and day start
        StringBuilder separators = new StringBuilder();
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            int field = pattern.startsWith("yyyy", i) || pattern.startsWith("uuuu", i) ? 0
                    : pattern.startsWith("MM", i) && !pattern.startsWith("MMM", i) ? 1
                    : pattern.startsWith("dd", i) && !pattern.startsWith("ddd", i) ? 2 : -1;
            if (field >= 0) {
                if (at[field] >= 0) {
                    return null;
                }
                int width = field == 0 ? 4 : 2;
                at[field] = i;
                separators.append("\0".repeat(width));
                i += width;
            } else if (Character.isLetter(c) || "'[]#{}".indexOf(c) >= 0 || Character.isDigit(c) || c > 0x7e || c < 0x20) {
                return null;
            } else {
                separators.append(c);
                i++;
            }
        }
        if (at[0] < 0 || at[1] < 0 || at[2] < 0) {
            return null;
        }
        return new FixedShapeDates(pattern.length(), at[0], at[1], at[2], separators.toString().toCharArray());
    }

    /** The day {@code value} gives in this shape, or null (another shape, or no such day). */
    public LocalDate read(String value) {
        if (value.length() != length) {
            return null;
        }
        for (int i = 0; i < length; i++) {
            char s = separators[i];
            if (s != 0 && value.charAt(i) != s) {
                return null;
            }
        }
        int y = digits(value, year, 4);
        int m = digits(value, month, 2);
        int d = digits(value, day, 2);
        if (y < 0 || m < 0 || d < 0) {
            return null;
        }
        try {
            return LocalDate.of(y, m, d);
        } catch (DateTimeException e) {
            return null;   // no such day: the formatter says so
        }
    }

    /**
     * The date-time of an ISO value with an offset shaped {@code yyyy-MM-ddTHH:mm:ss+hh:mm} (or {@code -hh:mm}, or
     * {@code Z} for the offset), or null (another shape, or no such date, time or offset). What it reads,
     * {@link OffsetDateTime#parse(CharSequence)} reads to the same date-time.
     */
    public static OffsetDateTime isoOffset(String value) {
        int n = value.length();
        if (n != 20 && n != 25) {
            return null;
        }
        if (value.charAt(4) != '-' || value.charAt(7) != '-' || value.charAt(10) != 'T' || value.charAt(13) != ':'
                || value.charAt(16) != ':') {
            return null;
        }
        int y = digits(value, 0, 4);
        int mo = digits(value, 5, 2);
        int d = digits(value, 8, 2);
        int h = digits(value, 11, 2);
        int mi = digits(value, 14, 2);
        int s = digits(value, 17, 2);
        if ((y | mo | d | h | mi | s) < 0) {
            return null;
        }
        int offsetSeconds;
        if (n == 20) {
            if (value.charAt(19) != 'Z') {
                return null;
            }
            offsetSeconds = 0;
        } else {
            char sign = value.charAt(19);
            int oh = digits(value, 20, 2);
            int om = digits(value, 23, 2);
            if ((sign != '+' && sign != '-') || value.charAt(22) != ':' || (oh | om) < 0 || om > 59) {
                return null;
            }
            offsetSeconds = (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        }
        try {
            return OffsetDateTime.of(y, mo, d, h, mi, s, 0, ZoneOffset.ofTotalSeconds(offsetSeconds));
        } catch (DateTimeException e) {
            return null;   // no such date, time or offset: the formatter says so
        }
    }

    /**
     * {@link OffsetDateTime#parse(CharSequence)} of a value: the usual shape read by {@link #isoOffset}, any other by the
     * JDK's parser, which refuses it as before ({@link java.time.format.DateTimeParseException}). For the times of
     * vendors' API records, read for each record (a formatter's parse a few microseconds each under the quick JIT).
     */
    public static OffsetDateTime isoOffsetDateTime(String value) {
        OffsetDateTime fixed = isoOffset(value);
        return fixed != null ? fixed : OffsetDateTime.parse(value);
    }

    /** The number of {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String value, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
