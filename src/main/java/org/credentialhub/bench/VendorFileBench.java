package org.credentialhub.bench;

import org.credentialhub.generate.BenchStates;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.credentialhub.cli.IngestCommand.Timings.seconds;

/**
 * One large vendor file: a generated state's roster and one certexam CSV of N rows ({@link BenchStates#vendorFile})
 * through {@code ./hub ingest}. Measures the time from the file being whole in the inbox to its acknowledgement
 * (poll, download, fingerprint and archive, staging, matching, exceptions, acknowledgement) and from pickup (the
 * delivery recorded) to acknowledgement, beside a plain COPY of the same file.
 */
public record VendorFileBench(BenchScenario state, long rows, BenchDb db, PrintStream log) {

    public record Result(long rows, long bytes, double inboxToAckSeconds, double pickupToAckSeconds,
                         double uploadSeconds, String status, PlainCopy.Copied copy, long peakHeapBytes)
            implements Measured {
        public double ratio() {
            return inboxToAckSeconds / copy.seconds();
        }
    }

    public Result run() throws Exception {
        try (BenchFolder tmp = BenchFolder.create("vendor-file")) {
            Path state = tmp.resolve("state");
            log.printf(Locale.ROOT, "bench vendor-file: one certexam file of %,d rows, roster of %s%n", rows,
                    this.state.describe());
            BenchStates.Written w = BenchStates.vendorFile(this.state.generator(), state, rows,
                    line -> log.println("generate: " + line));
            BenchFolder.onDisk(state);
            // the file may be larger than the per-file quota (hub.sftp.quota.max-file-mb, 256)
            long mb = (w.bytes() >> 20) + 1;
            HubRun hub = HubRun.ingest(state, tmp.resolve("hub"), db,
                    Map.of("hub.sftp.quota.max-file-mb", String.valueOf(Math.max(256, mb))), log);
            List<PlainCopy.Input> inputs = new StateInputs(tmp.resolve("text")).feed(state, "sftp/certexam");
            List<HubRun.Delivery> deliveries = hub.deliveries("certexam");
            PlainCopy.Copied copy = hub.copy(inputs);
            if (deliveries.size() != 1 || deliveries.get(0).acknowledged() == null) {
                throw new IllegalStateException("the file was not acknowledged as one delivery");
            }
            HubRun.Delivery d = deliveries.get(0);
            return new Result(w.rows(), w.bytes(), seconds(hub.timings.dropsEnded(), d.acknowledged()), d.seconds(),
                    seconds(hub.timings.dropsBegun(), hub.timings.dropsEnded()), d.status(), copy, hub.peakHeapBytes);
        }
    }

    public static void print(Result r, PrintStream out) {
        out.printf(Locale.ROOT, "vendor file: one certexam CSV, %,d rows, %,d MB: %s%n", r.rows(), r.bytes() >> 20, r.status());
        out.printf(Locale.ROOT, "  hub:  whole in the inbox → acknowledged %.1f s (%,.0f rows/s); pickup → acknowledged %.1f s%n",
                r.inboxToAckSeconds(), r.rows() / r.inboxToAckSeconds(), r.pickupToAckSeconds());
        out.printf(Locale.ROOT, "  SFTP: upload %.1f s%n", r.uploadSeconds());
        out.printf(Locale.ROOT, "  COPY: %.1f s (%,.0f rows/s); ratio %.1f; peak heap used %,d MB (limit %,d MB)%n",
                r.copy().seconds(), r.copy().rowsPerSecond(), r.ratio(), r.peakHeapBytes() >> 20, HeapWatch.limitBytes() >> 20);
    }

    /** Target 30 s for a million rows, in proportion for another size. */
    public static Figure figure(Result r) {
        double share = r.rows() / (double) Targets.VENDOR_FILE_ROWS;
        double target = Targets.VENDOR_FILE_SECONDS * share;
        return new Figure("one " + Figure.count(r.rows()) + "-row vendor file (" + Figure.megabytes(r.bytes())
                + "), in inbox → acknowledged",
                Targets.seconds(Targets.VENDOR_FILE_SECONDS, share),
                Figure.seconds(r.inboxToAckSeconds()) + " (pickup → ack " + Figure.seconds(r.pickupToAckSeconds()) + ")",
                "COPY " + Figure.seconds(r.copy().seconds()),
                Figure.times(r.ratio()), Figure.met(r.inboxToAckSeconds() <= target));
    }
}
