package org.credentialhub.support;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** How school years are named (the SQL side is checked against these in sis.SchoolYearAgreementTest). */
class SchoolYearsTest {
    @Test
    void aJulyYearRunsJulyToJune() {
        SchoolYears y = new SchoolYears(7);
        assertEquals("2024-2025", y.of(LocalDate.of(2024, 7, 1)));
        assertEquals("2024-2025", y.of(LocalDate.of(2025, 6, 30)));
        assertEquals("2025-2026", y.of(LocalDate.of(2025, 7, 1)));
        assertEquals("2024-2025", y.ofEndingYear(2025));
    }

    @Test
    void aJanuaryYearIsTheCalendarYear() {
        SchoolYears y = new SchoolYears(1);
        assertEquals("2024", y.of(LocalDate.of(2024, 1, 1)));
        assertEquals("2024", y.of(LocalDate.of(2024, 12, 31)));
        assertEquals("2025", y.ofEndingYear(2025));
    }

    @Test
    void theYearBeforeANamedYear() {
        assertEquals("2023-2024", SchoolYears.previous("2024-2025"));
        assertEquals("2022-2023", SchoolYears.previous(SchoolYears.previous("2024-2025")));
        assertEquals("2023", SchoolYears.previous("2024"));
        assertThrows(ConfigException.class, () -> SchoolYears.previous("all"));
    }

    @Test
    void theFirstMonthIsAMonth() {
        assertThrows(ConfigException.class, () -> new SchoolYears(0));
        assertThrows(ConfigException.class, () -> new SchoolYears(13));
    }
}
