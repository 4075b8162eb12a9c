package org.credentialhub.bench;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * {@code ./hub bench} (or {@code bench all}): every bench at one scale, one table. At scale F: the NC year (ingest
 * of the generated state at F), 1,213 × F small workbooks, a 1M × F-row vendor file, matching 200k × F results
 * against a 1.5M × F roster, OneRoster 1.5M × F students × 4, the growth from F to F × scale-up; time targets in
 * proportion to F. A bench that fails gets a "failed" line and the others still run. Details go to {@code out} as
 * each bench ends, the table at the end; the hub's log and progress to {@code log}.
 */
public final class AllBenches {

    /**
     * The run's settings (the command's options): the scale, and the sizes that follow from it unless given
     * ({@link #at}): small workbooks, rows per workbook, rows of the vendor file, students (OneRoster, matching's roster),
     * matched results.
     */
    public record Settings(String scenario, long seed, BigDecimal scale, BigDecimal scaleUp, int smallFiles,
                           int smallFileRows, long vendorFileRows, int students, int matchingResults, Path csv) {

        /** The sizes at a scale: 1,213 × F workbooks, 1M × F rows, 1.5M × F students, 200k × F results. */
        public static Settings at(String scenario, long seed, BigDecimal scale, BigDecimal scaleUp, int smallFileRows,
                                  Path csv) {
            double f = scale.doubleValue();
            return new Settings(scenario, seed, scale, scaleUp, Math.max(1, (int) Math.round(Targets.SMALL_FILES * f)),
                    smallFileRows, Math.max(1, Math.round(Targets.VENDOR_FILE_ROWS * f)),
                    Math.max(1000, (int) Math.round(Targets.ROSTER * f)),
                    Math.max(1000, (int) Math.round(Targets.MATCHING_RESULTS * f)), csv);
        }

        public Settings withSizes(Integer smallFiles, Long vendorFileRows, Integer students, Integer matchingResults) {
            return new Settings(scenario, seed, scale, scaleUp, smallFiles != null ? smallFiles : this.smallFiles,
                    smallFileRows, vendorFileRows != null ? vendorFileRows : this.vendorFileRows,
                    students != null ? students : this.students,
                    matchingResults != null ? matchingResults : this.matchingResults, csv);
        }

        String command() {
            return "./hub bench --scenario " + scenario + " --seed " + seed + " --scale " + Figure.scale(scale)
                    + " --scale-up " + Figure.scale(scaleUp) + " --small-files " + smallFiles + " --small-file-rows "
                    + smallFileRows + " --vendor-file-rows " + vendorFileRows + " --students " + students
                    + " --matching-results " + matchingResults + (csv != null ? " --csv " + csv : "");
        }
    }

    private final Settings settings;
    private final BenchDb db;
    private final PrintStream out;
    private final PrintStream log;

    private IngestBench.StateTrim trim = state -> { };

    /** Changes each generated state before it is ingested (tests: the suite's time). */
    AllBenches trimStates(IngestBench.StateTrim t) {
        this.trim = t;
        return this;
    }

    public AllBenches(Settings settings, BenchDb db, PrintStream out, PrintStream log) {
        this.settings = settings;
        this.db = db;
        this.out = out;
        this.log = log;
    }

    private interface Bench<T> {
        T run() throws Exception;
    }

    /** A bench's peak heap, for the table's heap figure. */
    private record Heap(String bench, long bytes) { }

    /** Runs a bench; on failure adds a failed figure and returns null. */
    private <T> T attempt(String name, String target, FigureTable table, Bench<T> bench) {
        try {
            return bench.run();
        } catch (Exception | OutOfMemoryError e) {
            log.println("bench: " + name + " failed: " + e);
            e.printStackTrace(log);
            table.add(Figure.failed(name, target, e));
            out.println(name + ": failed (" + e + ")");
            return null;
        }
    }

    /** A bench that ran (not null): its details to {@code out}, its figures to the table, its peak heap noted. */
    private <T extends Measured> void report(T result, String heapName, BiConsumer<T, PrintStream> print,
                                             Function<T, List<Figure>> figures, FigureTable table, List<Heap> heaps) {
        if (result == null) {
            return;   // failed: attempt added its figure
        }
        print.accept(result, out);
        table.addAll(figures.apply(result));
        heaps.add(new Heap(heapName, result.peakHeapBytes()));
    }

