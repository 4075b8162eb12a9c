package org.credentialhub.sis;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The program-participation flags (NC Table 4's groups) as extension columns of demographics.csv: stored as flags on
 * the roster when a bundle has them, null when it has not; a value that is not a flag refuses the bundle with its file,
 * row and column, never the value or whose it is; a delta sets them like the other demographics.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OneRosterProgramFlagsTest extends OneRosterTestCase {
    private static final int STUDENTS = 20;
    private static final String FLAGS = "select count(*) from student where economically_disadvantaged is not null"
            + " or multilingual_learner is not null or student_with_disability is not null";
    private Path bulk;

    OneRosterProgramFlagsTest() {
        super("oneroster-program-flags");
    }

    @BeforeAll
    void writeBulk() throws Exception {
        bulk = dir.resolve("bulk");
        SyntheticBundle.write(bulk, STUDENTS, 2, 7);
    }

    /** demographics.csv with extension columns added: the header's names, then each student's values by row. */
    private void withColumns(Path bundle, List<String> names, List<String>... values) throws Exception {
        Path file = bundle.resolve("demographics.csv");
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        out.add(lines.get(0) + "," + String.join(",", names));
        for (int i = 1; i < lines.size(); i++) {
            out.add(lines.get(i) + "," + String.join(",", values[(i - 1) % values.length]));
        }
        Files.write(file, out, StandardCharsets.UTF_8);
    }

    private String flags(String sourcedId) throws Exception {
        return string("select concat_ws('/', coalesce(economically_disadvantaged::text, '-'), coalesce(multilingual_learner::text, '-'),"
                + " coalesce(student_with_disability::text, '-')) from student where sourced_id = '" + sourcedId + "'");
    }

    @Test
    @Order(1)
    void withoutTheColumnsTheFlagsAreNotReported() throws Exception {
        Verdict v = importer.importBundle(bulk);
        assertTrue(v.accepted(), () -> v.problems().toString());
        assertTrue(v.problems().isEmpty(), () -> "the flags are extensions, never a missing column: " + v.problems());
        assertEquals(STUDENTS, count("select count(*) from student"));
        assertEquals(0, count(FLAGS));
        assertEquals(0, count("select count(*) from sis_demographics where economically_disadvantaged is not null"));
    }

    @Test
    @Order(2)
    void theExtensionColumnsAreStoredAsFlags() throws Exception {
        withColumns(bulk, List.of("metadata.nc.economicallyDisadvantaged", "metadata.nc.englishLearner",
                        "metadata.state.x.studentWithDisability"),
                List.of("TRUE", "n", "1"), List.of("false", "Y", "0"), List.of("", "", ""), List.of("True", "FALSE", "y"));
        Verdict v = importer.importBundle(bulk);
        assertTrue(v.accepted(), () -> v.problems().toString());
        assertTrue(v.problems().isEmpty(), () -> v.problems().toString());
        assertEquals("true/false/true", flags("usr-0"));
        assertEquals("false/true/false", flags("usr-1"));
        assertEquals("-/-/-", flags("usr-2"), "blank: not reported");
        assertEquals("true/false/true", flags("usr-3"));
        assertEquals(STUDENTS / 4, count("select count(*) from student where economically_disadvantaged is null"));
        assertEquals(STUDENTS / 4, count("select count(*) from sis_demographics where multilingual_learner"));
    }

    @Test
    @Order(3)
    void aValueThatIsNotAFlagRefusesTheBundleNamingFileRowAndColumnOnly() throws Exception {
        Path bad = dir.resolve("bad");
        SyntheticBundle.write(bad, STUDENTS, 2, 7);
        withColumns(bad, List.of("metadata.nc.economicallyDisadvantaged", "metadata.nc.multilingualLearner",
                "metadata.nc.studentWithDisability"), List.of("true", "false", "false"), List.of("true", "false", "maybe"));
        Verdict v = importer.importBundle(bad);
        assertFalse(v.accepted());
        List<Problem> errors = v.errors();
        assertEquals(STUDENTS / 2, errors.size(), errors::toString);
        Problem p = errors.get(0);
        assertEquals("demographics.csv", p.file());
        assertEquals(3, p.line(), "the second student's row (header = 1)");
        assertEquals("metadata.nc.studentWithDisability", p.column());
        assertEquals("must be true or false (or Y/N, 1/0); empty when not reported", p.message());
        for (Problem e : errors) {
            assertFalse(e.toString().contains("maybe") || e.toString().contains("usr-")
                    || e.toString().contains(SyntheticBundle.stateId(1)), e.toString());
        }
        assertEquals("true/false/true", flags("usr-0"), "nothing of a refused bundle is applied");

        withColumns(bulk, List.of("metadata.a.multilingualLearner"), List.of("true"));
        Verdict twice = importer.importBundle(bulk);
        assertFalse(twice.accepted());
        assertTrue(OneRosterFixturesTest.has(twice, Problem.Severity.ERROR, "demographics.csv",
                "metadata.a.multilingualLearner", "a second column for multilingualLearner"), twice.problems()::toString);
    }

    @Test
    @Order(4)
    void aDeltaSetsTheFlagsLikeTheOtherDemographics() throws Exception {
        Path delta = dir.resolve("delta");
        Files.createDirectories(delta);
        Files.writeString(delta.resolve("manifest.csv"), """
                propertyName,value
                manifest.version,1.0
                oneroster.version,1.1
                file.demographics,delta
                """);
        Files.writeString(delta.resolve("demographics.csv"), """
                sourcedId,status,dateLastModified,birthDate,sex,metadata.nc.englishLanguageLearner,metadata.nc.economicallyDisadvantaged
                usr-2,active,2024-10-01T00:00:00Z,2008-02-29,female,yes,no
                usr-0,active,2024-10-01T00:00:00Z,2008-01-01,male,,
                """);
        Verdict v = importer.importBundle(delta);
        assertTrue(v.accepted(), () -> v.problems().toString());
        assertEquals("false/true/-", flags("usr-2"));
        assertEquals("-/-/-", flags("usr-0"), "a delta row replaces the student's demographics, flags included");
        assertEquals("false/true/false", flags("usr-1"), "students the delta does not name keep theirs");
    }
}
