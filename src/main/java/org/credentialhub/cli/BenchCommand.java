package org.credentialhub.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.credentialhub.matching.LinkRunner;
import org.credentialhub.matching.LinkageSets;
import org.credentialhub.matching.MatchSettings;
import org.credentialhub.matching.MatchingBenchmark;
import org.credentialhub.support.Reference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./hub bench}: measurements. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.",
        subcommands = {BenchCommand.Matching.class, BenchCommand.Linkage.class, BenchCommand.OneRoster.class})
public final class BenchCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Speed and memory of the student matcher on a synthetic state-sized roster. */
    @Command(name = "matching", mixinStandardHelpOptions = true,
            description = "Synthesize a roster and noisy results, report rows/s, index build time and peak heap.")
    public static final class Matching implements Callable<Integer> {
        @Option(names = "--roster-size", description = "Roster students (default ${DEFAULT-VALUE})")
        int rosterSize = 1_500_000;

        @Option(names = "--results", description = "Result rows (default ${DEFAULT-VALUE})")
        int results = 200_000;

        @Option(names = "--seed", description = "Random seed (default ${DEFAULT-VALUE})")
        long seed = 1;

        @Option(names = "--names", description = "Name list CSV (default: the hub's copy, reference/names/people.csv; "
                + "built-in list if absent)")
        Path names;

        @Override
        public Integer call() throws Exception {
            new MatchingBenchmark(rosterSize, results, seed, names != null ? names : Reference.path("names/people.csv"))
                    .run(System.out);
            return 0;
        }
    }

    /** Converts the linkage sets and measures precision/recall/F1/review rate per set and ID condition. */
    @Command(name = "linkage", mixinStandardHelpOptions = true,
            description = "Convert the linkage sets to roster/results/truth CSVs and run link on each condition.")
    public static final class Linkage implements Callable<Integer> {
        @Option(names = "--data", description = "Linkage data folder (default: the hub's copy, reference/linkage)")
        Path data;

        @Option(names = "--out", description = "Where CSVs and decisions go (default ${DEFAULT-VALUE})")
        Path out = Path.of("target/linkage");

        @Option(names = "--only", description = "Only sets whose name contains this")
        String only;

        @Option(names = "--convert-only", description = "Only write the CSVs")
        boolean convertOnly;

        @Override
        public Integer call() throws Exception {
            List<String> table = new ArrayList<>();
            table.add("| set | state ID on | precision | recall | F1 | review rate | matches | reviews | results |");
            table.add("|---|---|---|---|---|---|---|---|---|");
            Path data = this.data != null ? this.data : Reference.path("linkage");
            if (!Files.isDirectory(data)) {
                System.err.println("bench linkage: no such folder: " + data);
                return 2;
            }
            for (LinkageSets.Converted c : LinkageSets.all(data)) {
                if (only != null && !c.name().contains(only)) {
                    continue;
                }
                Path dir = out.resolve(c.name());
                LinkageSets.write(c, dir);
                if (convertOnly) {
                    System.out.println("wrote " + dir);
                    continue;
                }
                for (String cond : LinkageSets.CONDITIONS) {
                    if (c.name().endsWith("_synid") && !cond.equals("all")) {
                        continue; // the synthetic ID only matters when present
                    }
                    ByteArrayOutputStream buf = new ByteArrayOutputStream();
                    LinkRunner.Metrics m;
                    try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
                        m = new LinkRunner(MatchSettings.defaults()).run(dir.resolve("roster.csv"),
                                dir.resolve("results_" + cond + ".csv"), dir.resolve("decisions_" + cond + ".csv"),
                                dir.resolve("truth.csv"), null, ps);
                    }
                    String row = String.format(Locale.ROOT, "| %s | %s | %.4f | %.4f | %.4f | %.4f | %d | %d | %d |",
                            c.name(), cond, m.precision(), m.recall(), m.f1(), m.reviewRate(), m.matches(),
                            m.reviews(), m.resultRows());
                    System.out.println(row);
                    table.add(row);
                }
            }
            if (!convertOnly) {
                System.out.println();
                table.forEach(System.out::println);
            }
            return 0;
        }
    }

    /** Speed of a OneRoster bulk import (first load and a bulk replacing it) on a private embedded PostgreSQL. */
    @Command(name = "oneroster", mixinStandardHelpOptions = true,
            description = "Write a synthetic OneRoster bulk bundle, import it twice, report students/s, enrollments/s "
                    + "and wall time.")
    public static final class OneRoster implements Callable<Integer> {
        @Option(names = "--students", description = "Students (default ${DEFAULT-VALUE})")
        int students = 300_000;

        @Option(names = "--enrollments-per-student", description = "Enrollments per student (default ${DEFAULT-VALUE})")
        int perStudent = 4;

        @Override
        public Integer call() throws Exception {
            org.credentialhub.sis.OneRosterBench.main(new String[]{Integer.toString(students), Integer.toString(perStudent)});
            return 0;
        }
    }
}
