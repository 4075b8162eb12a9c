package org.credentialhub.store;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Streams rows into PostgreSQL with {@code COPY ... FROM STDIN} (text format), buffering a few hundred
 * kilobytes at a time: the way every bulk write of the hub reaches the database. A buffering writer
 * ({@link #buffering(Sink)}) encodes the rows the same way but hands each chunk to its caller, so rows
 * can be encoded on other threads than the one that owns the connection.
 */
public final class CopyWriter implements AutoCloseable {
    private static final int FLUSH_AT = 256 * 1024;
    /** Larger chunks for a buffering writer: its reader may start a COPY per chunk. */
    private static final int CHUNK_AT = 1024 * 1024;

    /** Receives the COPY text of a buffering writer, whole rows at a time. */
    @FunctionalInterface
    public interface Sink {
        void write(byte[] copyText) throws SQLException;
    }

    private final CopyIn copyIn;
    private final Sink sink;
    private final int flushAt;
    /**
     * The COPY text, encoded (UTF-8) as it is written: no builder of chars to encode at each flush. A builder took a
     * value outside Latin-1 as a reason to hold every later row in two bytes a char, and its escape scan read each
     * char through {@code String.charAt}, a call per char under the quick JIT (JFR of the NC year).
     */
    private byte[] buffer;
    private int length;
    private boolean firstInRow = true;
    private long rows;

    public CopyWriter(Connection connection, String table, String... columns) throws SQLException {
        this(connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql(table, columns)), null);
    }

    private CopyWriter(CopyIn copyIn, Sink sink) {
        this.copyIn = copyIn;
        this.sink = sink;
        this.flushAt = copyIn != null ? FLUSH_AT : CHUNK_AT;
        this.buffer = new byte[flushAt + 4096];
    }

    /** A writer whose encoded rows go to {@code sink} instead of a connection. */
    public static CopyWriter buffering(Sink sink) {
        return new CopyWriter(null, sink);
    }

    /** The {@code COPY ... FROM STDIN} statement this class's text is meant for. */
    public static String copySql(String table, String... columns) {
        return "COPY " + table + " (" + String.join(", ", columns) + ") FROM STDIN";
    }

    public CopyWriter value(Object value) {
        if (!firstInRow) {
            put((byte) '\t');
        }
        firstInRow = false;
        if (value == null) {
            put((byte) '\\');
            put((byte) 'N');
        } else {
            escape(value.toString().getBytes(StandardCharsets.UTF_8));   // a date, number or boolean: ISO, plain
        }
        return this;
    }

    public void endRow() throws SQLException {
        put((byte) '\n');
        firstInRow = true;
        rows++;
        if (length >= flushAt) {
            flush();
        }
    }

    public long rows() {
        return rows;
    }

    private void put(byte b) {
        if (length == buffer.length) {
            buffer = java.util.Arrays.copyOf(buffer, buffer.length * 2);
        }
        buffer[length++] = b;
    }

    /**
     * A value's UTF-8 bytes, with COPY's text escapes: backslash, tab, newline and carriage return are single bytes in
     * UTF-8 and never part of a longer character's.
     */
    private void escape(byte[] b) {
        int i = 0;
        while (i < b.length && b[i] != '\\' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r') {
            i++;
        }
        if (length + b.length > buffer.length) {
            buffer = java.util.Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + 2 * b.length));
        }
        System.arraycopy(b, 0, buffer, length, i);   // the usual case: all of it, nothing to escape
        length += i;
        for (; i < b.length; i++) {
            switch (b[i]) {
                case '\\' -> { put((byte) '\\'); put((byte) '\\'); }
                case '\t' -> { put((byte) '\\'); put((byte) 't'); }
                case '\n' -> { put((byte) '\\'); put((byte) 'n'); }
                case '\r' -> { put((byte) '\\'); put((byte) 'r'); }
                default -> put(b[i]);
            }
        }
    }

    private void flush() throws SQLException {
        if (length > 0) {
            if (copyIn != null) {
                copyIn.writeToCopy(buffer, 0, length);
            } else {
                sink.write(java.util.Arrays.copyOf(buffer, length));   // the sink may keep it: the buffer is reused
            }
            length = 0;
        }
    }

    /** Finishes the COPY; returns the number of rows the server took (a buffering writer: rows written). */
    public long finish() throws SQLException {
        flush();
        return copyIn != null ? copyIn.endCopy() : rows;
    }

    @Override
    public void close() throws SQLException {
        if (copyIn != null && copyIn.isActive()) {
            copyIn.cancelCopy();
        }
    }
}
