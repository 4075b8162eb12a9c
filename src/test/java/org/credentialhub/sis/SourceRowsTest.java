package org.credentialhub.sis;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SIS's largest tables are keyed by sourcedId first (V85: their keys' build sorts on it); what reads one source's
 * rows alone, in a state of several SIS sources, reads the block ranges that hold them, not every source's rows: here
 * the line sets' read (LineSets) of a small source beside a large one.
 */
class SourceRowsTest extends OneRosterTestCase {
    private static final Pattern REMOVED = Pattern.compile("Rows Removed by (?:Filter|Index Recheck): (\\d+)");

    SourceRowsTest() {
        super("source-rows");
    }

    @Test
    void aSourcesOwnRowsAreReadThroughItsBlockRangesNotEveryRow() throws Exception {
        for (String table : new String[]{"sis_enrollment", "sis_user", "sis_demographics"}) {
            execute("insert into " + table + " (sis_source, sourced_id, status, delivery_id, line_hash)"
                    + " select 'large', 'id-' || i, 'active', 1, i from generate_series(1, 60000) i");
            execute("insert into " + table + " (sis_source, sourced_id, status, delivery_id, line_hash)"
                    + " select 'small', 'id-' || i, 'active', 2, i from generate_series(1, 300) i");
            // (as a first load's index, made after its rows, and autovacuum's summaries of ranges filled later have them)
            execute("select brin_summarize_new_values(i.indexrelid) from pg_index i join pg_class x on x.oid = i.indexrelid"
                    + " join pg_am a on a.oid = x.relam where i.indrelid = '" + table + "'::regclass and a.amname = 'brin'");
            execute("analyze " + table);
            String plan = plan("explain (analyze, costs off) select string_agg(int8send(line_hash), ''::bytea) from "
                    + table + " where sis_source = 'small'");
            long removed = 0;
            Matcher m = REMOVED.matcher(plan);
            while (m.find()) {
                removed += Long.parseLong(m.group(1));
            }
            // (at most the ranges the small source shares with the large: 128 pages, some 11,000 rows this narrow)
            assertTrue(removed < 30_000, table + ": the small source's read passed over " + removed
                    + " of the large one's 60,000 rows\n" + plan);
            execute("delete from " + table + " where sis_source in ('large', 'small')");
        }
    }

    private String plan(String sql) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             var rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.append(rs.getString(1)).append('\n');
            }
        }
        return out.toString();
    }
}
