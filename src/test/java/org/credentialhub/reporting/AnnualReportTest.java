package org.credentialhub.reporting;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.credentialhub.cli.Hub;
import org.credentialhub.support.GeneratedState;
import org.credentialhub.runtime.HubServices;
import org.credentialhub.runtime.Standalone;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import picocli.CommandLine;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tables of NC's annual report the hub adds to Tables 10 and 11 (Tables 1, 3, 7, 8, 9 and Chart 1),
 * on a small generated state taken through the whole pipeline: each figure against the generator's truth
 * (the scaled Tables 10 and 11 it reproduces) or, for listings, against the published table itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AnnualReportTest {
    static final String YEAR = "2024-2025";
    static final Path PUBLISHED = Path.of("src/main/resources/reference/nc-2024-25");
    static final Path CATALOG = Path.of("config/catalog/nc/2024-2025");
    private GeneratedState.Run run;

    @BeforeAll
    void generateAndIngest() throws Exception {
        run = state();
    }

    /** The state these checks read: the test run's generated state (the full-scale one for the slow checks). */
    GeneratedState.Run state() throws IOException {
        return GeneratedState.nc();
    }

    static int hub(String... args) {
        return new CommandLine(new Hub()).execute(args);
    }

    Path data() {
        return run.data();
    }

    /** A report through `./hub report`, parsed (header row first). */
    private List<CSVRecord> report(String table, boolean publicForm) throws Exception {
        return csv(run.report(YEAR, table, publicForm));
    }

    static List<CSVRecord> csv(String text) throws IOException {
        return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(text)).getRecords();
    }

    static List<CSVRecord> csv(Path file) throws IOException {
        return csv(Files.readString(file, StandardCharsets.UTF_8));
    }

    static long num(String s) {
        return Long.parseLong(s.replace(",", ""));
    }

    /** The generator's truth: Table 11 it reproduces, by "course code/credential name" → {earned, potential}. */
    private Map<String, long[]> truth11() throws IOException {
        Map<String, long[]> out = new HashMap<>();
        for (CSVRecord r : csv(run.state().resolve("expected/attainment-by-course-credential.csv"))) {
            if (!"Total".equals(r.get("Course"))) {
                out.put(r.get("Course").split("-", 2)[0] + "/" + r.get("Credential Name"),
                        new long[]{num(r.get("Earned")), num(r.get("Potential"))});
            }
        }
        return out;
    }

    /** The generator's truth: Table 10 it reproduces, as [code, name, earned, potential] rows. */
    private List<String[]> truth10() throws IOException {
        List<String[]> out = new ArrayList<>();
        for (CSVRecord r : csv(run.state().resolve("expected/attainment-by-district.csv"))) {
            String label = r.get("Public School Unit (PSU)");
            if (!"Total".equals(label)) {
                int open = label.lastIndexOf(" (");
                out.add(new String[]{label.substring(open + 2, label.length() - 1), label.substring(0, open),
                        String.valueOf(num(r.get("Earned"))), String.valueOf(num(r.get("Potential")))});
            }
        }
        return out;
    }

    private void assertFiguresAreTable11s(List<CSVRecord> rows) throws IOException {
        Map<String, long[]> truth = truth11();
        Set<String> seen = new HashSet<>();
        long earned = 0;
        for (CSVRecord r : rows) {
            if ("Total".equals(r.get(0))) {
                continue;
            }
            String key = r.get("course_code") + "/" + r.get("credential");
            long[] t = truth.getOrDefault(key, new long[]{0, 0});
            assertEquals(t[0], num(r.get("earned")), key + " earned");
            assertEquals(t[1], num(r.get("potential")), key + " potential");
            seen.add(key);
            earned += t[0];
        }
        assertTrue(seen.containsAll(truth.keySet()), "every course and credential of Table 11 is listed");
        assertTrue(earned > 0);
    }

    @Test
    void table1ListsThePublishedCoursesAndCredentialsWithTable11sFigures() throws Exception {
        List<CSVRecord> rows = report("credentials-by-course", false);
        Set<String> published = new TreeSet<>();
        for (CSVRecord r : csv(PUBLISHED.resolve("table01_credentials_by_course.csv"))) {
            published.add(r.get("Program Area") + "|" + r.get("Course").split("-", 2)[0] + "|" + r.get("Credential Name"));
        }
        Set<String> ours = new TreeSet<>();
        for (CSVRecord r : rows) {
            if (!"Total".equals(r.get(0))) {
                ours.add(r.get("program_area") + "|" + r.get("course_code") + "|" + r.get("credential"));
            }
        }
        assertEquals(published, ours);
        assertEquals(ours.size(), rows.size(), "one row per course and credential");
        assertFiguresAreTable11s(rows);
    }

    @Test
    void table3GivesEachCredentialItsPublishedTier() throws Exception {
        List<CSVRecord> rows = report("credentials-by-tier", false);
        Map<String, String> tierOf = new HashMap<>();
        for (CSVRecord r : rows) {
            if (!"Total".equals(r.get(0))) {
                tierOf.put(r.get("course_code") + "/" + r.get("credential"), r.get("tier"));
            }
        }
        int agree = 0;
        for (CSVRecord r : csv(PUBLISHED.resolve("table03_credentials_by_tier.csv"))) {
            String tier = tierOf.get(r.get("Course").split("-", 2)[0] + "/" + r.get("Credential Name"));
            if (tier != null) {
                assertEquals(r.get("Credential Tier"), tier, r.toString());
                agree++;
            }
        }
        assertTrue(agree > 100, "most of the published Table 3 is in the catalog: " + agree);
        List<String> tiers = rows.stream().filter(r -> !"Total".equals(r.get(0))).map(r -> r.get("tier")).toList();
        assertEquals(tiers.stream().sorted().toList(), tiers, "ordered by tier");
        assertFiguresAreTable11s(rows);
    }

    /** Chart 2: each tier's earned and potential are Table 11's rows of that tier's credentials, summed. */
    @Test
    void chart2sTiersAreTable11SummedByTier() throws Exception {
        List<CSVRecord> byCredential = report("credentials-by-tier", false);
        assertFiguresAreTable11s(byCredential);   // Table 3's rows: Table 11's figures with each credential's tier
        Map<String, long[]> sums = new HashMap<>();
        for (CSVRecord r : byCredential) {
            if (!"Total".equals(r.get(0))) {
                long[] t = sums.computeIfAbsent(r.get("tier"), k -> new long[2]);
                t[0] += num(r.get("earned"));
                t[1] += num(r.get("potential"));
            }
        }
        long[] all = new long[2];
        truth11().values().forEach(t -> {
            all[0] += t[0];
            all[1] += t[1];
        });
        int tiers = 0;
        for (CSVRecord r : report("attainment-by-tier", false)) {
            if ("Total".equals(r.get(0))) {
                assertEquals(all[0], num(r.get("earned")), "Chart 2's total earned is Table 11's");
                assertEquals(all[1], num(r.get("potential")), "Chart 2's total potential is Table 11's");
                continue;
            }
            long[] t = sums.getOrDefault(r.get("tier"), new long[2]);
            assertEquals(t[0], num(r.get("earned")), "tier " + r.get("tier") + " earned");
            assertEquals(t[1], num(r.get("potential")), "tier " + r.get("tier") + " potential");
            tiers++;
        }
        assertEquals(sums.size(), tiers, "every tier of Table 3 is in Chart 2: " + sums.keySet());
    }

    @Test
    void table7CountsEveryHighValueCredentialAsTable11SumsIt() throws Exception {
        List<CSVRecord> rows = report("workforce-credentials", false);
        Map<String, Long> earnedByName = new HashMap<>();
        truth11().forEach((key, t) -> earnedByName.merge(key.split("/", 2)[1], t[0], Long::sum));
        Set<String> highValue = new TreeSet<>();
        for (CSVRecord r : csv(CATALOG.resolve("credentials.csv"))) {
            if ("true".equals(r.get("high_value"))) {
                highValue.add(r.get("credential_code"));
            }
        }
        Set<String> combined = new TreeSet<>();
        for (CSVRecord r : csv(CATALOG.resolve("combined_credentials.csv"))) {
            if ("true".equals(r.get("high_value"))) {
                combined.add(r.get("combined_credential"));
            }
        }
        Set<String> individual = new TreeSet<>();
        Set<String> combinedSeen = new TreeSet<>();
        for (CSVRecord r : rows) {
            if ("Total".equals(r.get(0))) {
                continue;
            }
            if ("individual".equals(r.get("kind"))) {
                individual.add(r.get("credential_code"));
                assertEquals(earnedByName.getOrDefault(r.get("credential"), 0L), num(r.get("earned")), r.get("credential"));
            } else {
                combinedSeen.add(r.get("credential_code"));
            }
        }
        assertEquals(highValue, individual);
        assertEquals(combined, combinedSeen);
        assertTrue(individual.size() + combined.size() > 50);
    }

    private List<String[]> ranked(Comparator<String[]> order) throws IOException {
        List<String[]> eligible = new ArrayList<>(truth10().stream()
                .filter(r -> Long.parseLong(r[2]) >= 10 && Long.parseLong(r[3]) >= 10).toList());
        eligible.sort(order.thenComparing(r -> -Long.parseLong(r[2])).thenComparing(r -> r[0]));
        return eligible.subList(0, Math.min(10, eligible.size()));
    }

    @Test
    void table9IsTheTopTenOfTable10ByRate() throws Exception {
        List<String[]> expected = ranked(Comparator.comparing(r -> -Double.parseDouble(r[2]) / Double.parseDouble(r[3])));
        List<CSVRecord> rows = report("districts-by-rate", false);
        assertEquals(10, expected.size(), "a small state still has ten units to rank");
        assertEquals(expected.size(), rows.size());
        for (int i = 0; i < expected.size(); i++) {
            CSVRecord r = rows.get(i);
            String[] e = expected.get(i);
            assertEquals(String.valueOf(i + 1), r.get("rank"));
            assertEquals(e[0], r.get("district_code"));
            assertEquals(e[1], r.get("district"));
            assertEquals(e[2], r.get("earned"));
            assertEquals(e[3], r.get("potential"));
            String rate = new BigDecimal(e[2]).multiply(BigDecimal.valueOf(100))
                    .divide(new BigDecimal(e[3]), 1, RoundingMode.HALF_UP).toPlainString() + "%";
            assertEquals(rate, r.get("attainment_rate"));
        }
    }

    @Test
    void table8IsTheTopTenOfTable10ByEarnedWithNoFiguresForYearsNotLoaded() throws Exception {
        List<String[]> expected = ranked(Comparator.comparing(r -> -Long.parseLong(r[2])));
        List<CSVRecord> rows = report("top-districts-by-earned", false);
        assertEquals(expected.size(), rows.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i)[0], rows.get(i).get("district_code"));
            assertEquals(expected.get(i)[2], rows.get(i).get("earned"));
        }
        // the state's first year: the two before it are not loaded (empty, never 0)
        for (CSVRecord r : csv(run.report(run.firstYear(), "top-districts-by-earned", false))) {
            assertEquals("", r.get("earned_year_before"), "the year before the first is not loaded");
            assertEquals("", r.get("earned_two_years_before"), "nor the one before it");
        }
    }

    @Test
    void chart1sYearIsTable10sTotal() throws Exception {
        Path out = Files.createTempFile("report", ".csv");
        out.toFile().deleteOnExit();
        assertEquals(0, hub("report", "--table", "career-readiness-trend", "--out", out.toString(), "--data-dir", run.data().toString()));
        List<CSVRecord> rows = csv(out);
        long earned = truth10().stream().mapToLong(r -> Long.parseLong(r[2])).sum();
        long potential = truth10().stream().mapToLong(r -> Long.parseLong(r[3])).sum();
        CSVRecord year = rows.stream().filter(r -> YEAR.equals(r.get("school_year"))).findFirst().orElseThrow();
        assertEquals(earned, num(year.get("earned")));
        assertEquals(potential, num(year.get("potential")));
    }

    /**
     * Table 4: every published group (sex, race/ethnicity and the three program-participation groups the generated
     * SIS sends as extension columns), each count the generator's truth; the state's share from the configured
     * profile where it has one, else empty.
     */
    @Test
    void table4GivesEveryGroupTheGeneratorsFigures() throws Exception {
        Map<String, CSVRecord> ours = new HashMap<>();
        List<String> types = new ArrayList<>();
        for (CSVRecord r : report("attainment-by-student-group", false)) {
            ours.put(r.get("group_type") + "|" + r.get("student_group"), r);
            if (!types.contains(r.get("group_type"))) {
                types.add(r.get("group_type"));
            }
        }
        assertEquals(List.of("sex", "race/ethnicity", "multilingual learners", "economically disadvantaged",
                "students with disabilities"), types, "every published group, in Table 4's order");
        List<String> counts = List.of("cte_enrollment", "students_enrolled", "students_earning", "students_earning_tier_1",
                "students_earning_tier_2", "students_earning_tier_3");
        List<CSVRecord> truth = csv(run.state().resolve("expected/attainment-by-student-group.csv"));
        assertEquals(8, truth.size());
        long all = 0;
        for (CSVRecord t : truth) {
            String key = t.get("group_type") + "|" + t.get("student_group");
            CSVRecord r = ours.get(key);
            assertTrue(r != null, key + " is in Table 4: " + ours.keySet());
            for (String col : counts) {
                assertEquals(num(t.get(col)), num(r.get(col)), key + " " + col);
            }
            if (t.get("group_type").equals("sex")) {
                all += num(t.get("cte_enrollment"));
            }
        }
        StudentGroups profile = StudentGroups.profile("config/state-profile.csv");
        for (String type : types) {
            List<CSVRecord> group = ours.values().stream().filter(r -> r.get("group_type").equals(type)).toList();
            assertEquals(all, group.stream().mapToLong(r -> num(r.get("cte_enrollment"))).sum(), type + ": every student once");
            for (CSVRecord r : group) {
                String share = profile.stateShare(YEAR, type, r.get("student_group"));
                assertEquals(share == null ? "" : share, r.get("state_share"), r.toString());
                assertEquals(BigDecimal.valueOf(100 * num(r.get("cte_enrollment"))).divide(BigDecimal.valueOf(all), 1,
                        RoundingMode.HALF_UP).toPlainString(), r.get("share_of_cte_enrollment"), r.toString());
            }
        }
        assertEquals("45.0", ours.get("economically disadvantaged|Economically disadvantaged").get("state_share"));
        assertEquals("", ours.get("sex|female").get("state_share"), "no profile figure: empty, never 0");
        assertFalse(ours.containsKey("multilingual learners|Not reported"), "every generated student has the flags");
    }

    /**
     * Tables 5a-c: per group, the report year's students enrolled with credential opportunities and those earning a
     * credential of the tier are the generator's Table 4 truth; the state's first year has no figures for the years
     * before it (empty, never 0); the state's share is the profile's; the shares of earners of a group type add up to 100.
     */
    @Test
    void tables5aTo5cGiveEachTiersEarnersByGroupAndNoFiguresForYearsNotLoaded() throws Exception {
        List<CSVRecord> truth = csv(run.state().resolve("expected/attainment-by-student-group.csv"));
        StudentGroups profile = StudentGroups.profile("config/state-profile.csv");
        for (int tier = 1; tier <= 3; tier++) {
            String table = "tier-" + tier + "-trend-by-student-group";
            Map<String, CSVRecord> ours = new HashMap<>();
            Map<String, BigDecimal> shares = new HashMap<>();
            for (CSVRecord r : csv(run.report(run.firstYear(), table, false))) {
                for (String col : List.of("enrolled_two_years_before", "earning_two_years_before", "rate_two_years_before",
                        "enrolled_year_before", "earning_year_before", "rate_year_before")) {
                    assertEquals("", r.get(col), table + " " + col + ": a year not loaded has no figure");
                }
            }
            for (CSVRecord r : report(table, false)) {
                ours.put(r.get("group_type") + "|" + r.get("student_group"), r);
                assertEquals(Reports.rate(num(r.get("earning")), num(r.get("enrolled")), 1), r.get("rate"), r.toString());
                String share = profile.stateShare(YEAR, r.get("group_type"), r.get("student_group"));
                assertEquals(share == null ? "" : share, r.get("state_share"), r.toString());
                if (!r.get("share_of_earners").isEmpty()) {
                    shares.merge(r.get("group_type"), new BigDecimal(r.get("share_of_earners")), BigDecimal::add);
                }
            }
            for (CSVRecord t : truth) {
                String key = t.get("group_type") + "|" + t.get("student_group");
                CSVRecord r = ours.get(key);
                assertTrue(r != null, table + ": " + key);
                assertEquals(num(t.get("students_enrolled")), num(r.get("enrolled")), table + " " + key);
                assertEquals(num(t.get("students_earning_tier_" + tier)), num(r.get("earning")), table + " " + key);
            }
            for (Map.Entry<String, BigDecimal> e : shares.entrySet()) {
                assertTrue(e.getValue().subtract(BigDecimal.valueOf(100)).abs().compareTo(new BigDecimal("0.6")) <= 0,
                        table + " " + e.getKey() + ": shares of earners add up to 100, rounding aside: " + e.getValue());
            }
            for (CSVRecord r : report(table, true)) {
                for (String col : List.of("enrolled", "earning")) {
                    String v = r.get(col);
                    assertTrue(v.equals("*") || num(v) >= 10, table + " " + col + " of " + r);
                }
                if (r.get("earning").equals("*")) {
                    assertEquals("*", r.get("share_of_earners"), r.toString());
                    assertEquals("*", r.get("rate"), r.toString());
                }
            }
        }
    }

    @Test
    void table4sPublicFormShowsNoSmallCellNorASharePointingAtOne() throws Exception {
        int stars = 0;
        for (CSVRecord r : report("attainment-by-student-group", true)) {
            for (String col : List.of("cte_enrollment", "students_enrolled", "students_earning", "students_earning_tier_1",
                    "students_earning_tier_2", "students_earning_tier_3")) {
                String v = r.get(col);
                assertTrue(v.equals("*") || num(v) >= 10, col + " of " + r);
                stars += v.equals("*") ? 1 : 0;
            }
            if (r.get("students_enrolled").equals("*") || r.get("students_earning").equals("*")) {
                assertEquals("*", r.get("share_of_earners"), r.toString());
                assertEquals("*", r.get("share_of_enrolled"), r.toString());
            }
            if (r.get("cte_enrollment").equals("*")) {
                assertEquals("*", r.get("share_of_cte_enrollment"), r.toString());
            }
        }
        // a small state's small race/ethnicity groups have cells to suppress (a full-scale state may have none)
        boolean small = false;
        for (CSVRecord r : report("attainment-by-student-group", false)) {
            for (String col : List.of("cte_enrollment", "students_enrolled", "students_earning")) {
                small |= num(r.get(col)) > 0 && num(r.get(col)) < 10;
            }
        }
        assertTrue(!small || stars > 0, "the small groups' cells are suppressed");
    }

    @Test
    void theNewTablesPublicFormsShowNoSmallCell() throws Exception {
        int suppressed = 0;
        try (Standalone s = new Standalone(run.settings());
             Connection c = s.database.dataSource().getConnection()) {
            Reports reports = HubServices.reportsFrom(s.settings);
            for (String name : List.of("credentials-by-course", "credentials-by-tier", "workforce-credentials",
                    "districts-by-rate", "top-districts-by-earned", "attainment-by-student-group",
                    "tier-1-trend-by-student-group", "tier-2-trend-by-student-group", "tier-3-trend-by-student-group")) {
                Reports.Definition d = Reports.definition(name);
                Reports.Table exact = reports.compute(c, name, YEAR);
                Reports.Table pub = reports.suppressed(exact);
                assertFalse(exact.rows().isEmpty(), name);
                for (int r = 0; r < pub.rows().size(); r++) {
                    for (int col : d.countColumns()) {
                        Object v = pub.rows().get(r).get(col);
                        Object x = exact.rows().get(r).get(col);
                        if (Suppression.MARK.equals(v)) {
                            suppressed++;
                        } else if (x == null) {
                            assertNull(v, name + ": no figure stays no figure");
                        } else {
                            assertTrue(((Number) v).longValue() >= reports.threshold(name), name + ": small cell shown " + pub.rows().get(r));
                        }
                    }
                }
            }
        }
        assertTrue(suppressed > 0, "a small state has small cells to suppress");
        for (CSVRecord r : report("credentials-by-course", true)) {
            for (String col : List.of("earned", "potential")) {
                String v = r.get(col);
                assertTrue(v.equals("*") || num(v) >= 10, r.toString());
            }
        }
    }

    /**
     * Articulation credit: per agreement holding in the year, the students whose earned credential counts (Table 11's
     * earners), those awarded credit under it and the credit hours equal the generator's truth exactly; every award
     * counted (no award flagged); the public form shows no count under the threshold.
     */
    @Test
    void articulationCreditIsTheGeneratorsTruthAndItsPublicFormHasNoSmallCell() throws Exception {
        List<String> expected = new ArrayList<>();
        long awarded = 0;
        for (CSVRecord r : csv(run.state().resolve("expected/articulation-credit.csv"))) {
            expected.add(String.join("|", r.get("credential_code"), r.get("institution"), r.get("program"),
                    r.get("earned"), r.get("awarded"), r.get("credit_hours_awarded")));
            awarded += num(r.get("awarded"));
        }
        assertEquals(7, expected.size(), "the catalog's agreements that hold in 2024-25");
        assertTrue(awarded > 50, "the generated state awards credit");
        List<String> got = new ArrayList<>();
        for (CSVRecord r : report("articulation-credit", false)) {
            got.add(String.join("|", r.get("credential_code"), r.get("institution"), r.get("program"),
                    String.valueOf(num(r.get("earned"))), String.valueOf(num(r.get("awarded"))),
                    String.valueOf(num(r.get("credit_hours_awarded")))));
            assertFalse(r.get("career_cluster").isBlank(), "a career cluster (the aligned courses' program area): " + r);
        }
        assertEquals(new TreeSet<>(expected), new TreeSet<>(got));
        try (Standalone s = new Standalone(run.settings());
             Connection c = s.database.dataSource().getConnection();
             java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("""
                     select count(*) filter (where kind in ('unknown_agreement', 'credit_not_earned') and status <> 'resolved'),
                            (select count(*) from rpt.fact_credit_award),
                            (select count(*) from result_award)
                     from result_exception""")) {
            rs.next();
            assertEquals(0, rs.getLong(1), "no generated award is flagged");
            assertEquals(awarded, rs.getLong(2), "every award counted");
            assertEquals(awarded, rs.getLong(3), "every award stored once");
        }
        for (CSVRecord r : report("articulation-credit", true)) {
            for (String col : List.of("earned", "awarded", "credit_hours_awarded")) {
                String v = r.get(col);
                assertTrue(v.equals("*") || num(v) >= 10, r.toString());
            }
        }
    }

    @Test
    void notEnrolledExceptionsAreTheEarnedCredentialsNoCourseCountsInAYearWithEnrollments() throws Exception {
        try (Standalone s = new Standalone(run.settings());
             Connection c = s.database.dataSource().getConnection();
             java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("""
                     with years as (select distinct school_year from rpt.fact_potential),
                          unaligned as (select e.result_id from rpt.fact_earned e
                                        where not e.aligned and e.school_year in (select school_year from years)),
                          flagged as (select result_id, status from result_exception where kind = 'not_enrolled')
                     select (select count(*) from unaligned),
                            (select count(*) from unaligned u where not exists (
                                select 1 from flagged f where f.result_id = u.result_id)),
                            (select count(*) from flagged f where f.status <> 'resolved' and not exists (
                                select 1 from unaligned u where u.result_id = f.result_id))""")) {
            rs.next();
            assertTrue(rs.getLong(1) > 0, "the generated state has credentials earned outside an aligned enrollment");
            assertEquals(0, rs.getLong(2), "each of them is a not_enrolled exception");
            assertEquals(0, rs.getLong(3), "an open not_enrolled exception is such a credential");
        }
    }

    @Test
    void thePublishedHtmlHasEveryTableAndChartAndNoSmallCell() throws Exception {
        Path out = Files.createTempFile("report", ".html");
        out.toFile().deleteOnExit();
        assertEquals(0, hub("report", "--publish", "--year", YEAR, "--format", "html", "--out", out.toString(),
                "--data-dir", run.data().toString()));
        org.jsoup.nodes.Document doc = org.jsoup.Jsoup.parse(Files.readString(out, StandardCharsets.UTF_8));
        org.jsoup.nodes.Element contents = doc.getElementById("contents");
        assertTrue(contents != null && contents.text().contains("Contents"));
        assertTrue(doc.getElementById("rules").text().contains("shown as *"), "the counting rules, small cells included");
        int threshold = 10;
        int cells = 0;
        int stars = 0;
        for (Publication.Part part : Publication.PARTS) {
            org.jsoup.nodes.Element section = doc.getElementById(part.id());
            assertTrue(section != null, part.label() + " is in the report");
            assertFalse(contents.select("a[href='#" + part.id() + "']").isEmpty(), part.label() + " is in the contents");
            if (part.chart()) {
                assertTrue(section.selectFirst("img[src^='data:image/png;base64,']") != null, part.label() + " is drawn");
                if ("career-readiness-trend".equals(part.table())) {
                    continue;
                }
            }
            org.jsoup.nodes.Element table = section.selectFirst("table");
            assertTrue(table != null, part.label() + " has its table");
            Reports.Definition d = Reports.definition(part.table());
            var rows = table.select("tbody tr");
            assertFalse(rows.isEmpty(), part.label() + " has rows");
            for (org.jsoup.nodes.Element tr : rows) {
                var tds = tr.select("td");
                assertEquals(d.columns().size(), tds.size(), part.label());
                for (int col : d.countColumns()) {
                    String v = tds.get(col).text();
                    cells++;
                    if (v.equals("*")) {
                        stars++;
                    } else if (!v.isEmpty()) {
                        assertTrue(num(v) >= threshold, part.label() + ": a count under " + threshold + " is published: " + tr.text());
                    }
                }
            }
        }
        assertTrue(cells > 1000 && stars > 0, cells + " counts, " + stars + " suppressed");
    }

    @Test
    void thePublishedPdfOpensAndBeginsWithTheContents() throws Exception {
        Path out = Path.of("target/annual-report-test.pdf"); // kept for a look after the run
        assertEquals(0, hub("report", "--publish", "--year", YEAR, "--format", "pdf", "--out", out.toString(),
                "--data-dir", run.data().toString()));
        try (org.apache.pdfbox.pdmodel.PDDocument pdf = org.apache.pdfbox.Loader.loadPDF(out.toFile())) {
            assertTrue(pdf.getNumberOfPages() > 10, pdf.getNumberOfPages() + " pages");
            org.apache.pdfbox.text.PDFTextStripper text = new org.apache.pdfbox.text.PDFTextStripper();
            text.setStartPage(1);
            text.setEndPage(1);
            String first = text.getText(pdf);
            assertTrue(first.contains("Contents"), first);
            for (Publication.Part part : Publication.PARTS) {
                assertTrue(first.contains(part.label() + "."), part.label() + " in the contents page");
            }
        }
    }
}
