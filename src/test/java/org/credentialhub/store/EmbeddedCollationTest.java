package org.credentialhub.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A new embedded cluster compares text in byte order (collation "C": sorts and b-trees of state ID hashes and
 * sourcedIds without the C library's collation), which for UTF-8 is code point order, whatever the machine's locale;
 * upper and lower case stay UTF-8's.
 */
class EmbeddedCollationTest {

    @Test
    void aNewClusterSortsByCodePointAndKeepsUtf8CharacterClasses(@TempDir Path dataDir) throws Exception {
        try (Database db = Database.open(null, null, null, dataDir, 0, 2);
             Connection c = db.dataSource().getConnection();
             Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("select datcollate, pg_encoding_to_char(encoding) from pg_database"
                    + " where datname = current_database()")) {
                rs.next();
                assertEquals("C", rs.getString(1));
                assertEquals("UTF8", rs.getString(2));
            }
            List<String> sorted = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("select v from unnest(array['b', 'É', 'a', 'Z', 'é', 'ä', '1']) v order by v")) {
                while (rs.next()) {
                    sorted.add(rs.getString(1));
                }
            }
            assertEquals(List.of("1", "Z", "a", "b", "É", "ä", "é"), sorted, "code point order");
            try (ResultSet rs = st.executeQuery("select lower('ÉÄ'), upper('éä')")) {
                rs.next();
                assertEquals("éä", rs.getString(1));
                assertEquals("ÉÄ", rs.getString(2));
            }
        }
    }
}
