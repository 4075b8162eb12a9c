package org.credentialhub.sis;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A class's school year (sis/class-school-year.sql): its terms' earliest, else its course's school year session's,
 * else none; a class whose year is as it was is not written, and another source's classes are left alone. A classes
 * file's rows are published with their years; the classes a bundle leaves as they were follow their sessions.
 */
class ClassSchoolYearsTest extends OneRosterTestCase {

    ClassSchoolYearsTest() {
        super("class-school-years");
    }

    @Test
    void aClassTakesItsTermsEarliestYearElseItsCoursesElseNone() throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            for (String source : new String[] {"sis-a", "sis-b"}) {
                st.executeUpdate("insert into sis_academic_session (sis_source, sourced_id, status, school_year, delivery_id) "
                        + "values ('" + source + "', 'fall24', 'active', '2024-2025', 0), "
                        + "('" + source + "', 'spring24', 'active', '2023-2024', 0), "
                        + "('" + source + "', 'year22', 'active', '2022-2023', 0)");
                st.executeUpdate("insert into sis_course (sis_source, sourced_id, status, school_year_sourced_id, delivery_id) "
                        + "values ('" + source + "', 'course22', 'active', 'year22', 0), "
                        + "('" + source + "', 'course-unknown-year', 'active', 'gone', 0)");
                st.executeUpdate("insert into sis_class (sis_source, sourced_id, status, course_sourced_id, term_sourced_ids, "
                        + "school_year, delivery_id) values "
                        + "('" + source + "', 'two-terms', 'active', 'course22', '{fall24,spring24,fall24}', null, 0), "
                        + "('" + source + "', 'no-terms', 'active', 'course22', '{}', null, 0), "
                        + "('" + source + "', 'null-terms', 'active', 'course22', null, null, 0), "
                        + "('" + source + "', 'unknown-term', 'active', 'course22', '{gone}', null, 0), "
                        + "('" + source + "', 'nothing-known', 'active', 'course-unknown-year', '{gone}', '1999-2000', 0), "
                        + "('" + source + "', 'no-course', 'active', 'missing', '{}', null, 0), "
                        + "('" + source + "', 'as-it-was', 'active', 'course22', '{fall24}', '2024-2025', 0)");
            }
            String versionBefore = string("select xmin::text from sis_class where sis_source = 'sis-a' and sourced_id = 'as-it-was'");
            assertEquals(5, ImportSteps.update(c, "sis-a", RosterPublisher.classSchoolYears()),
                    "the classes whose year changes are written, and no other");
            assertEquals(versionBefore, string("select xmin::text from sis_class where sis_source = 'sis-a' and sourced_id = 'as-it-was'"));
        }
        assertEquals("2023-2024", year("sis-a", "two-terms"), "the terms' earliest");
        assertEquals("2022-2023", year("sis-a", "no-terms"), "the course's school year");
        assertEquals("2022-2023", year("sis-a", "null-terms"));
        assertEquals("2022-2023", year("sis-a", "unknown-term"), "a term not in the data: the course's");
        assertNull(year("sis-a", "nothing-known"), "neither known: none");
        assertNull(year("sis-a", "no-course"));
        assertEquals("2024-2025", year("sis-a", "as-it-was"));
        assertNull(year("sis-b", "two-terms"), "another source's classes are left alone");
        assertEquals("1999-2000", year("sis-b", "nothing-known"));
    }

    @Test
    void aClassesFilesRowsComeWithTheirYearsAndUnchangedClassesFollowTheirSessions() throws Exception {
        java.nio.file.Path first = dir.resolve("years-first");
        SyntheticBundle.write(first, 20, 2, 3);
        Verdict v = importer.importBundle(first);
        assertTrue(v.accepted(), v::toString);
        assertEquals(0, count("select count(*) from sis_class where sis_source = 'sis' and school_year is distinct from"
                + " '2024-2025'"));
        assertTrue(count("select count(*) from sis_class where sis_source = 'sis'") > 0);
        // a bundle of the sessions alone, their school year moved a year on: the classes, not in it, follow them
        java.nio.file.Path next = dir.resolve("years-next");
        SyntheticBundle.write(next, 20, 2, 3);
        java.nio.file.Path manifest = next.resolve("manifest.csv");
        java.nio.file.Files.writeString(manifest, java.nio.file.Files.readString(manifest).replaceAll(
                "file\\.(classes|courses|demographics|enrollments|orgs|users),bulk", "file.$1,absent"));
        java.nio.file.Files.writeString(next.resolve("academicSessions.csv"), """
                title,sourcedId,status,dateLastModified,type,startDate,endDate,parentSourcedId,schoolYear
                2025-26,as-2025,active,2025-08-01T00:00:00Z,schoolYear,2025-07-01,2026-06-30,,2026
                Fall 2025,as-2025-s1,active,2025-08-01T00:00:00Z,semester,2025-08-26,2026-01-17,as-2025,2026
                Spring 2026,as-2025-s2,active,2025-08-01T00:00:00Z,semester,2026-01-21,2026-06-06,as-2025,2026
                """);
        Verdict again = importer.importBundle(next);
        assertTrue(again.accepted(), again::toString);
        assertEquals(0, count("select count(*) from sis_class where sis_source = 'sis' and school_year is distinct from"
                + " '2025-2026'"));
    }

    private String year(String source, String sourcedId) throws Exception {
        return string("select school_year from sis_class where sis_source = '" + source + "' and sourced_id = '" + sourcedId + "'");
    }
}
