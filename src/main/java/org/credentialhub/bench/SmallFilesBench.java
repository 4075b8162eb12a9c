package org.credentialhub.bench;

import org.credentialhub.generate.BenchStates;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.credentialhub.cli.IngestCommand.Timings.seconds;

/**
 * Many small vendor files: a generated state's roster and N small end-of-program workbooks (skillsxlsx, one per
 * district per month, {@link BenchStates#smallWorkbooks}) through {@code ./hub ingest}: the roster first, then every
 * workbook dropped over SFTP into the running hub. Measures the wall time from the first drop to the last
 * acknowledgement, and each file's hub time from pickup (the delivery recorded) to its acknowledgement; beside the
 * SFTP upload alone and a plain COPY of the same rows, one COPY per file.
 */
public record SmallFilesBench(BenchScenario state, int files, int rows, BenchDb db, PrintStream log) {

    /** What one run measured; {@code perFile}: each file's seconds from pickup to acknowledgement, sorted. */
    public record Result(int files, long rows, double wallSeconds, double uploadSeconds, double[] perFile,
                         PlainCopy.Copied copy, long peakHeapBytes) implements Measured {
        public double mean() {
            return Arrays.stream(perFile).average().orElse(Double.NaN);
        }

        public double quantile(double q) {
            return perFile.length == 0 ? Double.NaN
                    : perFile[Math.min(perFile.length - 1, (int) Math.ceil(q * perFile.length) - 1)];
        }
    }

    public Result run() throws Exception {
        try (BenchFolder tmp = BenchFolder.create("small-files")) {
            Path state = tmp.resolve("state");
            log.printf(Locale.ROOT, "bench small-files: %d workbooks of %d rows, roster of %s%n", files, rows,
                    this.state.describe());
            BenchStates.Written w = BenchStates.smallWorkbooks(this.state.generator(), state, files, rows,
                    line -> log.println("generate: " + line));
            // every file is dropped at once: the inbox quota (hub.sftp.quota.max-files, 500) must hold them all
            HubRun hub = HubRun.ingest(state, tmp.resolve("hub"), db,
                    Map.of("hub.sftp.quota.max-files", String.valueOf(Math.max(500, files + 10))), log);
            List<PlainCopy.Input> inputs = new StateInputs(tmp.resolve("text")).feed(state, "sftp/skillsxlsx");
            List<HubRun.Delivery> deliveries = hub.deliveries("skillsxlsx");
            PlainCopy.Copied copy = hub.copy(inputs);
            Instant lastAck = null;
            List<Double> each = new ArrayList<>();
            for (HubRun.Delivery x : deliveries) {
                if (x.acknowledged() != null) {
                    each.add(x.seconds());
                    lastAck = lastAck == null || x.acknowledged().isAfter(lastAck) ? x.acknowledged() : lastAck;
                }
            }
            if (each.size() != files) {
                throw new IllegalStateException(each.size() + " of " + files + " workbooks acknowledged");
            }
            double[] perFile = each.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return new Result(files, w.rows(), seconds(hub.timings.dropsBegun(), lastAck),
                    seconds(hub.timings.dropsBegun(), hub.timings.dropsEnded()), perFile, copy, hub.peakHeapBytes);
        }
    }

    public static void print(Result r, PrintStream out) {
        out.printf(Locale.ROOT, "small files: %d workbooks, %,d rows%n", r.files(), r.rows());
        out.printf(Locale.ROOT, "  hub:  first drop → last acknowledgement %.1f s; per file, pickup → acknowledgement: mean %.3f s, "
                        + "p50 %.3f s, p95 %.3f s, max %.3f s%n", r.wallSeconds(), r.mean(), r.quantile(0.5),
                r.quantile(0.95), r.quantile(1.0));
        out.printf(Locale.ROOT, "  SFTP: uploading them took %.1f s (while the hub took them in)%n", r.uploadSeconds());
        out.printf(Locale.ROOT, "  COPY: %.2f s for the same rows, one COPY per file (%.4f s per file)%n", r.copy().seconds(),
                r.copy().secondsPerFile());
        out.printf(Locale.ROOT, "  peak heap used %,d MB (limit %,d MB)%n", r.peakHeapBytes() >> 20, HeapWatch.limitBytes() >> 20);
    }

    /** Two figures: all the files (target 3 minutes for 1,213, in proportion for another count), and one file. */
    public static List<Figure> figures(Result r) {
        double share = r.files() / (double) Targets.SMALL_FILES;
        double target = Targets.SMALL_FILES_SECONDS * share;
        Figure all = new Figure(Figure.count(r.files()) + " small workbooks (" + Figure.count(r.rows() / r.files())
                + " rows each), first drop → last acknowledgement",
                r.files() == Targets.SMALL_FILES ? "≤ 180 s" : String.format(Locale.ROOT, "≤ %s s (180 s × %d/%d)",
                        Targets.plain(target), r.files(), Targets.SMALL_FILES),
                Figure.seconds(r.wallSeconds()),
                "COPY " + Figure.seconds(r.copy().seconds()) + "; SFTP upload " + Figure.seconds(r.uploadSeconds()),
                Figure.times(r.wallSeconds() / r.copy().seconds()), Figure.met(r.wallSeconds() <= target));
        Figure one = new Figure("hub time per small file, pickup → acknowledgement (mean; p95)", "≤ 0.1 s",
                Figure.seconds(r.mean()) + "; p95 " + Figure.seconds(r.quantile(0.95)),
                "COPY " + Figure.seconds(r.copy().secondsPerFile()) + " per file",
                Figure.times(r.mean() / r.copy().secondsPerFile()), Figure.met(r.mean() <= Targets.SMALL_FILE_SECONDS));
        return List.of(all, one);
    }
}
