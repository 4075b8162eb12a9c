package org.credentialhub.store;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;

/**
 * Streams rows into PostgreSQL with {@code COPY ... FROM STDIN} (text format), buffering a few hundred
 * kilobytes at a time: the way every bulk write of the hub reaches the database.
 */
public final class CopyWriter implements AutoCloseable {
    private static final int FLUSH_AT = 256 * 1024;

    private final CopyIn copyIn;
    private final StringBuilder buffer = new StringBuilder(FLUSH_AT + 4096);
    private boolean firstInRow = true;
    private long rows;

    public CopyWriter(Connection connection, String table, String... columns) throws SQLException {
        String sql = "COPY " + table + " (" + String.join(", ", columns) + ") FROM STDIN";
        this.copyIn = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
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
        if (buffer.length() >= FLUSH_AT) {
            flush();
        }
    }

    public long rows() {
        return rows;
    }

    private void escape(String s) {
        for (int i = 0; i < s.length(); i++) {
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
            copyIn.writeToCopy(bytes, 0, bytes.length);
            buffer.setLength(0);
        }
    }

    /** Finishes the COPY; returns the number of rows the server took. */
    public long finish() throws SQLException {
        flush();
        return copyIn.endCopy();
    }

    @Override
    public void close() throws SQLException {
        if (copyIn.isActive()) {
            copyIn.cancelCopy();
        }
    }
}
