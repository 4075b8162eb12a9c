package org.credentialhub.bench;

import org.credentialhub.cli.IngestCommand;
import org.credentialhub.store.Database;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code ./hub ingest} of a state folder inside a bench (the command's own code, {@link IngestCommand#run}): an
 * empty hub on a fresh database, its peak heap while it ran, the command's timings, and afterwards the same database
 * opened again for the deliveries' times and the baseline.
 */
final class HubRun {
    /** One vendor delivery: when the hub recorded it (pickup), when it acknowledged it, its rows and status. */
    record Delivery(String source, Instant received, Instant acknowledged, long rowsRead, String status) {
        double seconds() {
            return IngestCommand.Timings.seconds(received, acknowledged);
        }
    }

    final IngestCommand.Timings timings;
    final long peakHeapBytes;
    final long afterCollectionBytes;
    /** CPU seconds of the run: this JVM's (the hub, its SFTP server, ingest's uploads) and its PostgreSQL's. */
    final double jvmCpuSeconds;
    final double postgresCpuSeconds;
    private final String url;
    private final Path dataDir;

    private HubRun(IngestCommand.Timings timings, long peakHeapBytes, long afterCollectionBytes, CpuWatch cpu, String url,
                   Path dataDir) {
        this.timings = timings;
        this.peakHeapBytes = peakHeapBytes;
        this.afterCollectionBytes = afterCollectionBytes;
        this.jvmCpuSeconds = cpu.jvmSeconds();
        this.postgresCpuSeconds = cpu.postgresSeconds();
        this.url = url;
        this.dataDir = dataDir;
    }

    static HubRun ingest(Path state, Path dataDir, BenchDb db, Map<String, String> settings, PrintStream log)
            throws Exception {
        String url = db.fresh();
        Map<String, String> all = new HashMap<>(BenchDb.hubSettings(url));
        all.putAll(settings);
        IngestCommand.Run run;
        long peak;
        long after;
        CpuWatch cpu;
        try (HeapWatch heap = HeapWatch.start(); CpuWatch c = new CpuWatch(dataDir)) {
            cpu = c;
            run = IngestCommand.run(state, dataDir, all, log);
            peak = heap.peakBytes();
            after = heap.afterCollectionBytes();
        }
        if (run.exitCode() != 0) {
            throw new IllegalStateException("ingest ended with exit code " + run.exitCode());
        }
        return new HubRun(run.timings(), peak, after, cpu, url, dataDir);
    }

    /** The hub's database again (the hub has stopped): for the deliveries and the baseline's COPY. */
    Database open() throws IOException {
        return BenchDb.open(url, dataDir);
    }

    /** The baseline: the inputs COPYed into the hub's database, opened again. */
    PlainCopy.Copied copy(java.util.List<PlainCopy.Input> inputs) throws Exception {
        try (Database d = open()) {
            return PlainCopy.run(d.dataSource(), inputs, dataDir);
        }
    }

    /** The feed's file deliveries, in the order the hub recorded them. */
    List<Delivery> deliveries(String feed) throws IOException, SQLException {
        List<Delivery> out = new ArrayList<>();
        try (Database db = open(); Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement("""
                select source_name, received_at, acknowledged_at, rows_read, status from delivery
                where feed_code = ? and pickup_ref is not null order by delivery_id""")) {
            ps.setString(1, feed);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    java.sql.Timestamp ack = rs.getTimestamp(3);
                    out.add(new Delivery(rs.getString(1), rs.getTimestamp(2).toInstant(), ack == null ? null : ack.toInstant(),
                            rs.getLong(4), rs.getString(5)));
                }
            }
        }
        return out;
    }
}
