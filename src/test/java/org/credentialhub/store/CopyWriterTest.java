package org.credentialhub.store;

import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** COPY's text format as the hub writes it: every value comes back as it was, escapes and any character included. */
class CopyWriterTest {
    /** Values that need escaping, characters outside Latin-1 (one outside the BMP), and plain ones. */
    private static final List<String> TEXTS = List.of("plain", "", "back\\slash", "tab\there", "new\nline", "cr\rlf\r\n",
            "\\N", "José Ñúñez", "Łukasz Wójcik", "O’Brien", "Nguyễn", "emoji \uD83D\uDE00 end", "\t\\\n\r", "trailing\\");

    @Test
    void everyValueComesBackAsItWasAcrossManyChunks() throws Exception {
        String url = SharedPostgres.newDatabase();
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement()) {
            st.execute("create table copied (n int, t text, d date, b boolean, x numeric)");
            List<List<Object>> rows = new ArrayList<>();
            // enough rows for several flushes (256 KB each), each value in every place of a row
            for (int i = 0; i < 30_000; i++) {
                String t = TEXTS.get(i % TEXTS.size()) + (i % 7 == 0 ? "" : " " + i);
                rows.add(java.util.Arrays.asList(i, i % 11 == 0 ? null : t, LocalDate.of(2025, 1, 1).plusDays(i % 365),
                        i % 3 == 0, i % 5 == 0 ? null : new java.math.BigDecimal(i).movePointLeft(2)));
            }
            try (CopyWriter w = new CopyWriter(c, "copied", "n", "t", "d", "b", "x")) {
                for (List<Object> row : rows) {
                    for (Object v : row) {
                        w.value(v);
                    }
                    w.endRow();
                }
                assertEquals(rows.size(), w.finish());
            }
            List<List<Object>> back = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("select n, t, d, b, x from copied order by n")) {
                while (rs.next()) {
                    back.add(java.util.Arrays.asList(rs.getInt(1), rs.getString(2), rs.getObject(3, LocalDate.class),
                            rs.getBoolean(4), rs.getBigDecimal(5)));
                }
            }
            assertEquals(rows, back);
        } finally {
            SharedPostgres.drop(url);
        }
    }

    /**
     * The binary format gives the same rows as the text format, for every type it encodes (arrays and instants
     * included), across chunks, from a writer on another thread's side of a COPY run by hand.
     */
    @Test
    void theBinaryFormatGivesTheSameRowsAsTheText() throws Exception {
        String url = SharedPostgres.newDatabase();
        String[] columns = {"n", "t", "d", "b", "l", "ts", "a"};
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement()) {
            st.execute("set time zone 'UTC'");
            st.execute("create table as_text (n int, t text, d date, b boolean, l bigint, ts timestamptz, a text[])");
            st.execute("create table as_binary (like as_text)");
            ByteArrayOutputStream binary = new ByteArrayOutputStream();
            int[] largest = {0};
            CopyWriter chunks = CopyWriter.binary(chunk -> {
                binary.writeBytes(chunk);
                largest[0] = Math.max(largest[0], chunk.length);
            }, "int", "text", "date", "boolean", "bigint", "timestamptz", "text[]");
            int n = 30_000;
            String last = null;
            try (CopyWriter w = new CopyWriter(c, "as_text", columns)) {
                for (int i = 0; i < n; i++) {
                    // (every third row's text the string of the row before: a text given again is not encoded again)
                    String t = i % 3 == 1 && last != null ? last : TEXTS.get(i % TEXTS.size()) + (i % 7 == 0 ? "" : " " + i);
                    last = t;
                    String[] a = switch (i % 4) {
                        case 0 -> new String[0];
                        case 1 -> new String[]{t};
                        case 2 -> null;
                        default -> new String[]{"org-" + i, "quote\"d", "back\\slash", "comma,inside", t};
                    };
                    java.time.Instant ts = java.time.Instant.parse("1999-12-31T23:59:59Z").plusSeconds(i * 3_607L)
                            .plusNanos((i % 13) * 1_000L);
                    List<Object> row = java.util.Arrays.asList(i, i % 11 == 0 ? null : t,
                            LocalDate.of(1900, 1, 1).plusDays(i * 17L), i % 3 == 0 ? null : i % 2 == 0,
                            i % 5 == 0 ? null : (long) i * -7_000_000_011L, i % 9 == 0 ? null : ts, a);
                    for (Object v : row) {
                        w.value(v);
                        chunks.value(v);
                    }
                    w.endRow();
                    chunks.endRow();
                }
                assertEquals(n, w.finish());
                assertEquals(n, chunks.finish());
            }
            // each chunk an array of less than half of G1's smallest region (1 MB): not a "humongous" object
            assertTrue(largest[0] > 0 && largest[0] < 512 * 1024, "largest chunk " + largest[0]);
            assertTrue(binary.size() > 2 * 512 * 1024, "several chunks: " + binary.size());
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            data.writeBytes(CopyWriter.BINARY_HEADER);
            data.writeBytes(binary.toByteArray());
            data.writeBytes(CopyWriter.BINARY_TRAILER);
            try (java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(data.toByteArray())) {
                assertEquals(n, c.unwrap(org.postgresql.PGConnection.class).getCopyAPI()
                        .copyIn(CopyWriter.copyBinarySql("as_binary", columns), in));
            }
            try (ResultSet rs = st.executeQuery("select count(*) from (select * from as_text except select * from as_binary"
                    + " union all select * from as_binary except select * from as_text) x")) {
                rs.next();
                assertEquals(0, rs.getInt(1));
            }
            try (ResultSet rs = st.executeQuery("select a[2], a[3], a[4], ts, d from as_binary where n = 3")) {
                rs.next();
                assertEquals("quote\"d", rs.getString(1));
                assertEquals("back\\slash", rs.getString(2));
                assertEquals("comma,inside", rs.getString(3));
                assertEquals("2000-01-01 03:00:20.000003+00", rs.getString(4));
                assertEquals("1900-02-21", rs.getString(5));
            }
        } finally {
            SharedPostgres.drop(url);
        }
    }

    @Test
    void theBinaryFormatIsPostgresqlsSendFormat() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CopyWriter w = CopyWriter.binary(out::writeBytes, "int", "text", "date", "boolean", "timestamptz", "text[]",
                "bigint");
        w.value(42).value("Ł").value(LocalDate.of(2000, 1, 2)).value(true)
                .value(java.time.Instant.parse("2000-01-01T00:00:01.000002Z")).value(new String[]{"a"}).value(null);
        w.endRow();
        assertEquals(1, w.finish());
        assertArrayEquals(new byte[]{0, 7,
                0, 0, 0, 4, 0, 0, 0, 42,
                0, 0, 0, 2, (byte) 0xC5, (byte) 0x81,
                0, 0, 0, 4, 0, 0, 0, 1,
                0, 0, 0, 1, 1,
                0, 0, 0, 8, 0, 0, 0, 0, 0, 0x0F, 0x42, 0x42,
                0, 0, 0, 25, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 25, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 'a',
                (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, out.toByteArray());
        CopyWriter short_ = CopyWriter.binary(out::writeBytes, "int", "text");
        short_.value(1);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, short_::endRow,
                "a row with fewer values than columns");
    }
}
