package org.credentialhub.feeds;

import org.credentialhub.support.SharedPostgres;
import org.credentialhub.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cadence rules, and the ops_feed_status view (which GET /api/feeds reads) applying them. */
class CadenceTest {
    @TempDir
    Path dir;

    @Test
    void everyWordTheFeedsFileTakes() {
        assertEquals(Duration.ofHours(1), Cadence.parse("hourly").every());
        assertEquals(Duration.ofDays(1), Cadence.parse(" Daily ").every());
        assertEquals(Duration.ofDays(3), Cadence.parse("weekdays").every());
        assertEquals(Duration.ofDays(7), Cadence.parse("weekly").every());
        assertEquals(Duration.ofDays(31), Cadence.parse("monthly").every());
        assertEquals(Duration.ofDays(92), Cadence.parse("quarterly").every());
        assertEquals(Duration.ofHours(6), Cadence.parse("PT6H").every());
        assertEquals(Duration.ofHours(6), Cadence.parse("pt6h").every());
        assertSame(Cadence.NONE, Cadence.parse("none"));
        assertSame(Cadence.NONE, Cadence.parse(""));
        assertSame(Cadence.NONE, Cadence.parse(null));
        assertThrows(IllegalArgumentException.class, () -> Cadence.parse("fortnightly"));
        assertThrows(IllegalArgumentException.class, () -> Cadence.parse("PT0S"));
    }

    @Test
    void aQuarterlyFeedCanBeLate() {
        // issue 14: the console knew no 'quarterly', so such a feed was never late
        assertEquals(Duration.ofDays(115), Cadence.parse("quarterly").lateAfter("sftp"));
    }

    @Test
    void lateAfterTheCadenceAndAQuarterMore() {
        assertEquals(Duration.ofHours(30), Cadence.parse("daily").lateAfter("sftp"));
        assertEquals(Duration.ofMinutes(75), Cadence.parse("hourly").lateAfter("api"));
        assertEquals(Duration.ofHours(90), Cadence.parse("weekdays").lateAfter("api"));
    }

    @Test
    void onlyFeedsThatDeliverThemselvesAreLate() {
        assertNull(Cadence.parse("daily").lateAfter("district"));
        assertNull(Cadence.parse("daily").lateAfter("sis"));
        assertNull(Cadence.NONE.lateAfter("sftp"));
    }

    @Test
    void theViewIsLateExactlyWhenTheCadenceSays() throws Exception {
        try (Database db = SharedPostgres.open(dir, 2)) {
            FeedTable.register(db.dataSource(), List.of(
                    feed("daily29h", "sftp", "daily"), feed("daily31h", "sftp", "daily"),
                    feed("quarter100d", "api", "quarterly"), feed("quarter116d", "api", "quarterly"),
                    feed("entry", "district", "daily"), feed("never", "sftp", "none")));
            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
                for (String[] d : new String[][] {{"daily29h", "29 hours"}, {"daily31h", "31 hours"},
                        {"quarter100d", "100 days"}, {"quarter116d", "116 days"}, {"entry", "40 days"}, {"never", "400 days"}}) {
                    st.executeUpdate("insert into delivery (feed_code, source_name, content_sha256, status, received_at) values ('"
                            + d[0] + "', 'f', 'x', 'accepted', now() - interval '" + d[1] + "')");
                }
                Map<String, Boolean> overdue = new HashMap<>();
                try (ResultSet rs = st.executeQuery("select feed_code, overdue from ops_feed_status")) {
                    while (rs.next()) {
                        overdue.put(rs.getString(1), rs.getBoolean(2));
                    }
                }
                assertEquals(Map.of("daily29h", false, "daily31h", true, "quarter100d", false, "quarter116d", true,
                        "entry", false, "never", false), overdue);
                // a feed that never delivered counts from when it was configured
                st.executeUpdate("delete from delivery where feed_code = 'daily31h'");
                st.executeUpdate("update feed set updated_at = now() - interval '2 days' where feed_code = 'daily31h'");
                try (ResultSet rs = st.executeQuery("select overdue, due_by is not null from ops_feed_status where feed_code = 'daily31h'")) {
                    assertTrue(rs.next());
                    assertTrue(rs.getBoolean(1));
                    assertTrue(rs.getBoolean(2));
                }
            }
        }
    }

    private static FeedConfig feed(String code, String kind, String cadence) {
        return new FeedConfig(code, kind, null, null, cadence, null, null, null);
    }
}
