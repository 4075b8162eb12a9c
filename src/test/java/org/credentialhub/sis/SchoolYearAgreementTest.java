package org.credentialhub.sis;

import org.credentialhub.store.Database;
import org.credentialhub.support.SchoolYears;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14: results get their school year from {@link SchoolYears#of} and the roster from SQL that
 * OneRosterImport built itself; with {@code hub.school-year.first-month=1} the two said "2024" and
 * "2024-2025", so results and classes never joined.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchoolYearAgreementTest {
    private SisTestDb sis;

    @BeforeAll
    void open() throws Exception {
        sis = SisTestDb.open("school-year");
    }

    @AfterAll
    void close() throws Exception {
        sis.close();
    }

    @Test
    void theSqlNamesEveryDateAsTheJavaDoes() throws Exception {
        try (Connection c = sis.db.dataSource().getConnection(); Statement st = c.createStatement()) {
            for (int first = 1; first <= 12; first++) {
                SchoolYears years = new SchoolYears(first);
                for (int month = 1; month <= 12; month++) {
                    LocalDate d = LocalDate.of(2024, month, month == 2 ? 29 : 1);
                    try (ResultSet rs = st.executeQuery("select " + years.sqlOf("date '" + d + "'") + ", "
                            + years.sqlOfEndingYear("2025"))) {
                        rs.next();
                        assertEquals(years.of(d), rs.getString(1), "first month " + first + ", " + d);
                        assertEquals(years.ofEndingYear(2025), rs.getString(2), "first month " + first);
                    }
                }
            }
        }
    }

    @Test
    void aCalendarYearRosterNamesItsYearsAsResultsDo() throws Exception {
        Database db = sis.db;
        Path bulk = sis.dir.resolve("bulk");
        SyntheticBundle.write(bulk, 20, 1, 7);
        OneRosterImport importer = new OneRosterImport(db.dataSource(), SisTestDb.HMAC, 1, OneRosterImport.defaultStateIdTypes());
        Verdict v = importer.importBundle(bulk);
        assertTrue(v.accepted(), () -> v.problems().toString());
        SchoolYears years = new SchoolYears(1);
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select sourced_id, start_date, school_year from sis_academic_session order by sourced_id")) {
            int n = 0;
            while (rs.next()) {
                n++;
                // every session takes its schoolYear parent's year (2024-07-01)
                assertEquals(years.of(LocalDate.of(2024, 7, 1)), rs.getString(3), rs.getString(1));
            }
            assertEquals(3, n);
        }
    }
}
