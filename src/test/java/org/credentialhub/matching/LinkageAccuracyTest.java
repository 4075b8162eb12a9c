package org.credentialhub.matching;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.credentialhub.support.Reference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Accuracy on FEBRL generator sets D and F (1000), state ID withheld on all rows; data in the hub's reference/linkage. */
class LinkageAccuracyTest {
    static final Path DATA = Reference.path("linkage");

    @ParameterizedTest
    @CsvSource({"D, 0.999, 0.99, 0.99", "F, 0.999, 0.85, 0.90"})
    void precisionAndRecallStayAboveTargets(String set, double minPrecision, double minRecall, double minF1,
                                            @TempDir Path tmp) throws Exception {
        LinkageSets.Converted c = LinkageSets.dsgen("dsgen_" + set + "_1000", DATA.resolve("febrl-dsgen"), set, 1000,
                false);
        LinkageSets.write(c, tmp);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        LinkRunner.Metrics m = new LinkRunner(MatchSettings.defaults()).run(tmp.resolve("roster.csv"),
                tmp.resolve("results_none.csv"), tmp.resolve("decisions.csv"), tmp.resolve("truth.csv"), null,
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertTrue(m.precision() >= minPrecision, set + " precision " + m.precision());
        assertTrue(m.recall() >= minRecall, set + " recall " + m.recall());
        assertTrue(m.f1() >= minF1, set + " f1 " + m.f1());
        assertTrue(m.reviewRate() <= 0.10, set + " review rate " + m.reviewRate());
    }
}
