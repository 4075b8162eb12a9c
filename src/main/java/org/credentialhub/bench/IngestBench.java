package org.credentialhub.bench;

import org.credentialhub.cli.IngestCommand;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import static org.credentialhub.cli.IngestCommand.Timings.seconds;

/**
 * A generated state, end to end: {@code ./hub generate --scenario S --seed N --scale F} into a temporary folder, then
 * {@code ./hub ingest} of it into an empty hub (the command's own code, {@link HubRun}), timed from the command's
 * start to its summary (hub start, SIS bundle, vendor files over SFTP, API pulls, district entries, re-matching, the
 * reporting load); then the baseline, a plain COPY of the same input rows into the same PostgreSQL.
 */
public final class IngestBench {

    /** What one run measured. {@code hubSeconds}: ingest's start to its summary ("ingest took"). */
    public record Result(BigDecimal scale, long inputRows, double hubSeconds, IngestCommand.Timings timings,
                         double jvmCpuSeconds, double postgresCpuSeconds, PlainCopy.Copied copy, long peakHeapBytes,
                         long afterCollectionBytes) implements Measured {
        /** CPU seconds of the whole run (hub start to stop), this JVM's and PostgreSQL's. */
        public double cpuSeconds() {
            return jvmCpuSeconds + postgresCpuSeconds;
        }

        public double ratio() {
            return hubSeconds / copy.seconds();
        }

        public double rowsPerSecond() {
            return inputRows / hubSeconds;
        }
    }

    private final BenchScenario state;
    private final BenchDb db;
    private final PrintStream log;
    private StateTrim trim = state -> { };

    /** Changes a generated state before it is ingested (tests keep a few of its files: the suite's time). */
    interface StateTrim {
        void apply(Path state) throws java.io.IOException;
    }

    IngestBench trim(StateTrim t) {
        this.trim = t;
        return this;
    }

    public IngestBench(BenchScenario state, BenchDb db, PrintStream log) {
        this.state = state;
        this.db = db;
        this.log = log;
    }

    public Result run() throws Exception {
        try (BenchFolder tmp = BenchFolder.create("ingest")) {
            Path state = tmp.resolve("state");
            log.printf(Locale.ROOT, "bench ingest: generate --scenario %s --seed %d --scale %s%n", this.state.scenario(),
                    this.state.seed(), Figure.scale(this.state.scale()));
            this.state.generator().generate(state, line -> log.println("generate: " + line));
            trim.apply(state);
            BenchFolder.onDisk(state);
            HubRun hub = HubRun.ingest(state, tmp.resolve("hub"), db, Map.of(), log);
            PlainCopy.Copied copy = hub.copy(new StateInputs(tmp.resolve("text")).all(state));
            IngestCommand.Timings t = hub.timings;
            return new Result(this.state.scale(), copy.rows(), seconds(t.begun(), t.reported()), t, hub.jvmCpuSeconds,
                    hub.postgresCpuSeconds, copy, hub.peakHeapBytes, hub.afterCollectionBytes);
        }
    }

