package org.credentialhub.sis;

import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
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
        try (StrictQuotes q = new StrictQuotes(new StringReader(FILE), (n, h, t) -> {
            hashes.put(n, h);
            texts.put(n, t.toString());
        }, true, true); CSVParser p = CsvFiles.CSV.parse(q)) {
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
