package org.credentialhub.sis;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A file's records and their hashes read straight from its bytes, as {@link StrictQuotes} reads them from its
 * characters: the same records (RFC 4180 quoting, empty lines skipped, numbered as the parser numbers them), the same
 * hashes ({@link LineSets#hash} of each record's bytes, its line end left out), each record's text as its bytes. Plain
 * text between quotes, line ends and characters of more than one byte is read eight bytes at a time.
 * For the pass over a bulk file whose published lines are known ({@link LineSets}): most records are only hashed and
 * looked up, so decoding every character (and a reader's copies) cost most of the pass. UTF-8 is checked as the
 * strict decoder checks it; the pass gives up (false) on bytes that are not UTF-8, a double quote outside the quoting
 * rule, or text ending inside a quoted field, and the file is then staged whole, which names the line.
 */
final class LinePass {
    /** Each record as it ends: its number, its hash, and its text's bytes {@code [from, to)} in {@code bytes}. */
    interface Records {
        void record(long number, long hash, byte[] bytes, int from, int to);

        /** The hashes of the next records (up to {@value #BATCH}), before {@link #record} is called for each of them. */
        default void ahead(long[] hashes, int n) {
        }
    }

    /** Records ended and handed on together ({@link Records#ahead}). */
    static final int BATCH = 256;

    private static final int FIELD_START = 0;
    private static final int UNQUOTED = 1;
    private static final int QUOTED = 2;
    private static final int QUOTE_IN_QUOTED = 3;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW_BITS = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    private final InputStream in;
    private final Records out;
    private byte[] buf;
    private int limit;
    private boolean eof;
    private int state = FIELD_START;
    private long record = 1;
    private boolean recordHasText;
    /** Where the current record's text starts in {@code buf}. */
    private int start;
    /** Records ended and not yet handed on: their numbers, hashes and bytes in {@code buf}. */
    private final long[] numbers = new long[BATCH];
    private final long[] hashes = new long[BATCH];
    private final int[] froms = new int[BATCH];
    private final int[] tos = new int[BATCH];
    private int ended;

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
    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        handOn();   // the records ended are before start, whose bytes are dropped
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
                if (!fill()) {
                    break;
                }
                pos -= shift;
                continue;
            }
            if (state <= UNQUOTED && pos + 8 <= limit) {
                // eight bytes at a time while they are plain text or commas, in or between unquoted fields
                long x = (long) LONGS.get(buf, pos);
                long special = specials(x);
                int plain = special == 0 ? 8 : Long.numberOfTrailingZeros(special) >>> 3;
                if (plain > 0) {
                    recordHasText = true;
                    state = buf[pos + plain - 1] == ',' ? FIELD_START : UNQUOTED;
                    pos += plain;
                    continue;
                }
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
                if (!fill()) {
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
            end(record, start, limit);
        }
        handOn();
        return state != QUOTED;
    }

    /** A record ended at {@code to}: kept to be handed on with the next ones. */
    private void end(long number, int from, int to) {
        numbers[ended] = number;
        hashes[ended] = LineSets.hash(buf, from, to);
        froms[ended] = from;
        tos[ended] = to;
        if (++ended == BATCH) {
            handOn();
        }
    }

    /** Hands on the records ended: their hashes first, then each record. */
    private void handOn() {
        if (ended == 0) {
            return;
        }
        out.ahead(hashes, ended);
        for (int i = 0; i < ended; i++) {
            out.record(numbers[i], hashes[i], buf, froms[i], tos[i]);
        }
        ended = 0;
    }

    /**
     * The bytes of a word (little-endian) that the per-byte reading must see, each marked by its high bit: a line feed,
     * a carriage return, a double quote, or a byte of a character of more than one. The lowest mark is exact (a false
     * one can only follow a true one), which is all the caller takes.
     */
    private static long specials(long x) {
        return x & HIGH_BITS | zeroBytes(x ^ ('\n' * LOW_BITS)) | zeroBytes(x ^ ('\r' * LOW_BITS))
                | zeroBytes(x ^ ('"' * LOW_BITS));
    }

    private static long zeroBytes(long t) {
        return (t - LOW_BITS) & ~t & HIGH_BITS;
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
                    end(record, start, at);
                    record++;
                }
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
