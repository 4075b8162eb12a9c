package org.credentialhub.store;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Streams rows into PostgreSQL with {@code COPY ... FROM STDIN} (text format), buffering a few hundred
 * kilobytes at a time: the way every bulk write of the hub reaches the database. A binary writer
 * ({@link #binary(Sink, String...)}) encodes the rows in COPY's binary format instead, for columns of known types,
 * and hands each chunk to its caller, so rows can be encoded on other threads than the one that owns the connection
 * (a OneRoster bundle's staging): the server then parses no text (6,000,000 staged enrollments: 8.8 s of the
 * server's time instead of 13.1-14.3 s, docs/performance.md, session 36).
 *
 * <p>Values: {@link Integer}, {@link Long}, {@link Boolean}, {@link String} (any other object: its {@code toString}),
 * {@link java.time.LocalDate}, {@link java.time.Instant} (a {@code timestamptz}, to the microsecond) and
 * {@code String[]} (a {@code text[]}); null is SQL's null.
 */
public final class CopyWriter implements AutoCloseable {
    private static final int FLUSH_AT = 256 * 1024;
    /**
     * Larger chunks for a binary writer (its reader may start a COPY per chunk), but each an array of less than half a
     * megabyte: G1 puts an array of half a region or more (its regions are 1 MB at a heap of 1 GB) in regions of its own
     * as a "humongous" object, and each such allocation may start a collection (1 MB chunks: 148 of the 227 collections
     * of a OneRoster first load, docs/performance.md, session 42).
     */
    private static final int CHUNK_AT = 240 * 1024;

    /** Receives the COPY data of a binary writer, whole rows at a time. */
    @FunctionalInterface
    public interface Sink {
        void write(byte[] copyText) throws SQLException;
    }

    /**
     * What starts the data of a binary COPY: the signature, no flags, no header extension ({@link #binary}); written
     * once per COPY by whoever runs it, before the writer's chunks.
     */
    public static final byte[] BINARY_HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0,
            0, 0, 0, 0, 0, 0, 0, 0};
    /** What ends the data of a binary COPY, after the writer's chunks. */
    public static final byte[] BINARY_TRAILER = {(byte) 0xFF, (byte) 0xFF};
    /** Seconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch for dates and timestamps. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;
    private static final long PG_EPOCH_DAYS = 10_957L;
    private static final int TEXT_OID = 25;

    /** The column types a binary writer encodes (PostgreSQL's binary send format of each). */
    private enum Type { INT, BIGINT, BOOLEAN, TEXT, DATE, TIMESTAMPTZ, TEXT_ARRAY }

    private final CopyIn copyIn;
    private final Sink sink;
    private final int flushAt;
    /** A binary writer's column types, or null (text). */
    private final Type[] types;
    /** A binary writer's next column in the row. */
    private int column;
    /**
     * The COPY text, encoded (UTF-8) as it is written: no builder of chars to encode at each flush. A builder took a
     * value outside Latin-1 as a reason to hold every later row in two bytes a char, and its escape scan read each
     * char through {@code String.charAt}, a call per char under the quick JIT (JFR of the NC year).
     */
    private byte[] buffer;
    private int length;
    /**
     * A binary writer's last text of each column and its encoding: a value given again as the same string (a reader's
     * repeated value: a status, a school) is not encoded again.
     */
    private final String[] lastText;
    private final byte[][] lastEncoded;
    private boolean firstInRow = true;
    private long rows;

    public CopyWriter(Connection connection, String table, String... columns) throws SQLException {
        this(connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql(table, columns)), null, null);
    }

    private CopyWriter(CopyIn copyIn, Sink sink, Type[] types) {
        this.copyIn = copyIn;
        this.sink = sink;
        this.types = types;
        this.flushAt = copyIn != null ? FLUSH_AT : CHUNK_AT;
        this.buffer = new byte[flushAt + 4096];
        this.lastText = types == null ? null : new String[types.length];
        this.lastEncoded = types == null ? null : new byte[types.length][];
    }

    /**
     * A writer of COPY's binary format whose encoded rows (whole rows, about 1 MB at a time) go to {@code sink}, for
     * {@link #copyBinarySql}, between {@link #BINARY_HEADER} and {@link #BINARY_TRAILER}.
     *
     * @param sqlTypes each column's type: {@code int}, {@code bigint}, {@code boolean}, {@code text}, {@code date},
     *                 {@code timestamptz} or {@code text[]}
     */
    public static CopyWriter binary(Sink sink, String... sqlTypes) {
        Type[] types = new Type[sqlTypes.length];
        for (int i = 0; i < sqlTypes.length; i++) {
            types[i] = switch (sqlTypes[i]) {
                case "int", "integer" -> Type.INT;
                case "bigint" -> Type.BIGINT;
                case "boolean" -> Type.BOOLEAN;
                case "text" -> Type.TEXT;
                case "date" -> Type.DATE;
                case "timestamptz" -> Type.TIMESTAMPTZ;
                case "text[]" -> Type.TEXT_ARRAY;
                default -> throw new IllegalArgumentException("no binary COPY for the type " + sqlTypes[i]);
            };
        }
        return new CopyWriter(null, sink, types);
    }

    /** The {@code COPY ... FROM STDIN} statement this class's text is meant for. */
    public static String copySql(String table, String... columns) {
        return "COPY " + table + " (" + String.join(", ", columns) + ") FROM STDIN";
    }

    /** The {@code COPY ... FROM STDIN} statement of a binary writer's rows ({@link #binary}). */
    public static String copyBinarySql(String table, String... columns) {
        return copySql(table, columns) + " WITH (FORMAT binary)";
    }

    public CopyWriter value(Object value) {
        if (types != null) {
            binaryValue(value);
            return this;
        }
        if (!firstInRow) {
            put((byte) '\t');
        }
        firstInRow = false;
        if (value == null) {
            put((byte) '\\');
            put((byte) 'N');
        } else if (value instanceof String[] elements) {
            escape(arrayLiteral(elements).getBytes(StandardCharsets.UTF_8));
        } else {
            // a date, number, boolean or instant: ISO, plain (an instant as 2024-08-01T00:00:00Z)
            escape(value.toString().getBytes(StandardCharsets.UTF_8));
        }
        return this;
    }

    /** A PostgreSQL {@code text[]} literal: each element in double quotes, its quotes and backslashes escaped. */
    private static String arrayLiteral(String[] elements) {
        StringBuilder sb = new StringBuilder("{");
        for (int e = 0; e < elements.length; e++) {
            if (e > 0) {
                sb.append(',');
            }
            sb.append('"');
            String s = elements[e];
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch == '"' || ch == '\\') {
                    sb.append('\\');
                }
                sb.append(ch);
            }
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    /** A value in the binary format of its column's type: its length (-1: null), then its bytes. */
    private void binaryValue(Object value) {
        if (firstInRow) {
            putShort(types.length);
            column = 0;
            firstInRow = false;
        }
        if (column == types.length) {
            throw new IllegalStateException("more values than the " + types.length + " columns of a row");
        }
        Type type = types[column++];
        if (value == null) {
            putInt(-1);
            return;
        }
        switch (type) {
            case INT -> {
                putInt(4);
                putInt(((Number) value).intValue());
            }
            case BIGINT -> {
                putInt(8);
                putLong(((Number) value).longValue());
            }
            case BOOLEAN -> {
                putInt(1);
                put((byte) ((Boolean) value ? 1 : 0));
            }
            case TEXT -> {
                String s = value.toString();
                int c = column - 1;
                byte[] b;
                if (s == lastText[c]) {
                    b = lastEncoded[c];
                } else {
                    b = s.getBytes(StandardCharsets.UTF_8);
                    lastText[c] = s;
                    lastEncoded[c] = b;
                }
                putInt(b.length);
                putBytes(b);
            }
            case DATE -> {
                putInt(4);
                putInt(Math.toIntExact(((java.time.LocalDate) value).toEpochDay() - PG_EPOCH_DAYS));
            }
            case TIMESTAMPTZ -> {
                java.time.Instant t = (java.time.Instant) value;
                putInt(8);
                putLong(Math.addExact(Math.multiplyExact(t.getEpochSecond() - PG_EPOCH_SECONDS, 1_000_000L),
                        t.getNano() / 1000));
            }
            case TEXT_ARRAY -> {
                String[] elements = (String[]) value;
                byte[][] bytes = new byte[elements.length][];
                int size = elements.length == 0 ? 12 : 20;   // dimensions, flags, element type (and one dimension's size, lower bound)
                for (int i = 0; i < elements.length; i++) {
                    bytes[i] = elements[i].getBytes(StandardCharsets.UTF_8);
                    size += 4 + bytes[i].length;
                }
                putInt(size);
                putInt(elements.length == 0 ? 0 : 1);
                putInt(0);   // no null element
                putInt(TEXT_OID);
                if (elements.length > 0) {
                    putInt(elements.length);
                    putInt(1);
                    for (byte[] b : bytes) {
                        putInt(b.length);
                        putBytes(b);
                    }
                }
            }
            default -> throw new IllegalStateException(type.name());
        }
    }

    private void putShort(int v) {
        put((byte) (v >>> 8));
        put((byte) v);
    }

    private void putInt(int v) {
        ensure(4);
        buffer[length++] = (byte) (v >>> 24);
        buffer[length++] = (byte) (v >>> 16);
        buffer[length++] = (byte) (v >>> 8);
        buffer[length++] = (byte) v;
    }

    private void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }

    private void putBytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buffer, length, b.length);
        length += b.length;
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = java.util.Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }

    public void endRow() throws SQLException {
        if (types != null) {
            if (firstInRow || column != types.length) {
                throw new IllegalStateException("a row of " + (firstInRow ? 0 : column) + " values for "
                        + types.length + " columns");
            }
        } else {
            put((byte) '\n');
        }
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

    /** Finishes the COPY; returns the number of rows the server took (a binary writer: rows written). */
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
