package org.credentialhub.cli;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
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

/**
 * {@code ./hub bench}: measurements. Without a subcommand (or {@code bench all}) every bench of issue 17 at one scale
 * and one table (docs/performance.md); the benches themselves are in {@code org.credentialhub.bench}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmarks. Without a subcommand: every bench at --scale, one table (figure, target, measured, "
                + "the same run's plain COPY baseline, ratio); see docs/performance.md.",
                "Figures go to standard output, the hub's log and progress to standard error."},
        subcommands = {BenchCommand.All.class, BenchCommand.Ingest.class, BenchCommand.SmallFiles.class,
                BenchCommand.VendorFile.class, BenchCommand.Matching.class, BenchCommand.Linkage.class,
                BenchCommand.OneRoster.class})
public final class BenchCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    AllOptions all;

    @Override
    public Integer call() throws Exception {
        return all.run();
    }

    /** The options of every bench at one scale ({@code bench} and {@code bench all}). */
    static final class AllOptions {
        @Option(names = "--scenario", defaultValue = "nc-2024-25", description = "Scenario to generate (default ${DEFAULT-VALUE})")
        String scenario;

        @Option(names = "--seed", defaultValue = "7", description = "Seed of every generated input (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--scale", defaultValue = "1", description = "Scale of every bench: the state (ingest), 1,213 × F "
                + "small workbooks, a 1M × F-row vendor file, 1.5M × F students (OneRoster, matching's roster), 200k × F "
                + "matched results; time targets in proportion (default ${DEFAULT-VALUE})")
        BigDecimal scale;

        @Option(names = "--scale-up", defaultValue = "5", description = "Also ingest at scale × this, for the growth "
                + "figure (0: skip; default ${DEFAULT-VALUE}, the target's --scale 5 at --scale 1)")
        BigDecimal scaleUp;

        @Option(names = "--small-file-rows", defaultValue = "34", description = "Rows per small workbook (default "
                + "${DEFAULT-VALUE}: the NC year's skills workbooks, 41k rows, over 1,213 district-months)")
        int smallFileRows;

        @Option(names = "--small-files", paramLabel = "N", description = "Small workbooks (default: 1,213 × --scale)")
        Integer smallFiles;

        @Option(names = "--vendor-file-rows", paramLabel = "N", description = "Rows of the large vendor file "
                + "(default: 1,000,000 × --scale)")
        Long vendorFileRows;

        @Option(names = "--students", paramLabel = "N", description = "Students of the OneRoster bundle and of matching's "
                + "roster (default: 1,500,000 × --scale)")
        Integer students;

        @Option(names = "--matching-results", paramLabel = "N", description = "Results matched (default: 200,000 × --scale)")
        Integer matchingResults;

        @Option(names = "--csv", paramLabel = "FILE", description = "Also write the table as CSV to FILE")
        Path csv;

        int run() throws Exception {
            quietPoi();
            org.credentialhub.bench.FigureTable t = new org.credentialhub.bench.AllBenches(
                    org.credentialhub.bench.AllBenches.Settings.at(scenario, seed, scale, scaleUp, smallFileRows, csv)
                            .withSizes(smallFiles, vendorFileRows, students, matchingResults),
                    org.credentialhub.bench.BenchDb.embedded(), System.out, System.err).run();
            return t.figures().stream().anyMatch(f -> f.met().equals("failed")) ? 1 : 0;
        }
    }

    /** Apache POI logs through the Log4j API; without a provider it complains on stderr (as in generate). */
    static void quietPoi() {
        System.setProperty("log4j2.loggerContextFactory", "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
    }

    /** Prints the command and the machine before a bench's figures. */
    static void header(picocli.CommandLine.Model.CommandSpec spec) {
        System.out.println("command: ./hub " + String.join(" ", spec.root().commandLine().getParseResult().originalArgs()));
        System.out.println(org.credentialhub.bench.Machine.here().describe());
        System.out.println();
    }

    /** Prints a bench's figures as a table (and as CSV to the file, if one was named). */
    static void table(List<org.credentialhub.bench.Figure> figures, Path csv) throws java.io.IOException {
        org.credentialhub.bench.FigureTable t = new org.credentialhub.bench.FigureTable().addAll(figures);
        System.out.println();
        t.print(System.out);
        if (csv != null) {
            t.writeCsv(csv);
            System.out.println("wrote " + csv);
        }
    }

    /** The generated state of a single bench (its --scale is its own: what it scales differs). */
    static final class ScenarioOptions {
        @Option(names = "--scenario", defaultValue = "nc-2024-25", description = "Scenario (default ${DEFAULT-VALUE})")
        String scenario;

        @Option(names = "--seed", defaultValue = "7", description = "Seed (default ${DEFAULT-VALUE})")
        long seed;

        org.credentialhub.bench.BenchScenario at(BigDecimal scale) {
            return new org.credentialhub.bench.BenchScenario(scenario, seed, scale);
        }
    }

    /** A bench on a generated state: the command and the machine, the bench's details, then its figures' table. */
    abstract static class StateBench implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        ScenarioOptions state;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        /** Runs the bench and prints its details; returns its figures. */
        abstract List<org.credentialhub.bench.Figure> measure(org.credentialhub.bench.BenchDb db) throws Exception;

        /** Where the figures go as CSV too (null: nowhere). */
        abstract Path csv();

        @Override
        public Integer call() throws Exception {
            quietPoi();
            header(spec);
            table(measure(org.credentialhub.bench.BenchDb.embedded()), csv());
            return 0;
        }
    }

    @Command(name = "all", mixinStandardHelpOptions = true,
            description = "Every bench at --scale, one table (what ./hub bench does without a subcommand).")
    public static final class All implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        AllOptions all;

        @Override
        public Integer call() throws Exception {
            return all.run();
        }
    }

    /** A generated state through ./hub ingest into an empty hub, beside a plain COPY of its input rows. */
    @Command(name = "ingest", mixinStandardHelpOptions = true,
            description = "Generate a state into a temporary folder, ingest it into an empty hub (embedded PostgreSQL, SFTP "
                    + "drop box), and COPY the same input rows into the same PostgreSQL: rows, hub seconds, COPY seconds, "
                    + "ratio, peak heap, rows/s.")
    public static final class Ingest extends StateBench {
        @Option(names = "--scale", defaultValue = "1", description = "Scale of the state, up to 10 (default ${DEFAULT-VALUE})")
        BigDecimal scale;

        @Option(names = "--csv", paramLabel = "FILE", description = "Also write the figure as CSV to FILE")
        Path csv;

        @Override
        List<org.credentialhub.bench.Figure> measure(org.credentialhub.bench.BenchDb db) throws Exception {
            var r = new org.credentialhub.bench.IngestBench(state.at(scale), db, System.err).run();
            org.credentialhub.bench.IngestBench.print(r, System.out);
            return List.of(org.credentialhub.bench.IngestBench.figure(r));
        }

        @Override
        Path csv() {
            return csv;
        }
    }

    /** Many small workbooks dropped over SFTP into a running hub. */
    @Command(name = "small-files", mixinStandardHelpOptions = true,
            description = "Generate a state's roster and N small end-of-program workbooks (one per district per month), "
                    + "drop them over SFTP into a running hub, and measure first drop → last acknowledgement and each "
                    + "file's pickup → acknowledgement, beside the SFTP upload alone and a COPY of the same rows.")
    public static final class SmallFiles extends StateBench {
        @Option(names = "--files", defaultValue = "1213", description = "Workbooks (default ${DEFAULT-VALUE})")
        int files;

        @Option(names = "--rows", defaultValue = "34", description = "Rows per workbook (default ${DEFAULT-VALUE})")
        int rows;

        @Option(names = "--scale", defaultValue = "1", description = "Scale of the roster's state (default ${DEFAULT-VALUE})")
        BigDecimal scale;

        @Option(names = "--csv", paramLabel = "FILE", description = "Also write the figures as CSV to FILE")
        Path csv;

        @Override
        List<org.credentialhub.bench.Figure> measure(org.credentialhub.bench.BenchDb db) throws Exception {
            var r = new org.credentialhub.bench.SmallFilesBench(state.at(scale), files, rows, db, System.err).run();
            org.credentialhub.bench.SmallFilesBench.print(r, System.out);
            return org.credentialhub.bench.SmallFilesBench.figures(r);
        }

        @Override
        Path csv() {
            return csv;
        }
    }

    /** One large vendor file through intake to its acknowledgement. */
    @Command(name = "vendor-file", mixinStandardHelpOptions = true,
            description = "Generate a state's roster and one certexam CSV of N rows, send it through a running hub to its "
                    + "acknowledgement, beside a COPY of the same file.")
    public static final class VendorFile extends StateBench {
        @Option(names = "--rows", defaultValue = "1000000", description = "Rows of the file (default ${DEFAULT-VALUE})")
        long rows;

        @Option(names = "--scale", defaultValue = "1", description = "Scale of the roster's state (default ${DEFAULT-VALUE})")
        BigDecimal scale;

        @Option(names = "--csv", paramLabel = "FILE", description = "Also write the figure as CSV to FILE")
        Path csv;

        @Override
        List<org.credentialhub.bench.Figure> measure(org.credentialhub.bench.BenchDb db) throws Exception {
            var r = new org.credentialhub.bench.VendorFileBench(state.at(scale), rows, db, System.err).run();
            org.credentialhub.bench.VendorFileBench.print(r, System.out);
            return List.of(org.credentialhub.bench.VendorFileBench.figure(r));
        }

        @Override
        Path csv() {
            return csv;
        }
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
                return Exit.error("bench linkage", "no such folder: " + data);
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
            description = "Write a synthetic OneRoster bulk bundle, import it three times (first load, the same rows as "
                    + "a new export, that export again), report students/s, enrollments/s and wall time (--changed: a "
                    + "bulk with 1 %% of its rows changed instead, as ./hub bench does).")
    public static final class OneRoster implements Callable<Integer> {
        @Option(names = "--students", description = "Students (default ${DEFAULT-VALUE})")
        int students = 300_000;

        @Option(names = "--enrollments-per-student", description = "Enrollments per student (default ${DEFAULT-VALUE})")
        int perStudent = 4;

        @Option(names = "--changed", description = "Instead: the first load, then the next export with 1 %% of its "
                + "users, demographics and enrollments changed, beside a plain COPY of the bundle (./hub bench's two "
                + "OneRoster figures, alone)")
        boolean changed;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (changed) {
                header(spec);
                org.credentialhub.bench.OneRosterFigures.Result r = new org.credentialhub.bench.OneRosterFigures(students,
                        perStudent, org.credentialhub.bench.BenchDb.embedded(), System.err).run();
                org.credentialhub.bench.OneRosterFigures.print(r, System.out);
                table(org.credentialhub.bench.OneRosterFigures.figures(r), null);
                return 0;
            }
            org.credentialhub.sis.OneRosterBench.main(new String[]{Integer.toString(students), Integer.toString(perStudent)});
            return 0;
        }
    }
}
