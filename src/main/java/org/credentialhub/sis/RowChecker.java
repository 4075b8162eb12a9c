package org.credentialhub.sis;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads one OneRoster value of a kind, or reports why it cannot: ISO 8601 dates and date-times, statuses,
 * booleans, enumerations. Messages never repeat the value of a column that may hold personal data.
 */
final class RowChecker {
    private static final Pattern ISO_DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
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

    /** A date-time as PostgreSQL reads it (the session runs in UTC), or null. */
    static String dateTime(String v, At at) {
        if (ISO_DATE_TIME.matcher(v).matches()) {
            return validTime(v, at) ? v : null;
        }
        if (ISO_DATE.matcher(v).matches()) {
            return validDate(v, at) == null ? null : v;
        }
        if (SQL_DATE_TIME.matcher(v).matches()) {
            if (!validTime(v, at)) {
                return null;
            }
            at.warning("not ISO 8601 (a space instead of 'T', no time zone): read as year-month-day and time in UTC");
            return v.replace(' ', 'T');
        }
        at.error(notIso(v, "date-time (e.g. 2024-09-01T12:00:00Z)"));
        return null;
    }

    private static boolean validTime(String v, At at) {
        if (validDate(v.substring(0, 10), at) == null) {
            return false;
        }
        int h = Integer.parseInt(v, 11, 13, 10);
        int m = Integer.parseInt(v, 14, 16, 10);
        int s = v.length() >= 19 && v.charAt(16) == ':' ? Integer.parseInt(v, 17, 19, 10) : 0;
        if (h > 23 || m > 59 || s > 60) {
            at.error("not a valid time of day");
            return false;
        }
        return true;
    }

    static LocalDate date(String v, At at) {
        if (ISO_DATE.matcher(v).matches()) {
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

    private static LocalDate validDate(String v, At at) {
        try {
            return LocalDate.parse(v);
        } catch (DateTimeParseException e) {
            at.error("not a valid date");
            return null;
        }
    }

    static Integer year(String v, At at) {
        if (YEAR.matcher(v).matches()) {
            return Integer.valueOf(v);
        }
        at.error("not a year (YYYY)");
        return null;
    }

    static Boolean bool(String v, At at) {
        if (v.equalsIgnoreCase("true")) {
            return Boolean.TRUE;
        }
        if (v.equalsIgnoreCase("false")) {
            return Boolean.FALSE;
        }
        at.error("must be true or false");
        return null;
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
