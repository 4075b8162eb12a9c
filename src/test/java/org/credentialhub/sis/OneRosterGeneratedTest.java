package org.credentialhub.sis;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.credentialhub.runtime.Standalone;
import org.credentialhub.support.GeneratedState;
import org.junit.jupiter.api.Test;

import java.io.Reader;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SIS side of the counting rules, on the test run's generated state ({@link GeneratedState#nc()}: NC at 3 %,
 * its 2024-25 bulk bundle and two earlier years' deltas imported by {@code ingest}): every bundle was accepted, and
 * student_course_offer gives, per course and credential, exactly the potential of the generator's expected Table 11
 * for 2024-25 (attainment-by-course-credential.csv; course as CODE-Title, credential by name). Run as part of
 * {@code GeneratedStateTest} (the state is made once per test JVM): {@code ./mvnw test -Dtest='GeneratedStateTest$OneRoster'}.
 * It read a state of its own before (generated and imported again: 40 s of the suite).
 */
public abstract class OneRosterGeneratedTest {

    @Test
    public void potentialPerCourseCredentialIsTable11() throws Exception {
        GeneratedState.Run run = GeneratedState.nc();
        Map<String, Long> expected = new TreeMap<>();
        try (Reader r = Files.newBufferedReader(run.state().resolve("expected/attainment-by-course-credential.csv"));
             var p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            for (CSVRecord rec : p) {
                String course = rec.get("Course");
                String code = course.substring(0, course.indexOf('-'));
                expected.merge(code + " | " + rec.get("Credential Name"), Long.parseLong(rec.get("Potential").replace(",", "").trim()),
                        Long::sum);
            }
        }
        Map<String, Long> actual = new HashMap<>();
        try (Standalone s = new Standalone(run.settings());
             Connection c = s.database.dataSource().getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("""
                    select count(*), count(*) filter (where status = 'accepted') from delivery where feed_code = 'sis'""")) {
                rs.next();
                assertEquals(run.years(), rs.getLong(1), "a bundle per school year");
                assertEquals(rs.getLong(1), rs.getLong(2), "every bundle accepted");
            }
            try (ResultSet rs = st.executeQuery("""
                    select o.course_code || ' | ' || k.credential_name, count(*) from student_course_offer o
                    join catalog_credential k on k.state = 'nc' and k.school_year = o.school_year
                                             and k.credential_code = o.credential_code
                    where o.school_year = '2024-2025'
                    group by 1""")) {
                while (rs.next()) {
                    actual.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        // most of Table 11's 328 course-credential pairs (the 3 % state's scaled table has 300)
        assertTrue(expected.size() > 250, "expected rows: " + expected.size());
        Map<String, String> diff = new TreeMap<>();
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            long got = actual.getOrDefault(e.getKey(), 0L);
            if (got != e.getValue()) {
                diff.put(e.getKey(), "expected " + e.getValue() + ", got " + got);
            }
        }
        for (String k : actual.keySet()) {
            if (!expected.containsKey(k)) {
                diff.put(k, "not in Table 11, got " + actual.get(k));
            }
        }
        assertEquals(Map.of(), diff);
    }
}
