package org.credentialhub.sis;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;
import java.util.HashMap;
import java.util.Map;

/**
 * RFC 4180's quoting rule, which Commons CSV does not enforce: a double quote may appear only in a field that is
 * enclosed in double quotes (and there doubled). Passes the text through unchanged while watching it, and remembers,
 * per record, the first field that breaks the rule ({@code bad"quote}); the parser reads the same characters, so
 * record numbers agree with {@link org.apache.commons.csv.CSVRecord#getRecordNumber()} (empty lines are not
 * records). Only the position is kept, never the text.
 *
 * <p>It also hashes each record's characters (the line end left out: {@link LineSets}), which the parser takes by
 * record number ({@link #lineHash}); {@link LinePass} reads the same records and hashes from a file's bytes.
 */
final class StrictQuotes extends FilterReader {
    private enum State { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED }

    /** Offences not yet taken, by record number; the parser takes them as it reaches each record. */
    private final Map<Long, Integer> offences = new HashMap<>();
    /** Hashes of the records ended and not yet taken: the parser reads at most a buffer (8,192 characters) ahead. */
    private final long[] hashes = new long[16_384];
    private final long[] hashed = new long[16_384];
    private final boolean hashing;
    private final boolean fileStart;
    private final LineSets.Running hash = new LineSets.Running();
    private boolean offended;
    private State state = State.FIELD_START;
    private long record = 1;
    private int field;
    private boolean recordHasText;

    StrictQuotes(Reader in) {
        this(in, false);
    }

    /** @param hashing whether records are hashed ({@link #lineHash}) */
    StrictQuotes(Reader in, boolean hashing) {
        this(in, hashing, true);
    }

    /**
     * @param fileStart whether the text is a file's from its start (where a byte-order mark is not text), or the rest
     *                  of one from a record on ({@link CsvRecords})
     */
    StrictQuotes(Reader in, boolean hashing, boolean fileStart) {
        super(in);
        this.hashing = hashing;
        this.fileStart = fileStart;
    }

    /**
     * The hash of a record's characters ({@link LineSets.Running}; a record spanning lines in a quoted field keeps its
     * inner line ends), or null when it is no longer (or not yet) known; forgets nothing.
     */
    Long lineHash(long recordNumber) {
        int i = (int) (recordNumber & (hashes.length - 1));
        return hashed[i] == recordNumber ? hashes[i] : null;
    }

    /** Whether a record so far broke the quoting rule, or the text ended inside a quoted field. */
    boolean offended() {
        return offended || state == State.QUOTED;
    }

    /** The 0-based field of the record's first stray quote, or -1; forgets it (and any of earlier records). */
    int strayQuoteIn(long recordNumber) {
        offences.keySet().removeIf(r -> r < recordNumber);
        Integer f = offences.remove(recordNumber);
        return f == null ? -1 : f;
    }

    @Override
    public int read() throws IOException {
        int c = super.read();
        if (c >= 0) {
            watch((char) c);
        } else {
            ended();
        }
        return c;
    }

    @Override
    public int read(char[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        for (int i = 0; i < n; i++) {
            watch(buf[off + i]);
        }
        if (n < 0) {
            ended();
        }
        return n;
    }

    /** The text ended: its last record, without a line end, ends too. */
    private void ended() {
        if (recordHasText) {
            endRecord();
            recordHasText = false;
        }
        hash.reset();
    }

    private void endRecord() {
        if (hashing) {
            int i = (int) (record & (hashes.length - 1));
            hashes[i] = hash.finish();
            hashed[i] = record;
        }
    }

    private void watch(char c) {
        if (hashing && (c != '\n' || state == State.QUOTED)) {
            hash.add(c);
        }
        if (state == State.UNQUOTED && c != ',' && c != '\n' && c != '"') {
            return;   // most characters: inside an unquoted field, whose text the record already has
        }
        switch (state) {
            case QUOTED -> {
                if (c == '"') {
                    state = State.QUOTE_IN_QUOTED;
                }
                return;
            }
            case QUOTE_IN_QUOTED -> {
                if (c == '"') {           // a doubled quote inside the quoted field
                    state = State.QUOTED;
                    return;
                }
                state = State.UNQUOTED;   // after the closing quote: a delimiter or line end follows (the parser checks)
            }
            default -> { }
        }
        switch (c) {
            case ',' -> {
                field++;
                recordHasText = true;
                state = State.FIELD_START;
            }
            case '\n' -> {
                if (recordHasText) {
                    endRecord();
                    record++;
                }
                if (hashing) {
                    hash.reset();
                }
                field = 0;
                recordHasText = false;
                state = State.FIELD_START;
            }
            case '\r' -> { }
            case '"' -> {
                recordHasText = true;
                if (state == State.FIELD_START) {
                    state = State.QUOTED;
                } else {
                    offences.putIfAbsent(record, field);
                    offended = true;
                }
            }
            case '\uFEFF' -> {
                if (record > 1 || recordHasText || !fileStart) {   // a byte-order mark is text only after the file's start
                    recordHasText = true;
                    if (state == State.FIELD_START) {
                        state = State.UNQUOTED;
                    }
                }
            }
            default -> {
                recordHasText = true;
                if (state == State.FIELD_START) {
                    state = State.UNQUOTED;
                }
            }
        }
    }
}
