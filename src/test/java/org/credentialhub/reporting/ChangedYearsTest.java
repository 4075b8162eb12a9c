package org.credentialhub.reporting;

import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The school years a reporting load rebuilds ({@link ReportingLoad#CHANGED_YEARS}): every year on a first load, read
 * without the branches that look for changes since the last load (each would read every result again for nothing:
 * 0.63 s of the NC year's first load), and after a load only the years with changes since its watermark.
 */
class ChangedYearsTest {

    @Test
    void aFirstLoadRebuildsEveryYearWithoutLookingForChangesAndALaterOneTheChangedYears() throws Exception {
        try (Connection c = DriverManager.getConnection(SharedPostgres.newDatabase(), "postgres", "");
             Statement st = c.createStatement()) {
            st.execute("""
                    insert into delivery (delivery_id, feed_code, source_name, content_sha256, status)
                        values (1, 'certexam', 'a.csv', 'a', 'accepted');
                    insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code, school_year,
                                        attempted_on, passed, updated_at)
                        select n, 'certexam', 'k' || n, 1, n, 'E', case when n % 2 = 0 then '2023-2024' else '2024-2025' end,
                               date '2025-01-01', true, now() - interval '1 day'
                        from generate_series(1, 2000) n;
                    analyze result""");
            assertEquals(List.of("2023-2024", "2024-2025"), years(st));
            // the results are read once, for the years there are; the changes since a load that never ran are not read
            List<String> scans = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("explain (analyze, costs off, timing off) " + ReportingLoad.CHANGED_YEARS)) {
                while (rs.next()) {
                    String line = rs.getString(1);
                    if (line.matches(".*Scan on result( .*|$)") && !line.contains("never executed")) {
                        scans.add(line.strip());
                    }
                }
            }
            assertEquals(1, scans.size(), scans.toString());

            st.execute("""
                    insert into rpt.load_run (trigger, status, watermark) values ('test', 'succeeded', now() - interval '1 hour');
                    update result set updated_at = now() where result_id = 7""");
            assertEquals(List.of("2024-2025"), years(st));
        }
    }

    private static List<String> years(Statement st) throws Exception {
        List<String> years = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(ReportingLoad.CHANGED_YEARS)) {
            while (rs.next()) {
                years.add(rs.getString(1));
            }
        }
        return years;
    }
}
