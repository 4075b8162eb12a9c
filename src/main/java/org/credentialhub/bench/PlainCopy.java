package org.credentialhub.bench;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The baseline every figure is set beside: the same input rows put into the same PostgreSQL with nothing but COPY.
 * Each input file's bytes are streamed as they are to {@code COPY bench_copy.<table> (line) FROM STDIN} - a plain
 * table per kind of file, one text column, no key, no index - in the file's encoding, one COPY (and transaction) per
 * file; the server splits the lines (CSV mode with separator and quote characters that never occur, so a line is one
 * value whatever it holds). Workbooks and JSON pages are turned into lines of text before the clock starts
 * ({@link StateInputs}). The tables are made before and dropped after the timed part.
 */
public final class PlainCopy {
    public static final String SCHEMA = "bench_copy";

    /** One input file and the table its lines go to; {@code encoding} is PostgreSQL's name (UTF8, WIN1252). */
    public record Input(String table, Path file, String encoding) { }

    /** What was copied and how long it took. */
    public record Copied(long rows, long bytes, int files, double seconds, double cpuSeconds, Map<String, Long> rowsByTable) {
        public double rowsPerSecond() {
            return rows / seconds;
        }

        public double secondsPerFile() {
            return files == 0 ? Double.NaN : seconds / files;
        }
    }

    private PlainCopy() {
    }

    /**
     * Copies the inputs; {@code serverDir}: the folder of the database's embedded server, whose CPU is counted with
     * this JVM's (null or another folder: this JVM's only).
     */
    public static Copied run(DataSource ds, List<Input> inputs, Path serverDir) throws SQLException, IOException {
        Set<String> tables = new LinkedHashSet<>();
        inputs.forEach(i -> tables.add(i.table()));
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("drop schema if exists " + SCHEMA + " cascade");
            st.execute("create schema " + SCHEMA);
            for (String t : tables) {
                st.execute("create table " + SCHEMA + "." + t + " (line text)");
            }
        }
        Map<String, Long> rows = new TreeMap<>();
        long bytes = 0;
        long total = 0;
        long t0;
        long t1;
        double cpu;
        try (Connection c = ds.getConnection(); CpuWatch watch = new CpuWatch(serverDir != null ? serverDir : Path.of("/nonexistent"))) {
            c.setAutoCommit(true);
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            t0 = System.nanoTime();
            for (Input in : inputs) {
                try (InputStream s = Files.newInputStream(in.file())) {
                    long n = copy.copyIn("COPY " + SCHEMA + "." + in.table() + " (line) FROM STDIN WITH (FORMAT csv, "
                            + "DELIMITER E'\\x1f', QUOTE E'\\x1e', ENCODING '" + in.encoding() + "')", s, 1 << 16);
                    rows.merge(in.table(), n, Long::sum);
                    total += n;
                }
                bytes += Files.size(in.file());
            }
            t1 = System.nanoTime();
            watch.close();
            cpu = watch.seconds();
        }
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("drop schema " + SCHEMA + " cascade");
        }
        return new Copied(total, bytes, inputs.size(), (t1 - t0) / 1e9, cpu, rows);
    }

    /** A table name from a file or feed name: lower case letters, digits and underscores. */
    static String tableName(String name) {
        String t = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return Character.isDigit(t.charAt(0)) ? "t_" + t : t;
    }
}
