package org.credentialhub.reporting;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reports make their sets of students with {@code group by}, never {@code select distinct}. On PostgreSQL 15
 * (Debian 12's), {@code attainment-by-student-group} of a year with 375,000 students and no results took 268 s in the
 * reporting load's public step ({@code auto_explain}): PostgreSQL 15 plans a parallel distinct whose workers hand their
 * distinct rows to the leader's hash table in the order of their own hash tables (the same hash function), and that
 * table, once it spilled, went through 348,476 batches; the same statement with {@code group by}, whose workers'
 * partial aggregation hashes with a value of their own, took 4.7 s, as it does with parallel plans off (5.0 s).
 * PostgreSQL 17, which the tests run, no longer degrades (3.8 s, the same data restored), so the plan cannot be
 * reproduced here: this checks the definitions' text (docs/performance.md, session 28).
 */
class StudentSetsTest {
    /** A {@code select distinct} (not {@code distinct on}) whose select list names a student. */
    private static final Pattern DISTINCT_STUDENTS = Pattern.compile("select\\s+distinct\\s+(?!on\\b)([^()]*?)\\s+from\\b",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    @Test
    void noReportMakesASetOfStudentsWithSelectDistinct() {
        List<String> found = new ArrayList<>();
        int withStudents = 0;
        for (Reports.Definition d : ReportDefinitions.load()) {
            if (d.sql() == null) {
                continue;
            }
            if (d.sql().contains("student_key")) {
                withStudents++;
            }
            Matcher m = DISTINCT_STUDENTS.matcher(d.sql());
            while (m.find()) {
                if (m.group(1).toLowerCase(Locale.ROOT).contains("student_key")) {
                    found.add(d.name() + ": " + m.group().replaceAll("\\s+", " "));
                }
            }
        }
        assertTrue(withStudents >= 2, "the student-group reports (Table 4, Tables 5a-5c): " + withStudents);
        assertEquals(List.of(), found, "sets of students made with select distinct (make them with group by)");
    }

    @Test
    void theCheckFindsADistinctSetOfStudents() {
        Matcher m = DISTINCT_STUDENTS.matcher("with e as (select distinct f.student_key from rpt.fact_potential f)");
        assertTrue(m.find() && m.group(1).contains("student_key"));
        assertTrue(!DISTINCT_STUDENTS.matcher("select distinct on (a.student_key) a.x from t").find());
    }
}
