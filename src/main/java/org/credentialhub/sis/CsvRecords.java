package org.credentialhub.sis;

import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;

/**
 * A OneRoster file's records as Commons CSV reads them ({@link CsvFiles#CSV}: RFC 4180, empty lines skipped, numbered as
 * the parser numbers them), with what {@link StrictQuotes} says of each: its line's hash, its first stray quote, whether
 * it may hold a character no column can store.
 *
 * <p>A file's bytes are read as they are while they are plain: fields unquoted, or quoted and closed right before a
 * comma, a line end or the end of the text; line ends LF or CRLF; UTF-8 that decodes. From the first record that is not
 * (a stray quote, a lone carriage return, text after a closing quote, the text ending inside quotes, bytes that are not
 * UTF-8, a byte-order mark at the file's start before a quote or a line end) to the end, the file is read as it always was, by the strict decoder,
 * {@link StrictQuotes} and Commons CSV, which name what is wrong: the same records, values, hashes and errors as that
 * reading of the whole file, without decoding, watching and lexing each character of the plain part in three layers (most
 * of a OneRoster first load's staging CPU: docs/performance.md, session 41).
 */
final class CsvRecords implements Closeable {
    private static final int NEED_MORE = -2;
    private static final int ANOMALY = -1;
    private static final int END = 0;
    private static final int RECORD = 1;

    private final boolean hashing;
    /** The bytes still to read (null once the reader has them, or for a reader's text). */
    private InputStream in;
    private byte[] buf;
    private int pos;
    private int limit;
    private boolean eof;
    /** Records read so far (the last one's number). */
    private long count;

    /** The current record's fields (the first {@code size}), its hash (null when not hashed) and marks. */
    private String[] values = new String[32];
    private int size;
    private Long lineHash;
    private int strayQuote = -1;
    private boolean mayBeUnstorable;

    /** Field bounds in {@code buf} while a record is read: from, to, and whether it has "" or bytes of more than one. */
    private int[] from = new int[32];
    private int[] to = new int[32];
    private byte[] kind = new byte[32];
    private static final byte PLAIN = 0;
    private static final byte ESCAPED = 1;
    private static final byte WIDE = 2;

    private CharsetDecoder decoder;
    /** The rest of the file, read as it always was, once a record was not plain. */
    private Slow slow;

    private CsvRecords(InputStream in, Reader text, boolean hashing, int bufferSize) {
        this.hashing = hashing;
        if (text != null) {
            slow = new Slow(text, hashing, 0, true);
        } else {
            this.in = in;
            this.buf = new byte[Math.max(16, bufferSize)];
        }
    }

    /** A file's bytes, read as plain bytes where they can be ({@code hashing}: each record's line hash). */
    static CsvRecords of(InputStream bytes, boolean hashing) {
        return new CsvRecords(bytes, null, hashing, 1 << 20);
    }

    /** @param bufferSize bytes read at a time (tests: small, to cross every boundary) */
    static CsvRecords of(InputStream bytes, boolean hashing, int bufferSize) {
        return new CsvRecords(bytes, null, hashing, bufferSize);
    }

    /** Text already decoded, read as it always was. */
    static CsvRecords of(Reader text, boolean hashing) {
        return new CsvRecords(null, text, hashing, 0);
    }

