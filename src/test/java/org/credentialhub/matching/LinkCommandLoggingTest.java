package org.credentialhub.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.credentialhub.cli.LinkCommand;
import org.credentialhub.support.CommandRun;
import org.credentialhub.support.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./hub link} end to end, in-process: output format, and no identifier in any log or console output. */
class LinkCommandLoggingTest {
    static final Path DATA = Reference.path("linkage");

    @Test
    void linkLogsNoIdentifiers(@TempDir Path tmp) throws Exception {
        LinkageSets.Converted c = LinkageSets.dsgen("dsgen_D_1000", DATA.resolve("febrl-dsgen"), "D", 1000, false);
        LinkageSets.write(c, tmp);

        // Everything the run prints or logs reaches the console (logback's default console appender, or SLF4J's
        // stderr fallback), so redirecting System.out/err captures it all.
        CommandRun run = CommandRun.of(new LinkCommand(), "--roster", tmp.resolve("roster.csv").toString(),
                "--results", tmp.resolve("results_half.csv").toString(), "--out",
                tmp.resolve("decisions.csv").toString(), "--truth", tmp.resolve("truth.csv").toString());
        assertEquals(0, run.code());
        String text = run.text().toLowerCase(Locale.ROOT);
        assertTrue(text.contains("match="), "summary printed");

        // the last console line is the metrics line external checks parse
        String[] lines = run.text().trim().split("\\R");
        assertTrue(lines[lines.length - 1].matches(
                "precision=\\d\\.\\d{4} recall=\\d\\.\\d{4} f1=\\d\\.\\d{4} review_rate=\\d\\.\\d{4}"),
                "last line: " + lines[lines.length - 1]);

        // collect every identifying value of roster and results
        Set<String> values = new HashSet<>();
        for (List<String[]> rows : List.of(c.roster(), c.results())) {
            for (String[] r : rows) {
                for (int col : new int[] {1, 2, 3, 4}) { // state_id, first, last, birth_date
                    String v = r[col] == null ? "" : r[col].trim().toLowerCase(Locale.ROOT);
                    if (v.length() >= 3) {
                        values.add(v);
                        if (col == 4) {
                            values.add(v.replace("-", ""));
                        }
                    }
                }
            }
        }
        assertTrue(values.size() > 1000);
        for (String v : values) {
            boolean hit = Pattern.compile("(?<![a-z0-9])" + Pattern.quote(v) + "(?![a-z0-9])").matcher(text).find();
            assertFalse(hit, "an identifying value appears in the output");
        }
        // decisions file written with the expected header
        assertEquals("result_id,roster_id,decision,score", Files.readAllLines(tmp.resolve("decisions.csv")).get(0));
    }
}
