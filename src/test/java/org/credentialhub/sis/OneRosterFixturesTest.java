package org.credentialhub.sis;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The four public OneRoster fixture bundles in src/test/resources/fixtures/oneroster/, read in place, and their
 * verdicts: the moodle 1.1 and 1.2 test data load; the NEGATIVE bundle is refused with its specific
 * errors; the oat-sa bundle (pre-1.1 names, other date formats) gets a verdict per problem.
 */
class OneRosterFixturesTest extends OneRosterTestCase {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/oneroster");

    OneRosterFixturesTest() {
        super("oneroster-fixtures");
    }

    private Verdict run(String bundle, String feed) throws Exception {
        Verdict v = importer.importBundle(feed, FIXTURES.resolve(bundle), bundle);
        System.out.println("== " + bundle + ": " + v.status() + " (OneRoster " + v.version() + ") rows " + v.rows());
        v.problems().forEach(p -> System.out.println("   " + p));
        return v;
    }

    static boolean has(Verdict v, Problem.Severity severity, String file, String column, String text) {
        return v.problems().stream().anyMatch(p -> p.severity() == severity && file.equals(p.file())
                && (column == null || column.equals(p.column())) && p.message().contains(text));
    }

    @Test
    void moodle11Loads() throws Exception {
        Verdict v = run("moodle_Test_full_data_set_v1p1", "sis-moodle11");
        assertTrue(v.accepted(), () -> v.errors().toString());
        assertEquals("1.1", v.version());
        assertEquals(6L, v.rows().get("users.csv"));
        assertEquals(6L, count("select count(*) from sis_enrollment where sis_source = 'sis-moodle11'"));
        // a tobedeleted row in a bulk file is not kept
        assertEquals(4L, count("select count(*) from sis_academic_session where sis_source = 'sis-moodle11'"));
        assertEquals(1L, count("select count(*) from sis_class where sis_source = 'sis-moodle11'"));
        assertEquals("2022-2023", string("select school_year from sis_class where sis_source = 'sis-moodle11'"));
        // students (role student, or enrolled as a student) with a state ID are on the roster
        assertEquals(4L, count("select count(*) from sis_user where sis_source = 'sis-moodle11' and student_id is not null"));
        // classes refer to courses the bundle leaves absent: loaded, linked later
        assertTrue(has(v, Problem.Severity.WARNING, "classes.csv", "courseSourcedId", "not in this SIS's data"));
        assertEquals(1L, count("select count(*) from delivery where feed_code = 'sis-moodle11' and status = 'accepted'"));
    }

    @Test
    void moodle12Loads() throws Exception {
        Verdict v = run("moodle_oneroster_test_data_v1p2", "sis-moodle12");
        assertTrue(v.accepted(), () -> v.errors().toString());
        assertEquals("1.2", v.version());
        assertEquals(1L, count("""
                select count(*) from student s join sis_user u on u.student_id = s.student_id
                where u.sis_source = 'sis-moodle12' and s.birth_date = date '2010-04-17' and s.first_name = 'Bruce'"""));
        assertEquals("student", string("select role from sis_user where sis_source = 'sis-moodle12'"));
        assertEquals("2023-2024", string("select school_year from sis_class where sis_source = 'sis-moodle12'"));
        assertTrue(has(v, Problem.Severity.WARNING, "orgs.csv", "identifier", "school without an identifier"));
    }

    @Test
    void negativeIsRefusedWithEveryProblem() throws Exception {
        long before = count("select count(*) from sis_user");
        Verdict v = run("moodle_v1p2_full_dataset_NEGATIVE", "sis-negative");
        assertFalse(v.accepted());
        assertEquals("quarantined", string("select status from delivery where delivery_id = " + v.deliveryId()));
        // misspelt headers
        assertTrue(has(v, Problem.Severity.ERROR, "users.csv", "prefferedGivenName", "did you mean preferredGivenName?"));
        assertTrue(has(v, Problem.Severity.ERROR, "users.csv", "prefferedFamilyName", "did you mean preferredFamilyName?"));
        assertTrue(has(v, Problem.Severity.ERROR, "roles.csv", "dataLastModified", "did you mean dateLastModified?"));
        assertTrue(has(v, Problem.Severity.ERROR, "roles.csv", null, "column 10 of the header has no name"));
        // non-ISO dates, by line, without the value
        assertTrue(v.problems().stream().anyMatch(p -> p.isError() && p.file().equals("users.csv") && p.line() == 2
                && "dateLastModified".equals(p.column()) && p.message().startsWith("not an ISO 8601 date-time")
                && !p.toString().contains("1/05/2023")));
        // the profile file is a copy of roles
        assertTrue(has(v, Problem.Severity.ERROR, "userprofiles.csv", null, "is a copy of roles.csv"));
        assertTrue(has(v, Problem.Severity.ERROR, "userprofiles.csv", "profileType", "missing column"));
        // manifest entries without a value
        assertTrue(has(v, Problem.Severity.ERROR, "manifest.csv", "file.userProfiles", "has no value"));
        // nothing applied; problems recorded with file:column
        assertEquals(before, count("select count(*) from sis_user"));
        assertEquals(0L, count("select count(*) from sis_user where sis_source = 'sis-negative'"));
        assertTrue(count("select count(*) from delivery_problem where delivery_id = " + v.deliveryId()
                + " and severity = 'error' and field = 'users.csv:prefferedGivenName' and line = 1") == 1);
    }

    @Test
    void oatSaGetsAVerdictPerProblem() throws Exception {
        Verdict v = run("oat-sa_OneRosterv1p1BaseCSV", "sis-oat");
        // unambiguous: 1.0 column names, case, other date formats whose meaning is clear
        assertTrue(has(v, Problem.Severity.WARNING, "courses.csv", "schoolYearId", "OneRoster 1.0 name of schoolYearSourcedId"));
        assertTrue(has(v, Problem.Severity.WARNING, "users.csv", "userId", "OneRoster 1.0 name of userIds"));
        assertTrue(has(v, Problem.Severity.WARNING, "demographics.csv", "userSourcedId", "OneRoster 1.0 name of sourcedId"));
        assertTrue(has(v, Problem.Severity.WARNING, "demographics.csv", "birthdate", "read as birthDate"));
        assertTrue(has(v, Problem.Severity.WARNING, "orgs.csv", "dateLastModified", "a space instead of 'T'"));
        assertTrue(has(v, Problem.Severity.WARNING, "enrollments.csv", "beginDate", "missing column"));
        // ambiguous: a class without its course cannot be placed
        assertTrue(has(v, Problem.Severity.ERROR, "classes.csv", "courseSourcedId", "required, but empty"));
        assertFalse(v.accepted());
        assertEquals(0L, count("select count(*) from sis_user where sis_source = 'sis-oat'"));
    }

    static List<String> lines(Verdict v) {
        return v.problems().stream().map(Problem::toString).toList();
    }
}
