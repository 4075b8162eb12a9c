package org.credentialhub.sis;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads one OneRoster value of a kind, or reports why it cannot: ISO 8601 dates and date-times, statuses,
 * booleans, enumerations. Messages never repeat the value of a column that may hold personal data.
 */
final class RowChecker {
    private static final Pattern ISO_DATE_TIME = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}(:?\\d{2})?)?");
    private static final Pattern SQL_DATE_TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?");
    private static final Pattern YEAR = Pattern.compile("\\d{4}");

    /** Where a value comes from, and where its problems go. */
    record At(Problems problems, String file, int line, String column) {
        void error(String message) {
            problems.error(file, line, column, message);
        }

        void warning(String message) {
            problems.warning(file, line, column, message);
        }
    }

    private RowChecker() {
    }

    /**
     * A date-time, to the microsecond, as PostgreSQL reads its text into a {@code timestamptz} in a session in UTC (a
     * fraction of a second rounded to microseconds as PostgreSQL rounds it, a 60th second the next minute's first, no
     * zone UTC, a date alone its midnight in UTC), or null with an error.
     */
    static Instant dateTime(String v, At at) {
        if (isUtcSeconds(v) || ISO_DATE_TIME.matcher(v).matches()) {
            return instant(v, at);
        }
        if (isIsoDate(v)) {
            LocalDate d = validDate(v, at);
            return d == null ? null : d.atStartOfDay(ZoneOffset.UTC).toInstant();
        }
        if (SQL_DATE_TIME.matcher(v).matches()) {
            Instant t = instant(v, at);
            if (t != null) {
                at.warning("not ISO 8601 (a space instead of 'T', no time zone): read as year-month-day and time in UTC");
            }
            return t;
        }
        at.error(notIso(v, "date-time (e.g. 2024-09-01T12:00:00Z)"));
        return null;
    }

    /**
     * The instant of a date-time that matched one of the forms above,
     * {@code yyyy-MM-dd[T ]HH:mm[:ss[.fffffffff]][Z|+HH[[:]MM]|-HH[[:]MM]]}; null with an error for a date, a time of
     * day or an offset PostgreSQL would refuse (an offset beyond 15:59).
     */
    private static Instant instant(String v, At at) {
        LocalDate date = validDate(v.substring(0, 10), at);
        if (date == null) {
            return null;
        }
        int h = Integer.parseInt(v, 11, 13, 10);
        int m = Integer.parseInt(v, 14, 16, 10);
        int s = 0;
        int i = 16;
        long micros = 0;
        if (i < v.length() && v.charAt(i) == ':') {
            s = Integer.parseInt(v, 17, 19, 10);
            i = 19;
            if (i < v.length() && v.charAt(i) == '.') {
                int end = i + 1;
                while (end < v.length() && Character.isDigit(v.charAt(end))) {
                    end++;
                }
                // as PostgreSQL does: the fraction read as a double, times a million, rounded half to even (rint)
                micros = (long) Math.rint(Double.parseDouble("0" + v.substring(i, end)) * 1_000_000);
                i = end;
            }
        }
        if (h > 23 || m > 59 || s > 60) {
            at.error("not a valid time of day");
            return null;
        }
        long seconds = date.toEpochDay() * 86_400L + h * 3_600L + m * 60L + s;
        if (i < v.length() && v.charAt(i) != 'Z') {
            int sign = v.charAt(i) == '-' ? -1 : 1;
            int hours = Integer.parseInt(v, i + 1, i + 3, 10);
            int at3 = i + 3 < v.length() && v.charAt(i + 3) == ':' ? i + 4 : i + 3;
            int minutes = at3 < v.length() ? Integer.parseInt(v, at3, at3 + 2, 10) : 0;
            if (hours > 15 || minutes > 59) {
                at.error("not a valid time zone offset (at most 15:59 either side of UTC)");
                return null;
            }
            seconds -= sign * (hours * 3_600L + minutes * 60L);
        }
        return Instant.ofEpochSecond(seconds, micros * 1_000);
    }

    static LocalDate date(String v, At at) {
        if (isIsoDate(v)) {
            return validDate(v, at);
        }
        if (v.length() > 10 && ISO_DATE_TIME.matcher(v).matches()) {
            LocalDate d = validDate(v.substring(0, 10), at);
            if (d != null) {
                at.warning("a date-time where the standard has a date: read as its date");
            }
            return d;
        }
        at.error(notIso(v, "date (yyyy-MM-dd)"));
        return null;
    }

    private static String notIso(String v, String what) {
        if (v.matches("\\d{1,2}[/.-]\\d{1,2}[/.-]\\d{2,4}")) {
            return "not an ISO 8601 " + what + ": day/month/year order cannot be told for certain";
        }
        return "not an ISO 8601 " + what;
    }

    /** The days of a OneRoster file, yyyy-MM-dd (the mappings' reading of a day without a formatter). */
    private static final org.credentialhub.mapping.FixedShapeDates DAY = org.credentialhub.mapping.FixedShapeDates.of("yyyy-MM-dd");

    /** {@code v} is yyyy-MM-dd in ASCII digits, checked without a regex (millions of values per bundle). */
    private static boolean isIsoDate(String v) {
        return v.length() == 10 && startsWithIsoDate(v);
    }

    private static boolean startsWithIsoDate(String v) {
        return digits(v, 0, 4) && v.charAt(4) == '-' && digits(v, 5, 7) && v.charAt(7) == '-' && digits(v, 8, 10);
    }

    /** The usual OneRoster date-time, {@code 2024-09-01T12:00:00Z}: a shape {@link #ISO_DATE_TIME} matches. */
    private static boolean isUtcSeconds(String v) {
        return v.length() == 20 && startsWithIsoDate(v) && v.charAt(10) == 'T' && digits(v, 11, 13)
                && v.charAt(13) == ':' && digits(v, 14, 16) && v.charAt(16) == ':' && digits(v, 17, 19)
                && v.charAt(19) == 'Z';
    }

    private static boolean digits(String v, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** A yyyy-MM-dd that is a real day (as {@code LocalDate.parse} judges it), or null with an error. */
    private static LocalDate validDate(String v, At at) {
        LocalDate date = DAY.read(v);
        if (date == null) {
            at.error("not a valid date");
            return null;
        }
        String range = org.credentialhub.mapping.StorableValue.date(date);
        if (range != null) {
            at.error(range);   // year 0000 is not a date PostgreSQL takes
            return null;
        }
        return date;
    }

    static Integer year(String v, At at) {
        if (YEAR.matcher(v).matches()) {
            return Integer.valueOf(v);
        }
        at.error("not a year (YYYY)");
        return null;
    }

    static Boolean bool(String v, At at) {
        // (as written by most SIS first: a comparison of bytes, not of each character in both cases)
        if (v.equals("true")) {
            return Boolean.TRUE;
        }
        if (v.equals("false")) {
            return Boolean.FALSE;
        }
        if (v.equalsIgnoreCase("true")) {
            return Boolean.TRUE;
        }
        if (v.equalsIgnoreCase("false")) {
            return Boolean.FALSE;
        }
        at.error("must be true or false");
        return null;
    }

    /** A program-participation flag (an extension column): true/false, Y/N, 1/0, in any case. */
    static Boolean participation(String v, At at) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "y", "yes", "1" -> {
                return Boolean.TRUE;
            }
            case "false", "n", "no", "0" -> {
                return Boolean.FALSE;
            }
            default -> {
                at.error("must be true or false (or Y/N, 1/0); empty when not reported");
                return null;
            }
        }
    }

    static String sex(String v, At at) {
        String s = v.toLowerCase(Locale.ROOT);
        return switch (s) {
            case "male", "female", "other", "unspecified" -> s;
            default -> {
                at.error("must be male, female, other or unspecified");
                yield null;
            }
        };
    }

    /** Status: blank (bulk only) is active; 1.0's {@code inactive} is kept as such. */
    static String status(String v, boolean delta, At at) {
        if (v.isEmpty()) {
            if (delta) {
                at.error("status is required in a delta file");
                return null;
            }
            return "active";
        }
        switch (v) {
            case "active", "tobedeleted" -> {
                return v;
            }
            case "inactive" -> {
                at.warning("'inactive' is a OneRoster 1.0 status: kept as inactive");
                return v;
            }
            default -> {
                String l = v.toLowerCase(Locale.ROOT);
                if (l.equals("active") || l.equals("tobedeleted")) {
                    at.warning("status '" + v + "' read as " + l);
                    return l;
                }
                at.error("status must be active or tobedeleted");
                return null;
            }
        }
    }

    static String enumeration(String v, java.util.Set<String> values, At at) {
        if (values.contains(v) || v.startsWith("ext:")) {
            return v;
        }
        for (String known : values) {
            if (known.equalsIgnoreCase(v)) {
                at.warning("'" + v + "' read as '" + known + "'");
                return known;
            }
        }
        at.error("'" + v + "' is not one of " + new java.util.TreeSet<>(values) + " (or ext:...)");
        return null;
    }
}
