package org.credentialhub.sis;

import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A OneRoster date-time is read in Java (its instant goes to the staging table in COPY's binary format) exactly as
 * PostgreSQL reads the same text into a timestamptz in a session in UTC: every form the standard's checks take.
 */
class RowCheckerDateTimeTest {
    private static final List<String> TAKEN = List.of("2024-08-01T00:00:00Z", "2024-08-01T12:34:56Z", "2024-08-01T12:34Z",
            "2024-08-01T12:34", "2024-08-01T12:34:56", "2024-02-29T23:59:59+05", "2024-02-29T23:59:59-0330",
            "2024-12-31T23:30:00+05:45", "2024-01-01T00:15:00-15:59", "2024-08-01T12:34:56.5Z", "2024-08-01T12:34:56.123456Z",
            "2024-08-01T12:34:56.1234565Z", "2024-08-01T12:34:56.1234575Z", "2024-08-01T12:34:56.0000005Z",
            "2024-08-01T12:34:56.0000015Z", "2024-08-01T12:34:56.999999999Z", "2024-08-01T12:34:56.9999995+01:00",
            "2024-06-30T23:59:60Z", "2024-08-01", "1900-01-01", "2999-12-31T23:59:59-12:00", "2024-08-01 07:08",
            "2024-08-01 07:08:09.25");

    @Test
    void eachFormIsTheInstantPostgresqlReads() throws Exception {
        String url = SharedPostgres.newDatabase();
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             Statement st = c.createStatement();
             PreparedStatement ps = c.prepareStatement("select extract(epoch from ?::timestamptz) * 1000000")) {
            st.execute("set time zone 'UTC'");
            for (String v : TAKEN) {
                Problems problems = new Problems();
                Instant read = RowChecker.dateTime(v, new RowChecker.At(problems, "users.csv", 2, "dateLastModified"));
                assertTrue(problems.list().stream().noneMatch(p -> p.severity() == Problem.Severity.ERROR), v + ": " + problems.list());
                ps.setString(1, v);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long micros = rs.getBigDecimal(1).longValueExact();
                    assertEquals(micros, read.getEpochSecond() * 1_000_000 + read.getNano() / 1_000, v);
                    assertEquals(0, read.getNano() % 1_000, v);
                }
            }
        } finally {
            SharedPostgres.drop(url);
        }
    }

    @Test
    void anOffsetPostgresqlRefusesIsTheRowsErrorNotTheFiles() throws Exception {
        String url = SharedPostgres.newDatabase();
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement()) {
            for (String v : List.of("2024-08-01T12:00:00+16", "2024-08-01T12:00:00-1560", "2024-08-01T12:00+99:00")) {
                Problems problems = new Problems();
                assertNull(RowChecker.dateTime(v, new RowChecker.At(problems, "users.csv", 7, "dateLastModified")), v);
                assertEquals(1, problems.list().size(), v);
                Problem p = problems.list().get(0);
                assertEquals(Problem.Severity.ERROR, p.severity());
                assertEquals(7, p.line());
                assertTrue(p.message().contains("time zone offset") && !p.message().contains(v.substring(11)), p.message());
                SQLException refused = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                        () -> st.executeQuery("select '" + v + "'::timestamptz").close(), v);
                assertTrue(refused.getMessage().contains("out of range") || refused.getMessage().contains("invalid"),
                        refused.getMessage());
            }
        } finally {
            SharedPostgres.drop(url);
        }
    }
}