    /**
     * Reads the next record; false at the end.
     *
     * @throws UncheckedIOException as Commons CSV's iterator: the text cannot be read from the next record on
     *                              (malformed CSV; its cause a {@link CharacterCodingException} for bytes not UTF-8)
     */
    boolean next() {
        try {
            if (slow == null) {
                int r;
                while ((r = record()) == NEED_MORE) {
                    fill();
                }
                if (r == RECORD) {
                    return true;
                }
                if (r == END) {
                    return false;
                }
                handOver();
            }
            return slow.next(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The current record's number (a {@link CSVRecord#getRecordNumber()}). */
    long number() {
        return count;
    }

    /** The number of the last record read (a {@link CSVParser#getRecordNumber()}): the current one's. */
    long lastNumber() {
        return slow == null ? count : slow.offset + slow.parser.getRecordNumber();
    }

    int size() {
        return size;
    }

    /** A field of the current record (made when first asked for: a file's fields the hub does not read are not). */
    String get(int i) {
        String v = values[i];
        if (v == null) {
            v = new String(buf, from[i], to[i] - from[i], StandardCharsets.ISO_8859_1);
            values[i] = v;
        }
        return v;
    }

    /** A field without the blanks and control characters around it ({@link String#trim}). */
    String trimmed(int i) {
        if (values[i] != null) {
            return values[i].trim();
        }
        int f = trimmedFrom(i);
        return new String(buf, f, trimmedTo(i, f) - f, StandardCharsets.ISO_8859_1);
    }

    /**
     * The bytes of a plain field without the blanks and control characters around them (those of {@link #trimmed}, whose
     * text they are in ASCII), or null for a field that is not plain (its text made as it was read, or read the parser's
     * way: every field has its text then): a value's bytes to compare a later field's with ({@link #trimmedEquals}).
     */
    byte[] trimmedBytes(int i) {
        if (values[i] != null) {
            return null;
        }
        int f = trimmedFrom(i);
        return Arrays.copyOfRange(buf, f, trimmedTo(i, f));
    }

    /**
     * Whether a field is plain and, trimmed, is the bytes {@code b} ({@link #trimmedBytes} of an earlier field): its
     * {@link #trimmed} text is then theirs, and is not made.
     */
    boolean trimmedEquals(int i, byte[] b) {
        if (values[i] != null) {
            return false;
        }
        int f = trimmedFrom(i);
        int t = trimmedTo(i, f);
        return t - f == b.length && Arrays.equals(buf, f, t, b, 0, b.length);
    }

    /** Where a plain field's bytes begin without the blanks and control characters before them. */
    private int trimmedFrom(int i) {
        int f = from[i];
        while (f < to[i] && (buf[f] & 0xFF) <= ' ') {
            f++;
        }
        return f;
    }

    /** Where a plain field's bytes end without the blanks and control characters after them ({@code f}: its start). */
    private int trimmedTo(int i, int f) {
        int t = to[i];
        while (t > f && (buf[t - 1] & 0xFF) <= ' ') {
            t--;
        }
        return t;
    }

    /** The current record's fields, a copy. */
    String[] values() {
        String[] out = new String[size];
        for (int i = 0; i < size; i++) {
            out[i] = get(i);
        }
        return out;
    }

    /** The current record's line hash ({@link LineSets#hash}), or null when not hashed or not known. */
    Long lineHash() {
        return lineHash;
    }

    /** The current record's first field holding a stray double quote (0-based), or -1. */
    int strayQuote() {
        return strayQuote;
    }

    /**
     * Whether the current record may hold a character no text column can store (a NUL, or a lone surrogate, which
     * strict decoding never gives): a plain record holding a NUL byte, and any record read the parser's way.
     */
    boolean mayBeUnstorable() {
        return mayBeUnstorable;
    }

    @Override
    public void close() throws IOException {
        if (slow != null) {
            slow.close();
        }
        if (in != null) {
            in.close();
        }
    }

    /** Keeps the bytes from {@code pos} (moved to the buffer's start) and reads more after them. */
    private void fill() throws IOException {
        int keep = limit - pos;
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, keep);
        } else if (keep == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);   // a record longer than the buffer
        }
        limit = keep;
        pos = 0;
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
    }

    /** From the record at {@code pos} on, the file is read by the strict decoder, StrictQuotes and Commons CSV. */
    private void handOver() {
        InputStream rest = new SequenceInputStream(new ByteArrayInputStream(buf, pos, limit - pos), in);
        slow = new Slow(CsvFiles.reader(rest), hashing, count, count == 0);
        in = null;
        buf = null;
    }

