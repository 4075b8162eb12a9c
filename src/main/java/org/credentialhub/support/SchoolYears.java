package org.credentialhub.support;

import java.time.LocalDate;

/** School years as the state names them ("2024-2025"), running from a configured first month (July). */
public final class SchoolYears {
    private final int firstMonth;

    public SchoolYears(int firstMonth) {
        if (firstMonth < 1 || firstMonth > 12) {
            throw new ConfigException("hub.school-year.first-month must be 1-12, not " + firstMonth);
        }
        this.firstMonth = firstMonth;
    }

    public String of(LocalDate date) {
        int start = date.getMonthValue() >= firstMonth ? date.getYear() : date.getYear() - 1;
        return firstMonth == 1 ? Integer.toString(start) : start + "-" + (start + 1);
    }
}
