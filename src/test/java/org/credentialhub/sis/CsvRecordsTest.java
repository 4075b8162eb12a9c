package org.credentialhub.sis;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A file's records read from its bytes ({@link CsvRecords#of(java.io.InputStream, boolean)}) are those of the strict
 * decoder, StrictQuotes and Commons CSV reading the whole file, as a OneRoster file was always read: the same records,
 * numbers, values, line hashes, stray quotes and errors, for plain files and for every kind of record the bytes' reading
 * hands over, at any buffer size; a record holding what no column can store is marked.
 */
class CsvRecordsTest {

    @Test
    void plainRecordsAreReadAsTheParserReadsThem() throws IOException {
        String text = "sourcedId,status,givenName\r\nu-1,active,\"Ma\"\"ria\"\r\n\r\nu-2,,\"Zoë\nsecond line\"\r\n"
                + "u-3,active,\u0000x,\n,\n\"\",x\nu-4,tobedeleted,Łukasz 😀";
        same(text.getBytes(StandardCharsets.UTF_8));
        List<String> read = read(CsvRecords.of(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), true));
        assertEquals(7, read.size(), read.toString());
        assertEquals("2|u-1,active,Ma\"ria", read.get(1).substring(0, read.get(1).indexOf('#')));
    }

    @Test
    void whatThePlainReadingCannotTakeIsReadAsBeforeFromThatRecordOn() throws IOException {
        for (String odd : new String[] {
                "\uFEFFsourcedId,status\nu-1,x\n",            // a byte-order mark at the start
                "\uFEFF\"sourcedId\",status\nu-1,x\n",
                "a,b\nu-1,Ma\"ria\nu-2,x\n",                  // a stray quote
                "a,b\nu-1,\"x\"y\nu-2,x\n",                    // text after a closing quote
                "a,b\nu-1,\"x\" \nu-2,x\n",                    // a space after a closing quote (Commons CSV skips it)
                "a,b\nu-1,\"open\nu-2,x\n",                    // the text ends inside quotes
                "a,b\ru-1,x\ru-2,y\n",                         // lone carriage returns
                "a,b\nu-1,x\r",
                "a,b\n\ru-1,x\n",
                "a,b\nu-1,\"x\"\r",
                "a,b\nu-1,x\nu-2,\uFEFFy\n\uFEFF\nu-3,z\n",     // a byte-order mark after the start is text
                "\uFEFF\na,b\nu-1,x\n", "\uFEFF\r\na,b\n", "\uFEFF", "\uFEFF,a\nu-1,x\n",
                "a,b\ru-1,x\nu-2,\u0000y\n",                  // a NUL after the line ends parted: still marked
        }) {
            same(odd.getBytes(StandardCharsets.UTF_8));
        }
        // bytes that are not UTF-8: a lone continuation byte, a cut sequence, an encoded surrogate, an overlong form
        for (byte[] bad : new byte[][] {{(byte) 0x80}, {(byte) 0xC3}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xFF}}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes("a,b\nu-1,x\nu-2,\"y".getBytes(StandardCharsets.UTF_8));
            out.writeBytes(bad);
            out.writeBytes("z\"\nu-3,w\n".getBytes(StandardCharsets.UTF_8));
            same(out.toByteArray());
        }
    }

    @Test
    void randomFilesAreReadAsTheParserReadsThem() throws IOException {
        Random rnd = new Random(41);
        for (int file = 0; file < 3000; file++) {
            same(randomFile(rnd, file % 3 == 0));
        }
    }

    @Test
    void aFileThatCannotBeReadToItsEndGivesItsRecordsBeforeAndThenTheReadsFailure() throws IOException {
        // (a bundle's zip entry cut short, a disk's read error: as the parser's reading gave them)
        byte[] text = "a,b\nu-1,x\nu-2,y\nu-3,z\n".getBytes(StandardCharsets.UTF_8);
        for (int cut : new int[] {10, 14, 20}) {
            java.io.InputStream failing = new java.io.InputStream() {
                private int at;

                @Override
                public int read() throws IOException {
                    if (at == cut) {
                        throw new IOException("read failed");
                    }
                    return text[at++] & 0xFF;
                }
            };
            List<String> read = new ArrayList<>();
            try (CsvRecords records = CsvRecords.of(failing, true, 16)) {
                UncheckedIOException e = org.junit.jupiter.api.Assertions.assertThrows(UncheckedIOException.class, () -> {
                    while (records.next()) {
                        read.add(records.number() + "|" + String.join(",", records.values()));
                    }
                });
                assertEquals("read failed", e.getCause().getMessage());
                assertEquals(read.size(), records.lastNumber(), "the failure is the next record's");
            }
            // the records read whole before the failure (a line end read), and no other
            assertEquals(List.of("1|a,b", "2|u-1,x", "3|u-2,y").subList(0, cut < 18 ? 2 : 3), read, "cut at " + cut);
        }
    }

    /** A file of random records: mostly plain, with what the plain reading hands over when {@code odd}. */
    private static byte[] randomFile(Random rnd, boolean odd) {
        String[] plain = {"a", "B", "7", " ", "-", "é", "€", "😀", "Ł", "x y", ""};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (odd && rnd.nextInt(10) == 0) {
            out.writeBytes("\uFEFF".getBytes(StandardCharsets.UTF_8));
        }
        int records = rnd.nextInt(12);
        for (int r = 0; r < records; r++) {
            if (rnd.nextInt(8) == 0) {
                out.writeBytes(rnd.nextBoolean() ? "\n".getBytes(StandardCharsets.UTF_8) : "\r\n".getBytes(StandardCharsets.UTF_8));
            }
            int fields = 1 + rnd.nextInt(5);
            for (int f = 0; f < fields; f++) {
                if (f > 0) {
                    out.write(',');
                }
                StringBuilder v = new StringBuilder();
                boolean quoted = rnd.nextInt(4) == 0;
                int len = rnd.nextInt(6);
                for (int i = 0; i < len; i++) {
                    v.append(plain[rnd.nextInt(plain.length)]);
                    if (rnd.nextInt(30) == 0) {
                        v.append('\u0000');
                    }
                    if (quoted && rnd.nextInt(6) == 0) {
                        v.append(rnd.nextBoolean() ? "\"\"" : rnd.nextBoolean() ? "\n" : ",\r\n");
                    }
                }
                String s = quoted ? "\"" + v + "\"" : v.toString();
                if (odd && rnd.nextInt(25) == 0) {
                    s = switch (rnd.nextInt(5)) {
                        case 0 -> s + "\"";        // a stray quote, or text after a closing one
                        case 1 -> "\"" + s;        // quotes left open
                        case 2 -> s + "\r";        // a carriage return alone
                        case 3 -> s + " ";
                        default -> "\uFEFF" + s;
                    };
                }
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
                if (odd && rnd.nextInt(40) == 0) {
                    out.write(rnd.nextBoolean() ? 0xFF : 0xC3);   // not UTF-8
                }
            }
            if (r < records - 1 || rnd.nextBoolean()) {
                out.writeBytes(rnd.nextBoolean() ? "\n".getBytes(StandardCharsets.UTF_8) : "\r\n".getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    /** The bytes' reading at several buffer sizes, hashed and not, gives what the parser's reading of them gives. */
    private static void same(byte[] bytes) throws IOException {
        // after a carriage return alone (a line end to Commons CSV, not to StrictQuotes), a first line of only
        // byte-order marks (a record to Commons CSV, not to StrictQuotes) or one that starts with marks and a quote (a
        // quoted field to StrictQuotes, text to Commons CSV), the parser's records and StrictQuotes' hashes
        // part, and which hash and stray quote a record gets then depends on how far the decoder has read ahead, in the
        // parser's reading of the whole file as in the rest of one after its plain records: the records and values agree
        int first = 0;
        while (first < bytes.length && (bytes[first] == '\n' || bytes[first] == '\r' && first + 1 < bytes.length
                && bytes[first + 1] == '\n')) {
            first += bytes[first] == '\n' ? 1 : 2;
        }
        int text = first;
        while (text + 2 < bytes.length && bytes[text] == (byte) 0xEF && bytes[text + 1] == (byte) 0xBB
                && bytes[text + 2] == (byte) 0xBF) {
            text += 3;
        }
        boolean loneCr = text > first && (text == bytes.length || bytes[text] == '\n' || bytes[text] == '\r'
                || bytes[text] == '"');
        for (int i = 0; i < bytes.length; i++) {
            loneCr |= bytes[i] == '\r' && (i + 1 == bytes.length || bytes[i + 1] != '\n');
        }
        for (boolean hashing : new boolean[] {true, false}) {
            List<String> expected = read(CsvRecords.of(CsvFiles.reader(new ByteArrayInputStream(bytes)), hashing));
            for (int size : new int[] {16, 17, 23, 64, 1 << 20}) {
                List<String> actual = read(CsvRecords.of(new ByteArrayInputStream(bytes), hashing, size));
                if (loneCr) {
                    expected = expected.stream().map(CsvRecordsTest::withoutHash).toList();
                    actual = actual.stream().map(CsvRecordsTest::withoutHash).toList();
                }
                assertEquals(expected, actual, () -> "buffer " + size + ", hashing " + hashing + ": "
                        + new String(bytes, StandardCharsets.UTF_8).replace("\r", "\\r").replace("\n", "\\n"));
            }
        }
    }

    private static String withoutHash(String record) {
        return record.replaceAll("#(-?[0-9]+|null)#-?[0-9]+$", "#?#?");
    }

    /** Each record as its number, values, hash, stray quote and mark; an error as the record it names and its cause. */
    private static List<String> read(CsvRecords records) throws IOException {
        List<String> out = new ArrayList<>();
        try (records) {
            while (true) {
                try {
                    if (!records.next()) {
                        break;
                    }
                } catch (UncheckedIOException e) {
                    out.add("error at " + (records.lastNumber() + 1) + ": "
                            + (e.getCause() == null ? e : e.getCause()).getClass().getSimpleName());
                    break;
                }
                String[] trimmed = new String[records.size()];
                byte[][] bytes = new byte[records.size()][];
                for (int i = 0; i < trimmed.length; i++) {
                    // (before the values: a plain field's text made from its bytes)
                    bytes[i] = records.trimmedBytes(i);
                    if (bytes[i] != null) {
                        // a plain field's trimmed bytes are its trimmed text, in ASCII; a field is the bytes of another
                        // exactly when their trimmed texts are the same
                        assertEquals(records.trimmed(i), new String(bytes[i], java.nio.charset.StandardCharsets.US_ASCII));
                        for (int j = 0; j <= i; j++) {
                            if (bytes[j] != null) {
                                assertEquals(records.trimmed(i).equals(records.trimmed(j)), records.trimmedEquals(i, bytes[j]));
                            }
                        }
                    }
                    trimmed[i] = records.trimmed(i);
                }
                String[] values = records.values();
                for (int i = 0; i < trimmed.length; i++) {
                    assertEquals(values[i].trim(), trimmed[i]);
                    if (bytes[i] == null) {
                        assertFalse(records.trimmedEquals(i, values[i].trim().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    }
                }
                for (String v : values) {
                    // (a record that may hold what no column can store is marked: the mark itself may differ, the
                    // parser's reading also marks a pair of surrogates)
                    if (org.credentialhub.mapping.StorableValue.characters(v) != null) {
                        assertTrue(records.mayBeUnstorable(), v);
                    }
                }
                out.add(records.number() + "|" + String.join(",", values) + "#" + records.lineHash() + "#"
                        + records.strayQuote());
            }
        }
        return out;
    }
}
