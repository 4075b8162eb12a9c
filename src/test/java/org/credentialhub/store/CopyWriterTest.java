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
            ByteArrayOutputStream buffered = new ByteArrayOutputStream();
            CopyWriter chunks = CopyWriter.buffering(buffered::writeBytes);
            try (CopyWriter w = new CopyWriter(c, "copied", "n", "t", "d", "b", "x")) {
                for (List<Object> row : rows) {
                    for (Object v : row) {
                        w.value(v);
                        chunks.value(v);
                    }
                    w.endRow();
                    chunks.endRow();
                }
                assertEquals(rows.size(), w.finish());
                assertEquals(rows.size(), chunks.finish());
            }
            List<List<Object>> back = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("select n, t, d, b, x from copied order by n")) {
                while (rs.next()) {
                    back.add(java.util.Arrays.asList(rs.getInt(1), rs.getString(2), rs.getObject(3, LocalDate.class),
                            rs.getBoolean(4), rs.getBigDecimal(5)));
                }
            }
            assertEquals(rows, back);

            // the buffering form writes the same text: COPYed by hand, it gives the same rows
            st.execute("create table again (like copied)");
            try (java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(buffered.toByteArray())) {
                c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyIn(CopyWriter.copySql("again", "n", "t", "d", "b", "x"), in);
            }
            try (ResultSet rs = st.executeQuery("select count(*) from (select * from copied except select * from again"
                    + " union all select * from again except select * from copied) x")) {
                rs.next();
                assertEquals(0, rs.getInt(1));
            }
        } finally {
            SharedPostgres.drop(url);
        }
    }

    @Test
    void theTextIsCopysTextFormatInUtf8() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CopyWriter w = CopyWriter.buffering(out::writeBytes);
        w.value("a\\b\tc\nd\re").value(null).value(LocalDate.of(2025, 3, 14)).value(42).value(true).value("Łó’\uD83D\uDE00");
        w.endRow();
        w.finish();
        assertArrayEquals("a\\\\b\\tc\\nd\\re\t\\N\t2025-03-14\t42\ttrue\tŁó’\uD83D\uDE00\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), out.toByteArray());
    }
}
