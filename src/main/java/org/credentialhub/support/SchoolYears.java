package org.credentialhub.support;

import java.time.LocalDate;

/**
 * School years as the state names them ("2024-2025"), running from a configured first month
 * ({@code hub.school-year.first-month}, July). A year that starts in January is the calendar year ("2024").
 * The one owner of that naming: results take it from {@link #of}, the roster's SQL from {@link #sqlOf}
 * and {@link #sqlOfEndingYear}, so that results and classes join.
 */
public final class SchoolYears {
    private final int firstMonth;

    public SchoolYears(int firstMonth) {
        if (firstMonth < 1 || firstMonth > 12) {
            throw new ConfigException("hub.school-year.first-month must be 1-12, not " + firstMonth);
        }
        this.firstMonth = firstMonth;
    }

    public int firstMonth() {
        return firstMonth;
    }

    /** The school year a date falls in. */
    public String of(LocalDate date) {
        int start = date.getMonthValue() >= firstMonth ? date.getYear() : date.getYear() - 1;
        return ofStartYear(start);
    }

    /** The school year that ends in the given year (OneRoster's {@code schoolYear} number: 2025 for 2024-2025). */
    public String ofEndingYear(int year) {
        return ofStartYear(firstMonth == 1 ? year : year - 1);
    }

    /** The school year before a named one ("2023-2024" before "2024-2025", "2023" before "2024"). */
    public static String previous(String year) {
        if (year.matches("\\d{4}-\\d{4}")) {
            int start = Integer.parseInt(year.substring(0, 4));
            return (start - 1) + "-" + start;
        }
        if (year.matches("\\d{4}")) {
            return Integer.toString(Integer.parseInt(year) - 1);
        }
        throw new ConfigException("not a school year: '" + year + "' (e.g. 2024-2025)");
    }

    private String ofStartYear(int start) {
        return firstMonth == 1 ? Integer.toString(start) : start + "-" + (start + 1);
    }

    /** A PostgreSQL expression giving {@link #of} of a date expression (null for null). */
    public String sqlOf(String date) {
        String y = "extract(year from " + date + ")::int";
        if (firstMonth == 1) {
            return "(" + y + ")::text";
        }
        return "(case when extract(month from " + date + ") >= " + firstMonth + " then " + y + " || '-' || (" + y
                + " + 1) else (" + y + " - 1) || '-' || " + y + " end)";
    }

    /** A PostgreSQL expression giving {@link #ofEndingYear} of an integer expression (null for null). */
    public String sqlOfEndingYear(String year) {
        return firstMonth == 1 ? "(" + year + ")::text" : "((" + year + ") - 1 || '-' || (" + year + "))";
    }
}