    /**
     * Reads a plain record from {@code pos}: RECORD (pos after it), END, ANOMALY (pos at the record's start, or at the
     * line end before it), or NEED_MORE (pos unchanged but past empty lines: more bytes first).
     */
    private int record() {
        byte[] b = buf;
        int p = pos;
        // empty lines: not records
        while (true) {
            if (p >= limit) {
                pos = p;
                return eof ? END : NEED_MORE;
            }
            if (b[p] == '\n') {
                p++;
            } else if (b[p] == '\r') {
                if (p + 1 >= limit) {
                    pos = p;
                    return eof ? ANOMALY : NEED_MORE;
                }
                if (b[p + 1] != '\n') {
                    pos = p;
                    return ANOMALY;   // a carriage return alone: Commons CSV ends a line there, StrictQuotes does not
                }
                p += 2;
            } else {
                break;
            }
        }
        pos = p;
        if (count == 0) {
            // byte-order marks at the start are text of the first field to Commons CSV, not to StrictQuotes: the same
            // record unless a quote or the line's end follows them
            int q = p;
            while (true) {
                if (q + 3 >= limit && !eof) {
                    return NEED_MORE;
                }
                if (q + 2 < limit && b[q] == (byte) 0xEF && b[q + 1] == (byte) 0xBB && b[q + 2] == (byte) 0xBF) {
                    q += 3;
                } else {
                    break;
                }
            }
            if (q > p && (q == limit || b[q] == '"' || b[q] == '\n' || b[q] == '\r')) {
                return ANOMALY;
            }
        }
        int start = p;
        int n = 0;
        boolean nul = false;
        int end;   // the record's bytes (its line end left out, a CR before the LF kept, as StrictQuotes hashes it)
        while (true) {
            if (n == from.length) {
                from = Arrays.copyOf(from, n * 2);
                to = Arrays.copyOf(to, n * 2);
                kind = Arrays.copyOf(kind, n * 2);
            }
            if (p >= limit) {
                if (!eof) {
                    return NEED_MORE;
                }
                from[n] = p;   // the text ends right after a comma: an empty last field
                to[n] = p;
                kind[n++] = PLAIN;
                end = p;
                break;
            }
            byte k = PLAIN;
            if (b[p] == '"') {
                int q = p + 1;
                while (true) {
                    if (q >= limit) {
                        return eof ? ANOMALY : NEED_MORE;   // the text ends inside the quotes
                    }
                    byte c = b[q];
                    if (c == '"') {
                        if (q + 1 >= limit && !eof) {
                            return NEED_MORE;
                        }
                        if (q + 1 < limit && b[q + 1] == '"') {
                            k |= ESCAPED;
                            q += 2;
                            continue;
                        }
                        break;
                    }
                    if (c < 0) {
                        k |= WIDE;
                    } else if (c == 0) {
                        nul = true;
                    }
                    q++;
                }
                from[n] = p + 1;
                to[n] = q;
                kind[n++] = k;
                p = q + 1;
                if (p >= limit) {
                    end = p;   // (eof: more was asked for above)
                    break;
                }
                byte c = b[p];
                if (c == ',') {
                    p++;
                    continue;
                }
                if (c == '\n') {
                    end = p;
                    p++;
                    break;
                }
                if (c == '\r') {
                    if (p + 1 >= limit) {
                        return eof ? ANOMALY : NEED_MORE;
                    }
                    if (b[p + 1] == '\n') {
                        end = p + 1;
                        p += 2;
                        break;
                    }
                }
                return ANOMALY;   // text after the closing quote
            }
            int q = p;
            byte c = 0;
            while (q < limit) {
                c = b[q];
                if (c == ',' || c == '\n' || c == '\r' || c == '"') {
                    break;
                }
                if (c < 0) {
                    k = WIDE;
                } else if (c == 0) {
                    nul = true;
                }
                q++;
            }
            if (q >= limit) {
                if (!eof) {
                    return NEED_MORE;
                }
                from[n] = p;
                to[n] = q;
                kind[n++] = k;
                end = q;
                p = q;
                break;
            }
            if (c == '"') {
                return ANOMALY;   // a double quote inside an unquoted field
            }
            from[n] = p;
            to[n] = q;
            kind[n++] = k;
            if (c == ',') {
                p = q + 1;
                continue;
            }
            if (c == '\n') {
                end = q;
                p = q + 1;
                break;
            }
            if (q + 1 >= limit) {   // a carriage return
                if (!eof) {
                    return NEED_MORE;
                }
                return ANOMALY;
            }
            if (b[q + 1] != '\n') {
                return ANOMALY;
            }
            end = q + 1;
            p = q + 2;
            break;
        }
        room(n);
        for (int i = 0; i < n; i++) {
            if (kind[i] == PLAIN) {
                values[i] = null;   // ASCII: made when asked for (get)
                continue;
            }
            String v = value(from[i], to[i], kind[i]);
            if (v == null) {
                return ANOMALY;   // not UTF-8: the strict decoder names the record
            }
            values[i] = v;
        }
        if (size > n) {
            Arrays.fill(values, n, size, null);
        }
        size = n;
        lineHash = hashing ? LineSets.hash(b, start, end) : null;
        strayQuote = -1;
        mayBeUnstorable = nul;
        count++;
        pos = p;
        return RECORD;
    }