    public FigureTable run() throws Exception {
        long t0 = System.nanoTime();
        Machine machine = Machine.here();
        out.println("command: " + settings.command());
        out.println(machine.describe());
        if (machine.heapLimitBytes() > Targets.HEAP) {
            out.println("note: the heap limit is above the targets' 1 GB; run HUB_JAVA_OPTS=-Xmx1g ./hub bench ... to hold it");
        }
        out.println();
        FigureTable table = new FigureTable();
        // stopped before the end (SIGTERM, Ctrl-C): the figures measured so far are not lost
        java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        Thread partial = new Thread(() -> {
            if (!finished.get()) {
                out.println();
                out.println("bench: stopped before its end; the figures measured so far:");
                table.print(out);
                out.flush();
            }
        }, "bench-partial-table");
        Runtime.getRuntime().addShutdownHook(partial);
        try {
            return run(table, machine, t0);
        } finally {
            finished.set(true);
            try {
                Runtime.getRuntime().removeShutdownHook(partial);
            } catch (IllegalStateException ignored) {
                // shutting down: the hook has run
            }
        }
    }

    private FigureTable run(FigureTable table, Machine machine, long t0) throws Exception {
        BigDecimal scale = settings.scale();
        double f = scale.doubleValue();
        List<Heap> heaps = new ArrayList<>();
        BenchScenario state = new BenchScenario(settings.scenario(), settings.seed(), scale);

        IngestBench.Result ingest = attempt("NC year end to end (ingest)", Targets.seconds(30, f), table,
                () -> new IngestBench(state, db, log).trim(trim).run());
        report(ingest, "ingest", IngestBench::print, r -> List.of(IngestBench.figure(r)), table, heaps);

        int files = settings.smallFiles();
        SmallFilesBench.Result small = attempt(files + " small workbooks", "≤ 180 s × " + files + "/" + Targets.SMALL_FILES, table,
                () -> new SmallFilesBench(state, files, settings.smallFileRows(), db, log).run());
        report(small, "small files", SmallFilesBench::print, SmallFilesBench::figures, table, heaps);

        long rows = settings.vendorFileRows();
        VendorFileBench.Result vendor = attempt("one vendor file", Targets.seconds(30, rows / (double) Targets.VENDOR_FILE_ROWS), table,
                () -> new VendorFileBench(state, rows, db, log).run());
        report(vendor, "vendor file", VendorFileBench::print, r -> List.of(VendorFileBench.figure(r)), table, heaps);

        int students = settings.students();
        OneRosterFigures.Result roster = attempt("OneRoster", Targets.seconds(60, students / (double) Targets.ROSTER), table,
                () -> new OneRosterFigures(students, Targets.ENROLLMENTS_PER_STUDENT, db, log).run());
        report(roster, "oneroster", OneRosterFigures::print, OneRosterFigures::figures, table, heaps);

        int results = settings.matchingResults();
        MatchingFigures.Result matching = attempt("matching", "≥ 200,000/s", table,
                () -> new MatchingFigures(students, results, settings.seed(), log).run());
        report(matching, "matching", MatchingFigures::print,
                r -> List.of(MatchingFigures.figure(r, ingest == null ? -1 : ingest.copy().rowsPerSecond())), table, heaps);

        if (settings.scaleUp().signum() > 0) {
            BigDecimal larger = scale.multiply(settings.scaleUp()).setScale(4, RoundingMode.HALF_UP).stripTrailingZeros();
            IngestBench.Result large = attempt("scale " + Figure.scale(scale) + " → " + Figure.scale(larger),
                    "×≤ 1.0, heap ≤ 1,024 MB", table,
                    () -> new IngestBench(new BenchScenario(settings.scenario(), settings.seed(), larger), db, log)
                            .trim(trim).run());
            report(large, "ingest at scale " + Figure.scale(larger), IngestBench::print,
                    r -> ingest == null ? List.of() : List.of(IngestBench.growth(ingest, r)), table, heaps);
        }

        if (!heaps.isEmpty()) {
            Heap worst = java.util.Collections.max(heaps, java.util.Comparator.comparingLong(Heap::bytes));
            long peak = worst.bytes();
            table.add(new Figure("peak heap used (largest: " + worst.bench() + ")", "≤ 1,024 MB",
                    Figure.megabytes(peak), "limit " + Figure.megabytes(machine.heapLimitBytes()), "-",
                    Figure.met(Targets.heapMet(peak))));
        }
        out.println();
        out.printf(Locale.ROOT, "bench: every bench ran in %.1f min%n%n", (System.nanoTime() - t0) / 60e9);
        table.print(out);
        if (settings.csv() != null) {
            table.writeCsv(settings.csv());
            out.println();
            out.println("wrote " + settings.csv());
        }
        return table;
    }
}
