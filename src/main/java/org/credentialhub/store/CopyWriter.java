package org.credentialhub.store;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;

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
    private final StringBuilder buffer;
    private boolean firstInRow = true;
    private long rows;

    public CopyWriter(Connection connection, String table, String... columns) throws SQLException {
        this(connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql(table, columns)), null);
    }

    private CopyWriter(CopyIn copyIn, Sink sink) {
        this.copyIn = copyIn;
        this.sink = sink;
        this.flushAt = copyIn != null ? FLUSH_AT : CHUNK_AT;
        this.buffer = new StringBuilder(flushAt + 4096);
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
            buffer.append('\t');
        }
        firstInRow = false;
        if (value == null) {
            buffer.append("\\N");
        } else if (value instanceof LocalDate || value instanceof Number || value instanceof Boolean) {
            buffer.append(value);
        } else {
            escape(value.toString());
        }
        return this;
    }

    public void endRow() throws SQLException {
        buffer.append('\n');
        firstInRow = true;
        rows++;
        if (buffer.length() >= flushAt) {
            flush();
        }
    }

    public long rows() {
        return rows;
    }

    private void escape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
                buffer.append(s, 0, i);
                escapeFrom(s, i);
                return;
            }
        }
        buffer.append(s);   // the usual case: nothing to escape
    }

    private void escapeFrom(String s, int start) {
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> buffer.append("\\\\");
                case '\t' -> buffer.append("\\t");
                case '\n' -> buffer.append("\\n");
                case '\r' -> buffer.append("\\r");
                default -> buffer.append(c);
            }
        }
    }

    private void flush() throws SQLException {
        if (buffer.length() > 0) {
            byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
            if (copyIn != null) {
                copyIn.writeToCopy(bytes, 0, bytes.length);
            } else {
                sink.write(bytes);
            }
            buffer.setLength(0);
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
