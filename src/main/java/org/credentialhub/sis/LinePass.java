package org.credentialhub.sis;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A file's records and their hashes read straight from its bytes, as {@link StrictQuotes} reads them from its
 * characters: the same records (RFC 4180 quoting, empty lines skipped, numbered as the parser numbers them), the same
 * hashes ({@link LineSets#hash} of each record's characters, its line end left out), each record's text as its bytes.
 * For the pass over a bulk file whose published lines are known ({@link LineSets}): most records are only hashed and
 * looked up, so decoding every character (and a reader's copies) cost most of the pass. UTF-8 is checked as the
 * strict decoder checks it; the pass gives up (false) on bytes that are not UTF-8, a double quote outside the quoting
 * rule, or text ending inside a quoted field, and the file is then staged whole, which names the line.
 */
final class LinePass {
    /** Each record as it ends: its number, its hash, and its text's bytes {@code [from, to)} in {@code bytes}. */
    interface Records {
        void record(long number, long hash, byte[] bytes, int from, int to);
    }

    private static final int FIELD_START = 0;
    private static final int UNQUOTED = 1;
    private static final int QUOTED = 2;
    private static final int QUOTE_IN_QUOTED = 3;

    private final InputStream in;
    private final Records out;
    private byte[] buf;
    private int limit;
    private boolean eof;
    private int state = FIELD_START;
    private long record = 1;
    private boolean recordHasText;
    private long hash = LineSets.START;
    /** Where the current record's text starts in {@code buf}. */
    private int start;

    private LinePass(InputStream in, Records out, int bufferSize) {
        this.in = in;
        this.out = out;
        this.buf = new byte[bufferSize];
    }

    /** Reads the text to its end; false when it is not UTF-8 or breaks the quoting rule (see the class). */
    static boolean read(InputStream in, Records out) throws IOException {
        return read(in, out, 1 << 20);
    }

    /** @param bufferSize bytes read at a time (tests: small, to cross every boundary) */
    static boolean read(InputStream in, Records out, int bufferSize) throws IOException {
        return new LinePass(in, out, Math.max(8, bufferSize)).run();
    }

    /**
     * Keeps the current record's bytes (moved to the buffer's start) and reads more after them; false at the end of
     * the text.
     */
    private boolean fill(int pos) throws IOException {
        if (eof) {
            return false;
        }
        int keep = limit - start;
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, keep);
        } else if (keep == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);   // a record longer than the buffer
        }
        limit = keep;
        start = 0;
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            eof = true;
            return false;
        }
        limit += n;
        return true;
    }

    private boolean run() throws IOException {
        int pos = 0;
        while (true) {
            if (pos >= limit) {
                int shift = start;
                if (!fill(pos)) {
                    break;
                }
                pos -= shift;
                continue;
            }
            int b = buf[pos];
            if (b >= 0) {
                pos++;
                if (!ascii((char) b, pos - 1)) {
                    return false;
                }
                continue;
            }
            // a character of more than one byte: all of its bytes in the buffer first
            int need = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
            if (need == 0) {
                return false;
            }
            while (pos + need > limit) {
                int shift = start;
                if (!fill(pos)) {
                    return false;   // the text ends inside a character
                }
                pos -= shift;
            }
            int cp = decode(buf, pos, need);
            if (cp < 0) {
                return false;
            }
            pos += need;
            if (cp < 0x10000) {
                other((char) cp);
            } else {
                other(Character.highSurrogate(cp));
                other(Character.lowSurrogate(cp));
            }
        }
        if (recordHasText) {
            out.record(record, LineSets.finish(hash), buf, start, limit);
        }
        return state != QUOTED;
    }

    /** A well-formed UTF-8 sequence's code point (Unicode's table 3-7, as the strict decoder reads it), or -1. */
    private static int decode(byte[] b, int at, int n) {
        int b0 = b[at] & 0xFF;
        int b1 = b[at + 1] & 0xFF;
        if ((b1 & 0xC0) != 0x80) {
            return -1;
        }
        if (n == 2) {
            return b0 < 0xC2 ? -1 : (b0 & 0x1F) << 6 | (b1 & 0x3F);
        }
        int b2 = b[at + 2] & 0xFF;
        if ((b2 & 0xC0) != 0x80) {
            return -1;
        }
        if (n == 3) {
            if (b0 == 0xE0 && b1 < 0xA0 || b0 == 0xED && b1 > 0x9F) {
                return -1;   // overlong, or a surrogate
            }
            return (b0 & 0x0F) << 12 | (b1 & 0x3F) << 6 | (b2 & 0x3F);
        }
        int b3 = b[at + 3] & 0xFF;
        if ((b3 & 0xC0) != 0x80 || b0 > 0xF4 || b0 == 0xF0 && b1 < 0x90 || b0 == 0xF4 && b1 > 0x8F) {
            return -1;
        }
        return (b0 & 0x07) << 18 | (b1 & 0x3F) << 12 | (b2 & 0x3F) << 6 | (b3 & 0x3F);
    }

    /** A character of one byte at {@code at}; false for a stray quote. */
    private boolean ascii(char c, int at) {
        if (c != '\n' || state == QUOTED) {
            hash = LineSets.hash(hash, c);
        }
        if (state == UNQUOTED && c != ',' && c != '\n' && c != '"') {
            return true;   // most characters: inside an unquoted field
        }
        if (state == QUOTED) {
            if (c == '"') {
                state = QUOTE_IN_QUOTED;
            }
            return true;
        }
        if (state == QUOTE_IN_QUOTED) {
            if (c == '"') {
                state = QUOTED;
                return true;
            }
            state = UNQUOTED;
        }
        switch (c) {
            case ',' -> {
                recordHasText = true;
                state = FIELD_START;
            }
            case '\n' -> {
                if (recordHasText) {
                    out.record(record, LineSets.finish(hash), buf, start, at);
                    record++;
                }
                hash = LineSets.START;
                start = at + 1;
                recordHasText = false;
                state = FIELD_START;
            }
            case '\r' -> { }
            case '"' -> {
                recordHasText = true;
                if (state != FIELD_START) {
                    return false;
                }
                state = QUOTED;
            }
            default -> {
                recordHasText = true;
                if (state == FIELD_START) {
                    state = UNQUOTED;
                }
            }
        }
        return true;
    }

    /** A character of more than one byte (or half of a surrogate pair): text, but for a byte-order mark at the start. */
    private void other(char c) {
        hash = LineSets.hash(hash, c);
        if (state == QUOTED || state == UNQUOTED) {
            return;
        }
        if (state == QUOTE_IN_QUOTED) {
            state = UNQUOTED;
        }
        if (c == '\uFEFF' && record == 1 && !recordHasText) {
            return;   // a byte-order mark is text only after the file's start
        }
        recordHasText = true;
        if (state == FIELD_START) {
            state = UNQUOTED;
        }
    }
}
