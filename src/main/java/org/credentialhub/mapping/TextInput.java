package org.credentialhub.mapping;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A text file as the readers see it: decoded strictly in its declared encoding (a byte that does not
 * decode fails the file), a UTF-8 byte-order mark skipped, and, while it streams by, two facts the
 * file-level guards need: whether the last byte was a line break (a cut-short file ends mid-record),
 * and whether a file declared in a single-byte encoding (Windows-1252, ISO-8859-x) is really UTF-8
 * (every byte above 127 forms a valid UTF-8 sequence: names such as Peña would be read as PeÃ±a).
 */
public final class TextInput extends FilterInputStream {
    private final Charset charset;
    private final boolean sniffUtf8;
    private int last = -1;
    private long highBytes;
    private boolean invalidUtf8;
    private int pendingContinuation;

    private TextInput(InputStream in, Charset charset) {
        super(in);
        this.charset = charset;
        this.sniffUtf8 = !charset.equals(StandardCharsets.UTF_8) && !charset.equals(StandardCharsets.US_ASCII)
                && charset.newEncoder().maxBytesPerChar() == 1.0f;
    }

    static TextInput open(InputStream raw, String encoding) throws IOException {
        Charset charset = Charset.forName(encoding == null ? "UTF-8" : encoding);
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(3);
        byte[] b = in.readNBytes(3);
        if (!(b.length == 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF)) {
            in.reset();
        }
        return new TextInput(in, charset);
    }

    /**
     * The decoded text. A byte that does not decode fails the read only when the reader reaches it: every
     * character before it is handed out first, so the record being read when the error comes is the one
     * that holds the bad byte (an {@link java.io.InputStreamReader} fails a whole buffer ahead).
     */
    Reader reader() {
        return new StrictReader(this, charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT));
    }

    /**
     * Text decoded strictly in {@code charset}, failing ({@link CharacterCodingException}) only when the
     * reader reaches a byte that does not decode: for other readers of text files (OneRoster bundles).
     */
    public static Reader strict(InputStream in, Charset charset) {
        return new StrictReader(in, charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT));
    }

    private static final class StrictReader extends Reader {
        private final InputStream in;
        private final CharsetDecoder decoder;
        private final ByteBuffer bytes = ByteBuffer.allocate(1 << 16).flip();
        private CoderResult pending;
        private boolean eof;
        private boolean flushed;

        StrictReader(InputStream in, CharsetDecoder decoder) {
            this.in = in;
            this.decoder = decoder;
        }

        @Override
        public int read(char[] buf, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (pending != null) {
                CoderResult error = pending;
                pending = null;
                error.throwException();
            }
            if (flushed) {
                return -1;
            }
            CharBuffer out = CharBuffer.wrap(buf, off, len);
            while (true) {
                CoderResult r = decoder.decode(bytes, out, eof);
                if (r.isError()) {
                    if (out.position() > off) {
                        pending = r;   // hand out what came before the bad byte first
                        break;
                    }
                    r.throwException();
                }
                if (r.isOverflow()) {
                    break;
                }
                if (eof) {
                    if (decoder.flush(out).isOverflow()) {
                        break;
                    }
                    flushed = true;
                    return out.position() > off ? out.position() - off : -1;
                }
                if (out.position() > off && in.available() <= 0) {
                    break;
                }
                bytes.compact();
                int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
                if (n < 0) {
                    eof = true;
                } else {
                    bytes.position(bytes.position() + n);
                }
                bytes.flip();
            }
            return out.position() - off;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            see(b);
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (sniffUtf8 && !invalidUtf8) {
            for (int i = 0; i < n; i++) {
                see(buf[off + i] & 0xFF);
            }
        }
        if (n > 0) {
            last = buf[off + n - 1] & 0xFF;   // (all that is kept of the bytes when not sniffing: a call a byte was 6 % of a large file's read)
        }
        return n;
    }

    private void see(int b) {
        last = b;
        if (!sniffUtf8 || invalidUtf8) {
            return;
        }
        if (pendingContinuation > 0) {
            if ((b & 0xC0) == 0x80) {
                pendingContinuation--;
                highBytes++;
            } else {
                invalidUtf8 = true;
            }
        } else if (b >= 0x80) {
            highBytes++;
            if ((b & 0xE0) == 0xC0 && b >= 0xC2) {
                pendingContinuation = 1;
            } else if ((b & 0xF0) == 0xE0) {
                pendingContinuation = 2;
            } else if ((b & 0xF8) == 0xF0 && b <= 0xF4) {
                pendingContinuation = 3;
            } else {
                invalidUtf8 = true;
            }
        }
    }

    /** The checks made once the whole file was read. */
    void finish(boolean endsWithNewline) throws FileRejectedException {
        if (sniffUtf8 && !invalidUtf8 && pendingContinuation == 0 && highBytes > 0) {
            throw new FileRejectedException("the file is not in its declared encoding " + charset.name()
                    + ": its non-ASCII characters are UTF-8 encoded");
        }
        if (endsWithNewline && last != '\n' && last != '\r' && last != -1) {
            throw new FileRejectedException("the file was cut short: its last record does not end with a line break");
        }
    }

    /** The file-level refusal for a byte that does not decode at {@code where} ("row 5"), or null for other errors. */
    static FileRejectedException undecodable(Throwable e, String where) {
        Throwable t = e;
        while (t != null && !(t instanceof CharacterCodingException)) {
            t = t.getCause();
        }
        return t != null ? new FileRejectedException("the file is not in its declared encoding: " + where
                + " holds a byte sequence that does not decode") : null;
    }
}
