package org.credentialhub.sis;

import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The records {@link StrictQuotes} hashes and hands on are the parser's records: numbered alike (empty lines are not
 * records), a quoted field's line ends inside its record, the text of each exactly what parses to the same record (so
 * a changed line staged on its own hashes as in its file: {@link LineSets}).
 */
class StrictQuotesTest {
    private static final String FILE = "\uFEFFid,note,n\r\n"
            + "a,\"one, two\",1\r\n"
            + "\r\n"
            + "b,\"line\nbreak \"\"quoted\"\"\",2\r\n"
            + "c,,3\n"
            + "\n"
            + "d,last,4";

    @Test
    void recordsAreHashedAsTheParserReadsThem() throws IOException {
        Map<Long, Long> hashes = new HashMap<>();
        Map<Long, String> texts = new HashMap<>();
        List<CSVRecord> records = new ArrayList<>();
        List<Long> parserHashes = new ArrayList<>();
        for (int size : new int[]{8, 13, 1 << 20}) {   // the file's bytes read a few at a time, and at once
            Map<Long, Long> bytesHashes = new HashMap<>();
            Map<Long, String> bytesTexts = new HashMap<>();
            assertTrue(LinePass.read(new java.io.ByteArrayInputStream(FILE.getBytes(StandardCharsets.UTF_8)),
                    (n, h, b, from, to) -> {
                        bytesHashes.put(n, h);
                        bytesTexts.put(n, new String(b, from, to - from, StandardCharsets.UTF_8));
                    }, size));
            if (hashes.isEmpty()) {
                hashes.putAll(bytesHashes);
                texts.putAll(bytesTexts);
            }
            assertEquals(hashes, bytesHashes, "read " + size + " bytes at a time");
            assertEquals(texts, bytesTexts, "read " + size + " bytes at a time");
        }
        try (StrictQuotes q = new StrictQuotes(new StringReader(FILE), true); CSVParser p = CsvFiles.CSV.parse(q)) {
            for (CSVRecord r : p) {
                records.add(r);
                parserHashes.add(q.lineHash(r.getRecordNumber()));
            }
            assertFalse(q.offended());
        }
        assertEquals(5, records.size());
        assertEquals(5, hashes.size());
        for (CSVRecord r : records) {
            long n = r.getRecordNumber();
            assertEquals(hashes.get(n), parserHashes.get((int) n - 1), "record " + n);
            // the record's text alone parses to the same fields and hashes the same
            try (StrictQuotes q = new StrictQuotes(new StringReader(texts.get(n) + "\n"), true);
                 CSVParser p = CsvFiles.CSV.parse(q)) {
                CSVRecord again = p.iterator().next();
                assertEquals(r.toList(), again.toList(), "record " + n);
                assertEquals(hashes.get(n), q.lineHash(1), "record " + n);
            }
        }
        assertEquals("line\nbreak \"quoted\"", records.get(2).get(1));
        assertEquals(5, new java.util.HashSet<>(hashes.values()).size());
        assertNotEquals(hashes.get(2L), hash("a,\"one, two\",1"), "the CR before the LF is part of the line");
        assertEquals(hashes.get(5L), hash("d,last,4"));
    }

    @Test
    void aStrayQuoteOrAnOpenQuoteAtTheEndIsAnOffence() throws IOException {
        assertTrue(offended("a,b\"c,d\n"));
        assertTrue(offended("a,\"b\n"));
        assertFalse(offended("a,\"b\"\"c\",d\n"));
        for (String text : List.of("a,b\"c,d\n", "a,\"b\n")) {
            assertFalse(LinePass.read(new java.io.ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                    (n, h, b, from, to) -> { }));
        }
    }

    /**
     * Random texts of quotes, delimiters, line ends, byte-order marks and characters of one to four bytes, read a few
     * bytes at a time or all at once (no lone CR, which the parser takes for a line end and the reader does not: a file with one
     * has records without a hash, and keeps no line set): the pass over the bytes finds the records the parser reads, with the hashes its reader gives
     * them, and gives up exactly where the reader finds an offence.
     */
    @Test
    void theBytesPassFindsTheParsersRecordsAndHashes() throws IOException {
        String[] pieces = {"a", "b", ",", ",", "\"", "\"\"", "\n", "\r\n", "\uFEFF", "é", "€", "😀", " ", "x,y",
            "plain text", "twelve chars", ",,,,,,,,,"};
        java.util.Random rnd = new java.util.Random(17);
        int compared = 0;
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder(rnd.nextBoolean() ? "\uFEFF" : "");
            for (int k = rnd.nextInt(40); k > 0; k--) {
                sb.append(pieces[rnd.nextInt(pieces.length)]);
            }
            String text = sb.toString();
            Map<Long, Long> bytes = new HashMap<>();
            boolean read = LinePass.read(new java.io.ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                    (n, h, b, from, to) -> bytes.put(n, h), rnd.nextBoolean() ? 8 + rnd.nextInt(8) : 1 << 16);
            assertEquals(!offended(text), read, text);
            if (!read) {
                continue;
            }
            Map<Long, Long> parsed = new HashMap<>();
            try (StrictQuotes q = new StrictQuotes(new StringReader(text), true); CSVParser p = CsvFiles.CSV.parse(q)) {
                for (CSVRecord r : p) {
                    parsed.put(r.getRecordNumber(), q.lineHash(r.getRecordNumber()));
                }
            } catch (java.io.UncheckedIOException | IllegalStateException unparsable) {
                continue;   // a closing quote not followed by a delimiter: the parser refuses the file, whole
            }
            if (parsed.containsValue(null)) {
                continue;   // a record the reader did not hash (a lone byte-order mark): the file keeps no line set
            }
            assertEquals(parsed, bytes, text);
            compared++;
        }
        assertTrue(compared > 500, "texts compared: " + compared);
    }

    @Test
    void bytesThatAreNotUtf8EndThePass() throws IOException {
        for (byte[] bad : new byte[][]{{'a', (byte) 0xC3}, {'a', (byte) 0xC0, (byte) 0x80, '\n'},
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80, '\n'}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                {(byte) 0xFF, '\n'}, {'a', (byte) 0x80, '\n'}}) {
            assertFalse(LinePass.read(new java.io.ByteArrayInputStream(bad), (n, h, b, from, to) -> { }, 8));
        }
    }

    @Test
    void withoutHashingNoRecordHasAHash() throws IOException {
        try (StrictQuotes q = new StrictQuotes(new StringReader("a,b\nc,d\n")); CSVParser p = CsvFiles.CSV.parse(q)) {
            for (CSVRecord r : p) {
                assertEquals(null, q.lineHash(r.getRecordNumber()));
            }
        }
    }

    private static long hash(String line) throws IOException {
        try (StrictQuotes q = new StrictQuotes(new StringReader(line), true)) {
            q.transferTo(java.io.Writer.nullWriter());
            return q.lineHash(1);
        }
    }

    private static boolean offended(String text) throws IOException {
        try (StrictQuotes q = new StrictQuotes(new StringReader(text))) {
            q.transferTo(java.io.Writer.nullWriter());
            return q.offended();
        }
    }
}
