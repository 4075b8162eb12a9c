package org.credentialhub.bench;

import org.credentialhub.sis.OneRosterImport;
import org.credentialhub.sis.SyntheticBundle;
import org.credentialhub.sis.Verdict;
import org.credentialhub.store.Database;
import org.credentialhub.support.Hmac;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The OneRoster import at state size: a synthetic bulk bundle ({@code sis.SyntheticBundle}, the one
 * {@code ./hub bench oneroster} writes) imported into an empty hub database - the first load - and then the next
 * bulk export with 1 % of its student, demographic and enrollment rows changed ({@link ChangedBundle}). ({@code ./hub
 * bench oneroster} imports the same rows again instead, a bulk with nothing changed.) Beside them the baseline: a
 * plain COPY of the bundle's files into the same PostgreSQL.
 */
public record OneRosterFigures(int students, int perStudent, BenchDb db, PrintStream log) {

    public record Result(int students, int perStudent, long rowsChanged, double firstSeconds, double firstCpuSeconds,
                         String firstStatus, double changedSeconds, double changedCpuSeconds, String changedStatus,
                         PlainCopy.Copied copy, long peakHeapBytes) implements Measured { }

    public Result run() throws Exception {
        try (BenchFolder tmp = BenchFolder.create("oneroster")) {
            Path bundle = tmp.resolve("bundle");
            Path changed = tmp.resolve("changed");
            log.printf(Locale.ROOT, "bench oneroster: %,d students × %d enrollments%n", students, perStudent);
            SyntheticBundle.write(bundle, students, perStudent, 1);
            long rowsChanged = ChangedBundle.write(bundle, changed, 100);
            BenchFolder.onDisk(tmp.path());
            try (Database d = BenchDb.open(db.fresh(), tmp.resolve("data"))) {
                OneRosterImport importer = new OneRosterImport(d.dataSource(),
                        new Hmac("bench-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8)), 7,
                        OneRosterImport.defaultStateIdTypes());
                long peak;
                Verdict first;
                Verdict second;
                long t0;
                long t1;
                long t2;
                double cpu1;
                double cpu2;
                try (HeapWatch heap = HeapWatch.start()) {
                    try (CpuWatch cpu = new CpuWatch(tmp.resolve("data"))) {
                        t0 = System.nanoTime();
                        first = importer.importBundle(bundle);
                        t1 = System.nanoTime();
                        cpu.close();
                        cpu1 = cpu.seconds();
                    }
                    log.printf(Locale.ROOT, "bench oneroster: first load %s in %.1f s%n", first.status(), (t1 - t0) / 1e9);
                    try (CpuWatch cpu = new CpuWatch(tmp.resolve("data"))) {
                        second = importer.importBundle(changed);
                        t2 = System.nanoTime();
                        cpu.close();
                        cpu2 = cpu.seconds();
                    }
                    log.printf(Locale.ROOT, "bench oneroster: bulk with %,d rows changed %s in %.1f s%n", rowsChanged,
                            second.status(), (t2 - t1) / 1e9);
                    peak = heap.peakBytes();
                }
                PlainCopy.Copied copy = PlainCopy.run(d.dataSource(), inputs(bundle), tmp.resolve("data"));
                return new Result(students, perStudent, rowsChanged, (t1 - t0) / 1e9, cpu1, first.status(),
                        (t2 - t1) / 1e9, cpu2, second.status(), copy, peak);
            }
        }
    }

    private static List<PlainCopy.Input> inputs(Path bundle) throws IOException {
        List<PlainCopy.Input> in = new ArrayList<>();
        try (Stream<Path> files = Files.list(bundle)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".csv") && !name.equals("manifest.csv")) {
                    in.add(new PlainCopy.Input(PlainCopy.tableName("oneroster_" + name.substring(0, name.length() - 4)), f, "UTF8"));
                }
            }
        }
        return in;
    }

    public static void print(Result r, PrintStream out) {
        long enrollments = (long) r.students() * r.perStudent();
        out.printf(Locale.ROOT, "oneroster: %,d students, %,d enrollments, %,d input rows%n", r.students(), enrollments,
                r.copy().rows());
        out.printf(Locale.ROOT, "  hub:  first load %s in %.1f s (%,.0f students/s; CPU %.0f s, JVM and PostgreSQL); bulk "
                        + "with %,d rows changed (1 %%) %s in %.1f s (CPU %.0f s)%n",
                r.firstStatus(), r.firstSeconds(), r.students() / r.firstSeconds(), r.firstCpuSeconds(), r.rowsChanged(),
                r.changedStatus(), r.changedSeconds(), r.changedCpuSeconds());
        out.printf(Locale.ROOT, "  COPY: %.1f s (%,.0f rows/s; CPU %.1f s); peak heap used %,d MB (limit %,d MB)%n",
                r.copy().seconds(), r.copy().rowsPerSecond(), r.copy().cpuSeconds(), r.peakHeapBytes() >> 20,
                HeapWatch.limitBytes() >> 20);
    }

    /** Targets 60 s and 20 s for 1.5M students × 4, in proportion to the students for another size. */
    public static List<Figure> figures(Result r) {
        double share = r.students() / (double) Targets.ROSTER;
        String size = Figure.count(r.students()) + " students × " + r.perStudent();
        double t1 = Targets.ONEROSTER_FIRST_SECONDS * share;
        double t2 = Targets.ONEROSTER_CHANGED_SECONDS * share;
        return List.of(
                new Figure("OneRoster first load, " + size, Targets.seconds(Targets.ONEROSTER_FIRST_SECONDS, share),
                        Figure.seconds(r.firstSeconds()) + " (CPU " + Figure.seconds(r.firstCpuSeconds()) + ")",
                        "COPY " + Figure.seconds(r.copy().seconds()) + " (CPU " + Figure.seconds(r.copy().cpuSeconds()) + ")", Figure.times(r.firstSeconds() / r.copy().seconds()),
                        Figure.met(r.firstSeconds() <= t1 && r.firstStatus().equals("accepted"))),
                new Figure("OneRoster bulk with 1 % of rows changed, " + size,
                        Targets.seconds(Targets.ONEROSTER_CHANGED_SECONDS, share),
                        Figure.seconds(r.changedSeconds()) + " (CPU " + Figure.seconds(r.changedCpuSeconds()) + ")",
                        "COPY " + Figure.seconds(r.copy().seconds()) + " (CPU " + Figure.seconds(r.copy().cpuSeconds()) + ")", Figure.times(r.changedSeconds() / r.copy().seconds()),
                        Figure.met(r.changedSeconds() <= t2 && r.changedStatus().equals("accepted"))));
    }
}