    /** Room for a record of {@code n} fields. */
    private void room(int n) {
        if (values.length < n) {
            values = new String[Math.max(n, values.length * 2)];
        }
    }

    /** A field's text (escaped quotes, or bytes of characters of more than one), or null when its bytes are not UTF-8. */
    private String value(int f, int t, byte k) {
        byte[] b = buf;
        int off = f;
        int len = t - f;
        if ((k & ESCAPED) != 0) {
            byte[] u = new byte[len];
            int j = 0;
            for (int i = f; i < t; i++) {
                u[j++] = buf[i];
                if (buf[i] == '"') {
                    i++;   // the second of "" (inside quotes, quotes come in pairs)
                }
            }
            b = u;
            off = 0;
            len = j;
            if ((k & WIDE) == 0) {
                return new String(b, 0, len, StandardCharsets.ISO_8859_1);
            }
        }
        if (decoder == null) {
            decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }
        try {
            return decoder.reset().decode(ByteBuffer.wrap(b, off, len)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The strict decoder, StrictQuotes and Commons CSV, numbering their records after {@code offset} ones. */
    private static final class Slow implements Closeable {
        final StrictQuotes quotes;
        final CSVParser parser;
        final Iterator<CSVRecord> records;
        final long offset;

        Slow(Reader text, boolean hashing, long offset, boolean fileStart) {
            this.quotes = new StrictQuotes(text, hashing, fileStart);
            this.offset = offset;
            try {
                this.parser = CsvFiles.CSV.parse(quotes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            this.records = parser.iterator();
        }

        boolean next(CsvRecords out) {
            if (!records.hasNext()) {
                return false;
            }
            CSVRecord rec = records.next();
            long n = rec.getRecordNumber();
            out.size = rec.size();
            out.room(out.size);
            for (int i = 0; i < out.size; i++) {
                out.values[i] = rec.get(i);
            }
            out.count = offset + n;
            out.lineHash = quotes.lineHash(n);
            out.strayQuote = quotes.strayQuoteIn(n);
            // (any record: StrictQuotes numbers records as the parser does only while the line ends agree, which a
            // carriage return alone or a first line of only a byte-order mark breaks)
            out.mayBeUnstorable = true;
            return true;
        }

        @Override
        public void close() throws IOException {
            parser.close();
        }
    }
}