    /** The run's figures, line by line (rows, hub seconds and phases, COPY seconds, ratio, peak heap, rows/s). */
    public static void print(Result r, PrintStream out) {
        IngestCommand.Timings t = r.timings();
        out.printf(Locale.ROOT, "ingest, scale %s: %,d input rows (%s)%n", Figure.scale(r.scale()), r.inputRows(),
                r.copy().rowsByTable());
        out.printf(Locale.ROOT, "  hub:  %.1f s end to end (%,.0f rows/s): hub started %.1f s, SIS bundle processed %.1f s, "
                        + "vendor files dropped %.1f-%.1f s, acknowledged %.1f s, every delivery processed %.1f s, "
                        + "re-match and reporting load done %.1f s (then %.1f s to stop the hub)%n",
                r.hubSeconds(), r.rowsPerSecond(), seconds(t.begun(), t.hubStarted()), seconds(t.begun(), t.sisProcessed()),
                seconds(t.begun(), t.dropsBegun()), seconds(t.begun(), t.dropsEnded()),
                seconds(t.begun(), t.filesAcknowledged()), seconds(t.begun(), t.allProcessed()),
                seconds(t.begun(), t.reported()), seconds(t.reported(), t.ended()));
        out.printf(Locale.ROOT, "        CPU %.0f s (this JVM %.0f s, PostgreSQL %.0f s, hub start to stop)%n", r.cpuSeconds(),
                r.jvmCpuSeconds(), r.postgresCpuSeconds());
        out.printf(Locale.ROOT, "  COPY: %.1f s (%,.0f rows/s, %d files, %,d MB) into the same PostgreSQL; CPU %.1f s%n",
                r.copy().seconds(), r.copy().rowsPerSecond(), r.copy().files(), r.copy().bytes() >> 20, r.copy().cpuSeconds());
        out.printf(Locale.ROOT, "  ratio hub / COPY: %.1f (CPU %.1f); peak heap used %,d MB, at most %,d MB after a "
                        + "collection (limit %,d MB)%n", r.ratio(), r.cpuSeconds() / r.copy().cpuSeconds(),
                r.peakHeapBytes() >> 20, r.afterCollectionBytes() >> 20, HeapWatch.limitBytes() >> 20);
    }

    /** The NC-year figure: at scale F the time target is F × 30 s; the ratio target 15× holds at every scale. */
    public static Figure figure(Result r) {
        double scale = r.scale().doubleValue();
        double target = 30 * scale;
        return new Figure("NC year end to end (ingest, scale " + Figure.scale(r.scale()) + ", "
                + Figure.count(r.inputRows()) + " input rows)",
                Targets.seconds(30, scale) + " and ≤ 15× COPY",
                Figure.seconds(r.hubSeconds()) + " (" + Figure.rate(r.rowsPerSecond()) + "; CPU "
                        + Figure.seconds(r.cpuSeconds()) + ")",
                "COPY " + Figure.seconds(r.copy().seconds()) + " (CPU " + Figure.seconds(r.copy().cpuSeconds()) + ")",
                Figure.times(r.ratio()), Figure.met(r.hubSeconds() <= target && r.ratio() <= 15));
    }

    /** Seconds from the hub running to the summary: ingest's time less the hub's start (a fixed cost). */
    static double running(Result r) {
        return seconds(r.timings().hubStarted(), r.timings().reported());
    }

    /**
     * Whether time grows no faster than the rows: the larger run's time per input row against the smaller's (≤ 1.0:
     * no faster), at the same heap limit (its peak heap ≤ 1 GB). The time is the hub's once it runs (the start of the
     * hub, the same at any size, left out); the smaller run, the first hub in the JVM, also warms the JIT.
     */
    public static Figure growth(Result small, Result large) {
        double perRow = (running(large) / large.inputRows()) / (running(small) / small.inputRows());
        double copyPerRow = (large.copy().seconds() / large.inputRows()) / (small.copy().seconds() / small.inputRows());
        return new Figure("scale " + Figure.scale(small.scale()) + " → " + Figure.scale(large.scale())
                + ": hub time per input row (" + Figure.count(small.inputRows()) + " → " + Figure.count(large.inputRows())
                + " rows; hub start left out)",
                "×≤ 1.0, heap ≤ 1,024 MB",
                String.format(Locale.ROOT, "×%.2f (%s → %s), heap %s", perRow, Figure.seconds(running(small)),
                        Figure.seconds(running(large)), Figure.megabytes(large.peakHeapBytes())),
                String.format(Locale.ROOT, "COPY ×%.2f (%s → %s)", copyPerRow, Figure.seconds(small.copy().seconds()),
                        Figure.seconds(large.copy().seconds())),
                Figure.times(running(large) / large.copy().seconds()),
                Figure.met(perRow <= 1.0 && Targets.heapMet(large.peakHeapBytes())));
    }
}
