package org.credentialhub.reporting;

import org.credentialhub.support.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report definitions ({@code reports/*.yaml}) read as the reports were when they were written in Java. */
class ReportDefinitionsTest {

    /** A report as Reports.java defined it before the definitions became files (column positions as it had them). */
    private record Former(String name, boolean allYears, boolean total, List<String> columns, int[] countColumns,
                          int[] dependsOn, Map<Integer, int[]> rates, int rateDecimals, boolean hasSql) {
    }

    private static final List<Former> FORMER = List.of(
            new Former("attainment-by-district", false, true,
                    List.of("district_code", "district", "earned", "potential", "attainment_rate"),
                    new int[]{2, 3}, new int[]{3, -1}, Map.of(4, new int[]{2, 3}), 1, true),
            new Former("attainment-by-course-credential", false, true,
                    List.of("course_code", "course", "credential_code", "credential", "earned",
                            "potential", "attainment_rate"),
                    new int[]{4, 5}, new int[]{5, -1}, Map.of(6, new int[]{4, 5}), 0, true),
            new Former("attainment-by-tier", false, true,
                    List.of("tier", "earned", "potential", "attainment_rate"),
                    new int[]{1, 2}, new int[]{2, -1}, Map.of(3, new int[]{1, 2}), 1, true),
            // issue 18: CTE enrollment, per-tier earners, the state's share and the share of CTE enrollment added
            new Former("attainment-by-student-group", false, false,
                    List.of("group_type", "student_group", "cte_enrollment", "students_enrolled", "students_earning",
                            "attainment_rate", "students_earning_tier_1", "students_earning_tier_2",
                            "students_earning_tier_3", "state_share", "share_of_cte_enrollment", "share_of_enrolled",
                            "share_of_earners", "difference_pp", "flag"),
                    new int[]{2, 3, 4, 6, 7, 8}, new int[]{-1, 2, 3, 4, 4, 4}, Map.of(5, new int[]{4, 3}), 1, true),
            // issue 18: Tables 5a-c, a tier's earners by student group over three school years
            trend(1), trend(2), trend(3),
            new Former("individual-to-combined", false, true,
                    List.of("course_code", "individual_credential", "individual_earned",
                            "combined_credential", "combined_earned"),
                    new int[]{2, 4}, new int[]{-1, -1}, Map.of(), 0, true),
            new Former("career-readiness-trend", true, true,
                    List.of("school_year", "students_earning", "earned", "potential",
                            "attainment_rate"),
                    new int[]{1, 2, 3}, new int[]{-1, 3, -1}, Map.of(4, new int[]{2, 3}), 1, true),
            new Former("attainment-by-region", false, true,
                    List.of("region", "earned", "potential", "attainment_rate"),
                    new int[]{1, 2}, new int[]{2, -1}, Map.of(3, new int[]{1, 2}), 1, true),
            new Former("attempts-vs-earned", false, true,
                    List.of("credential_code", "credential", "high_value", "attempts",
                            "passed_attempts", "students_attempting", "earned", "pass_rate"),
                    new int[]{3, 4, 5, 6}, new int[]{-1, 3, -1, 5}, Map.of(7, new int[]{4, 3}), 1, true),
            new Former("data-source-by-credential", false, true,
                    List.of("credential_code", "credential", "delivered_by", "high_value",
                            "earned_from_vendor_feeds", "earned_from_district_entry", "earned"),
                    new int[]{4, 5, 6}, new int[]{-1, -1, -1}, Map.of(), 0, true),
            new Former("credentials-by-course", false, true,
                    List.of("program_area", "course_code", "course", "credential_code",
                            "credential", "earned", "potential", "attainment_rate"),
                    new int[]{5, 6}, new int[]{6, -1}, Map.of(7, new int[]{5, 6}), 0, true),
            new Former("credentials-by-tier", false, true,
                    List.of("tier", "program_area", "course_code", "course", "credential_code",
                            "credential", "earned", "potential", "attainment_rate"),
                    new int[]{6, 7}, new int[]{7, -1}, Map.of(8, new int[]{6, 7}), 0, true),
            new Former("workforce-credentials", false, true,
                    List.of("career_cluster", "credential_code", "credential", "kind", "tier",
                            "earned"),
                    new int[]{5}, new int[]{-1}, Map.of(), 0, true),
            new Former("districts-by-rate", false, false,
                    List.of("rank", "district_code", "district", "earned", "potential",
                            "attainment_rate"),
                    new int[]{3, 4}, new int[]{4, -1}, Map.of(5, new int[]{3, 4}), 1, false),
            new Former("top-districts-by-earned", false, false,
                    List.of("rank", "district_code", "district", "earned_two_years_before",
                            "earned_year_before", "earned"),
                    new int[]{3, 4, 5}, new int[]{-1, -1, -1}, Map.of(), 0, false),
            new Former("articulation-credit", false, false,
                    List.of("career_cluster", "credential_code", "credential", "institution", "program",
                            "agreement_credit_hours", "earned", "awarded", "award_rate", "credit_hours_awarded"),
                    new int[]{6, 7, 9}, new int[]{-1, 6, 7}, Map.of(8, new int[]{7, 6}), 0, true));

    private static Former trend(int tier) {
        return new Former("tier-" + tier + "-trend-by-student-group", false, false,
                List.of("group_type", "student_group", "enrolled_two_years_before", "earning_two_years_before",
                        "rate_two_years_before", "enrolled_year_before", "earning_year_before", "rate_year_before",
                        "enrolled", "earning", "rate", "share_of_earners", "state_share"),
                new int[]{2, 3, 5, 6, 8, 9}, new int[]{-1, 2, -1, 5, -1, 8},
                Map.of(4, new int[]{3, 2}, 7, new int[]{6, 5}, 10, new int[]{9, 8}), 1, true);
    }

    @Test
    void everyDefinitionLoadsInTheFormerOrderWithTheFormerColumnsAndRoles() {
        List<Reports.Definition> loaded = ReportDefinitions.load();
        assertEquals(FORMER.stream().map(Former::name).toList(), loaded.stream().map(Reports.Definition::name).toList());
        assertEquals(FORMER.stream().map(Former::name).toList(), Reports.names());
        for (int i = 0; i < FORMER.size(); i++) {
            Former f = FORMER.get(i);
            Reports.Definition d = loaded.get(i);
            String n = f.name();
            assertEquals(f.allYears(), d.allYears(), n);
            assertEquals(f.total(), d.total(), n);
            assertEquals(f.columns(), d.columns(), n);
            assertArrayEquals(f.countColumns(), d.countColumns(), n);
            assertArrayEquals(f.dependsOn(), d.dependsOn(), n);
            assertEquals(f.rates().keySet(), d.rates().keySet(), n);
            f.rates().forEach((col, nd) -> assertArrayEquals(nd, d.rates().get(col), n + " rate " + col));
            assertEquals(f.rateDecimals(), d.rateDecimals(), n);
            assertEquals(f.hasSql(), d.sql() != null, n);
            assertFalse(d.title().isBlank(), n);
            if (d.sql() != null) {
                assertFalse(d.sql().endsWith("\n"), n);
                assertEquals(!d.allYears(), d.sql().contains("?"), n + ": a school year's query takes the year");
            }
            assertSame(Reports.ALL.get(i), Reports.definition(n));
        }
    }

    @Test
    void aFolderCopyLoadsLikeTheClasspath(@TempDir Path dir) throws IOException {
        copyDefinitions(dir);
        List<Reports.Definition> fromFolder = ReportDefinitions.load(dir);
        assertEquals(Reports.names(), fromFolder.stream().map(Reports.Definition::name).toList());
        for (int i = 0; i < fromFolder.size(); i++) {
            assertEquals(Reports.ALL.get(i).sql(), fromFolder.get(i).sql());
        }
    }

    @Test
    void aMalformedDefinitionIsOneLineNamingTheFileAndTheKey(@TempDir Path dir) throws IOException {
        copyDefinitions(dir);
        Path file = dir.resolve("attainment-by-tier.yaml");
        String good = Files.readString(file);

        assertError(dir, file, good.replace("all-years: false\n", ""),
                file + ": missing key 'all-years'");

        assertError(dir, file, good.replaceFirst("(?s)\nsql: \\|.*", "\n"),
                file + ": missing key 'sql'");

        assertError(dir, file, good.replace("numerator: earned", "numerator: earnd"),
                file + ": rates.attainment_rate.numerator: 'earnd' is not one of the counts [earned, potential]");

        Files.writeString(file, good.replace("depends-on:", "depends_on:"));
        ConfigException unknown = assertThrows(ConfigException.class, () -> ReportDefinitions.load(dir));
        assertTrue(unknown.getMessage().startsWith(file + ": unknown key 'depends_on'"), unknown.getMessage());
        assertFalse(unknown.getMessage().contains("\n"), unknown.getMessage());

        Files.writeString(file, good);
        Files.delete(dir.resolve("workforce-credentials.yaml"));
        assertError(dir, dir.resolve("workforce-credentials.yaml") + ": file not found");
    }

    /** Writes the file as given, and expects the definitions to be refused with the message. */
    private static void assertError(Path dir, Path file, String text, String expected) throws IOException {
        Files.writeString(file, text);
        assertError(dir, expected);
    }

    private static void assertError(Path dir, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> ReportDefinitions.load(dir));
        assertEquals(expected, e.getMessage());
    }

    @Test
    void tables5aTo5cAreOneFileOfThreeVariantsSharingOneQuery(@TempDir Path dir) throws IOException {
        for (int tier = 1; tier <= 3; tier++) {
            Reports.Definition d = Reports.definition("tier-" + tier + "-trend-by-student-group");
            assertTrue(d.title().startsWith("Students earning tier " + tier + " credentials")
                    && d.title().endsWith("(NC Table 5" + "abc".charAt(tier - 1) + ")"), d.title());
            assertTrue(d.sql().contains("as earning_tier_" + tier), d.sql());
            assertFalse(d.sql().contains("{"), d.sql());
            // one query counts the three tiers' earners (GroupTrends runs it once a year for the three tables)
            assertEquals(Reports.definition("tier-1-trend-by-student-group").sql(), d.sql(),
                    "the three tables share one query");
        }
        copyDefinitions(dir);
        Path file = dir.resolve("tier-trend-by-student-group.yaml");
        String good = Files.readString(file);
        assertError(dir, file, good.replace("{tier: \"2\", table: \"5b\"}", "{table: \"5b\"}"),
                file + ": variants[1]: no value for {tier}");
        assertError(dir, file, good.replace("name: tier-{tier}-trend-by-student-group", "name: tier-{tier}-trend-by-group"),
                file + ": name: 'tier-{tier}-trend-by-group' without its {keys} is 'tier-trend-by-group', not"
                + " the file's name 'tier-trend-by-student-group'");
        assertError(dir, file, good.replace("{tier: \"2\", table: \"5b\"}", "{tier: \"1\", table: \"5b\"}"),
                file + ": name: 'tier-1-trend-by-student-group' is defined twice");
    }

    /** The definition files of the classpath (those reports/index.yaml lists), copied to a folder. */
    private static void copyDefinitions(Path dir) throws IOException {
        List<String> files;
        try (InputStream in = ReportDefinitions.class.getClassLoader().getResourceAsStream("reports/index.yaml")) {
            files = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .map(l -> l.replaceFirst("#.*", "").strip()).filter(l -> l.startsWith("- "))
                    .map(l -> l.substring(2).strip()).toList();
        }
        assertTrue(files.contains("tier-trend-by-student-group"), files.toString());
        for (String name : concat("index", files)) {
            try (InputStream in = ReportDefinitions.class.getClassLoader().getResourceAsStream("reports/" + name + ".yaml")) {
                assertNotNull(in, name);
                Files.copy(in, dir.resolve(name + ".yaml"));
            }
        }
    }

    private static List<String> concat(String first, List<String> rest) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(first), rest.stream()).toList();
    }
}
