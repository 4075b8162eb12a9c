package org.credentialhub.bench;

import org.credentialhub.matching.MatchingBenchmark;
import org.credentialhub.support.Reference;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Matching speed: {@code ./hub bench matching} itself ({@link MatchingBenchmark}: a synthetic roster and noisy results,
 * the matcher's {@code matchBatch} timed alone), its {@code key=value} lines read back. No database is involved;
 * its baseline is the COPY rate of the same bench run's ingest inputs, when there is one.
 */
public record MatchingFigures(int roster, int results, long seed, PrintStream log) {

    public record Result(int roster, int results, double rowsPerSecond, double matchSeconds, double matchCpuSeconds,
                         double indexSeconds, double fitSeconds, double precision, double recall, long peakHeapBytes)
            implements Measured {
        /** Results per CPU-second of matching (this JVM's; what a machine shared with other work still measures). */
        public double rowsPerCpuSecond() {
            return results / matchCpuSeconds;
        }
    }

    private static final Pattern KEY_VALUE = Pattern.compile("(\\w+)=([0-9.]+)");

    public Result run() throws Exception {
        log.printf(Locale.ROOT, "bench matching --roster-size %d --results %d --seed %d%n", roster, results, seed);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        OutputStream both = new OutputStream() {
            @Override
            public void write(int b) {
                buf.write(b);
                log.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                buf.write(b, off, len);
                log.write(b, off, len);
            }
        };
        long peak;
        try (HeapWatch heap = HeapWatch.start(); PrintStream out = new PrintStream(both, true, StandardCharsets.UTF_8)) {
            new MatchingBenchmark(roster, results, seed, Reference.path("names/people.csv")).run(out);
            peak = heap.peakBytes();
        }
        Map<String, Double> v = new HashMap<>();
        Matcher m = KEY_VALUE.matcher(buf.toString(StandardCharsets.UTF_8));
        while (m.find()) {
            v.putIfAbsent(m.group(1), Double.parseDouble(m.group(2)));
        }
        if (!v.containsKey("rows_per_s")) {
            throw new IllegalStateException("bench matching printed no rows_per_s");
        }
        return new Result(roster, results, v.get("rows_per_s"), v.getOrDefault("match_s", Double.NaN),
                v.getOrDefault("match_cpu_s", Double.NaN), v.getOrDefault("index_build_s", Double.NaN), v.getOrDefault("model_fit_s", Double.NaN),
                v.getOrDefault("precision", Double.NaN), v.getOrDefault("recall", Double.NaN), peak);
    }

    public static void print(Result r, PrintStream out) {
        out.printf(Locale.ROOT, "matching: %,d results against %,d students: %,.0f results/s (%.1f s; CPU %.1f s, %,.0f results "
                        + "per CPU-second; index built in %.1f s, model fitted in %.1f s); precision %.4f, recall %.4f; "
                        + "peak heap used %,d MB (limit %,d MB)%n",
                r.results(), r.roster(), r.rowsPerSecond(), r.matchSeconds(), r.matchCpuSeconds(), r.rowsPerCpuSecond(),
                r.indexSeconds(), r.fitSeconds(),
                r.precision(), r.recall(), r.peakHeapBytes() >> 20, HeapWatch.limitBytes() >> 20);
    }

    /** Target 200,000 results/s (against 1.5M students); baseline: the COPY rate, rows/s, when one was measured. */
    public static Figure figure(Result r, double copyRowsPerSecond) {
        boolean copy = copyRowsPerSecond > 0;
        return new Figure("matching " + Figure.count(r.results()) + " results against " + Figure.count(r.roster())
                + " students", "≥ 200,000/s", Figure.rate(r.rowsPerSecond()) + " (" + Figure.rate(r.rowsPerCpuSecond())
                        .replace("/s", " per CPU-s") + ")",
                copy ? "COPY " + Figure.rate(copyRowsPerSecond) + " (ingest inputs)" : "-",
                copy ? Figure.times(copyRowsPerSecond / r.rowsPerSecond()) : "-",
                Figure.met(r.rowsPerSecond() >= Targets.MATCHING_PER_SECOND));
    }
}
