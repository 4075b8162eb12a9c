package org.credentialhub.reporting;

import org.apache.commons.csv.CSVRecord;
import org.credentialhub.support.GeneratedState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The test run's generated state of three school years ({@code ./hub generate --years 3}, {@link GeneratedState})
 * taken through the pipeline: each year's Tables 10, 11 and 4 are the generator's truth of that year, and the reports that
 * read earlier years (Table 8's earlier columns, Chart 1's years) show them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ThreeYearsTest {
    static final List<String> YEARS = List.of("2022-2023", "2023-2024", "2024-2025");
    private GeneratedState.Run run;

    @BeforeAll
    void generateAndIngest() throws Exception {
        run = GeneratedState.nc();
    }

    /** The generator's truth of a year: 2024-25's at the top of expected/, an earlier year's in its folder. */
    private Path expected(String year, String file) {
        Path e = run.state().resolve("expected");
        return year.equals("2024-2025") ? e.resolve(file) : e.resolve(year).resolve(file);
    }

    /** A table's rows (header first) as text, in any order. */
    private static Set<String> rows(String csv) {
        return new TreeSet<>(csv.lines().toList());
    }

    @Test
    void eachYearsTables10And11AreThatYearsTruth() throws Exception {
        for (String year : YEARS) {
            for (String[] t : new String[][] {{"attainment-by-district", "attainment-by-district.csv"},
                {"attainment-by-course-credential", "attainment-by-course-credential.csv"}}) {
                Set<String> truth = rows(java.nio.file.Files.readString(expected(year, t[1])));
                assertFalse(truth.size() < 10, year + " " + t[0] + " has figures");
                assertEquals(truth, rows(run.report(year, t[0], false)), year + " " + t[0]);
            }
        }
    }

    @Test
    void eachYearsTable4CountsAreThatYearsTruth() throws Exception {
        for (String year : YEARS) {
            Map<String, CSVRecord> ours = new HashMap<>();
            for (CSVRecord r : AnnualReportTest.csv(run.report(year, "attainment-by-student-group", false))) {
                ours.put(r.get("group_type") + "/" + r.get("student_group"), r);
            }
            for (CSVRecord t : AnnualReportTest.csv(expected(year, "attainment-by-student-group.csv"))) {
                CSVRecord r = ours.get(t.get("group_type") + "/" + t.get("student_group"));
                for (String c : List.of("cte_enrollment", "students_enrolled", "students_earning",
                        "students_earning_tier_1", "students_earning_tier_2", "students_earning_tier_3")) {
                    assertEquals(t.get(c), r.get(c), year + " " + t.get("student_group") + " " + c);
                }
            }
        }
    }

    /** A year's truth of Table 10: district code → {earned, potential}. */
    private Map<String, long[]> table10(String year) throws IOException {
        Map<String, long[]> out = new HashMap<>();
        for (CSVRecord r : AnnualReportTest.csv(expected(year, "attainment-by-district.csv"))) {
            String label = r.get(0);
            String code = label.substring(label.lastIndexOf('(') + 1, label.length() - 1);
            out.put(code, new long[] {AnnualReportTest.num(r.get(1)), AnnualReportTest.num(r.get(2))});
        }
        return out;
    }

    @Test
    void table8sEarlierYearsAreThoseYearsTruth() throws Exception {
        Map<String, long[]> before2 = table10("2022-2023");
        Map<String, long[]> before1 = table10("2023-2024");
        Map<String, long[]> now = table10("2024-2025");
        List<CSVRecord> rows = AnnualReportTest.csv(run.report("2024-2025", "top-districts-by-earned", false));
        assertEquals(10, rows.size());
        for (CSVRecord r : rows) {
            String d = r.get("district_code");
            assertEquals(String.valueOf(now.get(d)[0]), r.get("earned"), d);
            assertEquals(String.valueOf(before1.containsKey(d) ? before1.get(d)[0] : 0), r.get("earned_year_before"), d);
            assertEquals(String.valueOf(before2.containsKey(d) ? before2.get(d)[0] : 0),
                    r.get("earned_two_years_before"), d);
        }
    }

    @Test
    void chart1sYearsAreEachYearsTotals() throws Exception {
        List<CSVRecord> rows = AnnualReportTest.csv(run.report("2024-2025", "career-readiness-trend", false));
        Map<String, CSVRecord> byYear = new HashMap<>();
        rows.forEach(r -> byYear.put(r.get("school_year"), r));
        for (String year : YEARS) {
            CSVRecord r = byYear.get(year);
            Map<String, long[]> t = table10(year);
            assertEquals(t.values().stream().mapToLong(x -> x[0]).sum(), AnnualReportTest.num(r.get("earned")), year);
            assertEquals(t.values().stream().mapToLong(x -> x[1]).sum(), AnnualReportTest.num(r.get("potential")), year);
            long earning = 0;
            for (CSVRecord g : AnnualReportTest.csv(expected(year, "attainment-by-student-group.csv"))) {
                if (g.get("group_type").equals("sex")) {
                    earning += AnnualReportTest.num(g.get("students_earning"));
                }
            }
            assertEquals(earning, AnnualReportTest.num(r.get("students_earning")), year);
        }
    }

    @Test
    void tables5aToCsYearsAreEachYearsTruth() throws Exception {
        List<String> suffix = List.of("_two_years_before", "_year_before", "");
        for (int tier = 1; tier <= 3; tier++) {
            List<CSVRecord> rows = AnnualReportTest.csv(run.report("2024-2025",
                    "tier-" + tier + "-trend-by-student-group", false));
            for (int y = 0; y < YEARS.size(); y++) {
                Map<String, CSVRecord> truth = new HashMap<>();
                for (CSVRecord g : AnnualReportTest.csv(expected(YEARS.get(y), "attainment-by-student-group.csv"))) {
                    truth.put(g.get("group_type") + "/" + g.get("student_group"), g);
                }
                int checked = 0;
                for (CSVRecord r : rows) {
                    CSVRecord t = truth.get(r.get("group_type") + "/" + r.get("student_group"));
                    if (t == null) {
                        continue;
                    }
                    String what = "tier " + tier + " " + YEARS.get(y) + " " + r.get("student_group");
                    assertEquals(t.get("students_enrolled"), r.get("enrolled" + suffix.get(y)), what);
                    assertEquals(t.get("students_earning_tier_" + tier), r.get("earning" + suffix.get(y)), what);
                    checked++;
                }
                assertEquals(truth.size(), checked, "tier " + tier + " " + YEARS.get(y) + ": every group");
            }
        }
    }
}
