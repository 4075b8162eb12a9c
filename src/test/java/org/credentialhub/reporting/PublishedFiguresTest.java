package org.credentialhub.reporting;

import org.credentialhub.support.GeneratedState;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The full-scale checks of the published figures (issue 18; tag slow: not in the suite, {@code ./mvnw test
 * -Dgroups=slow -Dtests.excluded=none}, which {@code .ci/run} runs after it). NC 2024-25 generated at scale 1
 * ({@link GeneratedState#fullScale}), whose truth is the published Tables 10 and 11 byte for byte, taken through
 * {@code ingest}, {@code resolve} and {@code ingest}: Tables 10 and 11 come out exact, and every figure derivable
 * from the published ones is checked against them by the same checks the suite runs at 3 % (Table 9 and Table 8's
 * 2024-25 column from Table 10, Chart 1's year and the tier tables from Tables 10 and 11, Tables 1, 3 and 7 from
 * their published lists, Table 4 and Tables 5a-c against the generator's figures, no small cell in the public forms,
 * the publication whole).
 */
@Tag("slow")
class PublishedFiguresTest {
    static final Path PUBLISHED = Path.of("src/main/resources/reference/nc-2024-25");

    @Test
    void theFullStatesTruthIsThePublishedTables() throws IOException {
        Path expected = GeneratedState.fullScale().state().resolve("expected");
        assertArrayEquals(Files.readAllBytes(PUBLISHED.resolve("table10_attainment_by_psu.csv")),
                Files.readAllBytes(expected.resolve("attainment-by-district.csv")));
        assertArrayEquals(Files.readAllBytes(PUBLISHED.resolve("table11_attainment_by_course_credential.csv")),
                Files.readAllBytes(expected.resolve("attainment-by-course-credential.csv")));
    }

    @Nested
    class Acceptance extends AcceptanceTest {
        @Override
        GeneratedState.Run state() throws IOException {
            return GeneratedState.fullScale();
        }
    }

    @Nested
    class AnnualReport extends AnnualReportTest {
        @Override
        GeneratedState.Run state() throws IOException {
            return GeneratedState.fullScale();
        }
    }
}
