package org.credentialhub.guards;

import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A delivery whose results all went to a later delivery before its match rates were taken (a feed's next file corrects
 * every attempt of it while it is finished, routes/delivery.yaml; or a delivery finished by recovery after the files
 * that came next) has no rates: its check records none and raises nothing. The rates' grand total over no rows was a
 * division by zero, and the delivery's finishing failed at every try.
 */
class MatchRatesTest {

    @Test
    void aDeliveryWhoseResultsAllMovedOnHasNoRatesAndFinishes() throws Exception {
        Path data = Files.createTempDirectory("hub-match-rates");
        try (org.credentialhub.store.Database db = SharedPostgres.open(data, 2)) {
            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
                st.execute("""
                        insert into delivery (delivery_id, feed_code, source_name, content_sha256, status)
                            values (1, 'certexam', 'a.csv', 'x1', 'accepted'), (2, 'certexam', 'b.csv', 'x2', 'accepted');
                        -- delivery 1's one attempt, corrected by delivery 2 (a result carries its latest delivery)
                        insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code,
                                            school_year, attempted_on, passed, match_decision, version)
                            values (1, 'certexam', 'k1', 2, 2, 'E', '2024-2025', date '2025-01-01', true, 'match', 2);
                        insert into result_lineage (result_id, delivery_id, source_row, version)
                            values (1, 1, 2, 1), (1, 2, 2, 2)""");
            }
            MatchRates rates = new MatchRates(db.dataSource(), key -> Optional.empty());
            assertEquals(List.of(), rates.check("certexam", 1));
            assertEquals(List.of(), rates.check("certexam", 2));
            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select delivery_id, district_code, results, matched from delivery_match_rate "
                         + "order by delivery_id, district_code")) {
                StringBuilder found = new StringBuilder();
                while (rs.next()) {
                    found.append(rs.getLong(1)).append('/').append(rs.getString(2)).append('/').append(rs.getInt(3))
                            .append('/').append(rs.getInt(4)).append(';');
                }
                assertEquals("2//1/1;", found.toString());
            }
        } finally {
            org.credentialhub.support.Fixtures.deleteTree(data);
        }
    }
}
