package org.credentialhub.catalog;

import org.credentialhub.support.Fixtures;
import org.credentialhub.support.SharedPostgres;
import org.credentialhub.store.Database;
import org.credentialhub.support.ConfigException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalog folders in config/catalog (NC 2024-25, MS 2023-24) load with their counts, side by side. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogLoaderTest {
    private Path dir;
    private Database db;
    private CatalogLoader loader;

    @BeforeAll
    void open() throws Exception {
        dir = Files.createTempDirectory("catalog-test");
        db = SharedPostgres.open(dir, 2);
        loader = new CatalogLoader(db.dataSource());
    }

    @AfterAll
    void close() throws Exception {
        db.close();
        Fixtures.deleteTree(dir);
    }

    @Test
    void everyStateFolderLoadsWithItsCounts() throws Exception {
        List<CatalogLoader.Loaded> loaded = loader.loadAll(Path.of("config/catalog"), List.of());
        assertTrue(loaded.stream().anyMatch(l -> l.state().equals("nc") && l.schoolYear().equals("2024-2025")));
        assertTrue(loaded.stream().anyMatch(l -> l.state().equals("ms") && l.schoolYear().equals("2023-2024")));

        assertEquals(130, count("select count(*) from catalog_course where state = 'nc' and school_year = '2024-2025'"));
        assertEquals(292, count("select count(*) from catalog_credential where state = 'nc' and school_year = '2024-2025'"));
        assertEquals(231, count("select count(*) from catalog_exam_code where state = 'nc' and school_year = '2024-2025'"));
        assertEquals(328, count("select count(*) from catalog_alignment where state = 'nc' and school_year = '2024-2025'"));
        assertEquals(140, count("select count(*) from catalog_combined where state = 'nc' and school_year = '2024-2025'"));
        assertEquals(47, count("select count(*) from catalog_credential where state = 'nc' and high_value"));
        assertEquals(15, count("select count(distinct combined_credential) from catalog_combined where state = 'nc' and high_value"));
        assertEquals(1, count("""
                select count(*) from catalog_credential where state = 'nc' and credential_code = 'NC-FF2B8E'
                and high_value and tier = 2 and delivered_by = 'certexam'"""));
        assertEquals(1, count("select count(*) from catalog_year where state = 'nc' and first_day = date '2024-07-01'"));

        assertEquals(0, count("select count(*) from catalog_course where state = 'ms'"));
        assertEquals(36, count("select count(*) from catalog_credential where state = 'ms' and school_year = '2023-2024'"));
        assertEquals(36, count("select count(*) from catalog_credential where state = 'ms' and high_value and delivered_by = 'district'"));
        assertEquals(0, count("select count(*) from catalog_exam_code where state = 'ms'"));
        assertEquals(49, count("select count(*) from catalog_credential_program_area where state = 'ms'"));
        assertEquals(10, count("""
                select count(*) from catalog_credential_program_area a join catalog_credential c using (state, school_year, credential_code)
                where c.state = 'ms' and c.credential_name = 'NCCER Core Curriculum'"""));
        assertEquals(0, count("select count(*) from catalog_credential where state = 'ms' and credential_code !~ '^MS-[0-9A-F]{6}$'"));

        // loading again replaces, never doubles
        loader.loadAll(Path.of("config/catalog"), List.of("nc"));
        assertEquals(292, count("select count(*) from catalog_credential where state = 'nc'"));
    }

    /**
     * A catalog just loaded is planned on its rows: without statistics the planner took NC's 328 alignments for 3 and
     * a query of the SIS offers joined to them (the generated state's, 19,489 rows) ran 31 s in nested loops instead
     * of milliseconds, until autovacuum happened to get there.
     */
    @Test
    void theLoadedCatalogsRowsAreWhatThePlannerExpects() throws Exception {
        Path own = Files.createTempDirectory(dir, "stats");
        try (Database fresh = SharedPostgres.open(own, 2)) {
            new CatalogLoader(fresh.dataSource()).loadAll(Path.of("config/catalog"), List.of("nc"));
            Map<String, Long> rows = new java.util.TreeMap<>();
            Map<String, Long> planned = new java.util.TreeMap<>();
            try (Connection c = fresh.dataSource().getConnection(); Statement st = c.createStatement()) {
                for (String table : CatalogLoader.TABLES) {
                    String where = " from " + table + " where state = 'nc' and school_year = '2024-2025'";
                    try (ResultSet rs = st.executeQuery("select count(*)" + where)) {
                        rs.next();
                        rows.put(table, Math.max(1, rs.getLong(1)));   // the planner never expects fewer than 1
                    }
                    try (ResultSet rs = st.executeQuery("explain select *" + where)) {
                        rs.next();
                        java.util.regex.Matcher m = java.util.regex.Pattern.compile("rows=(\\d+)").matcher(rs.getString(1));
                        assertTrue(m.find(), rs.getString(1));
                        planned.put(table, Long.parseLong(m.group(1)));
                    }
                }
            }
            assertEquals(rows, planned, "rows the planner expects of each catalog table, against the rows loaded");
        }
    }

    @Test
    void sameYearOfTwoStatesDoesNotCollideAndABrokenFolderChangesNothing() throws Exception {
        Path root = Files.createTempDirectory(dir, "cat");
        Path a = copyYear(Path.of("config/catalog/nc/2024-2025"), root.resolve("nc/2024-2025"), "nc");
        copyYear(Path.of("config/catalog/nc/2024-2025"), root.resolve("zz/2024-2025"), "zz");
        loader.loadAll(root, List.of());
        assertEquals(292, count("select count(*) from catalog_credential where state = 'zz' and school_year = '2024-2025'"));
        assertEquals(292, count("select count(*) from catalog_credential where state = 'nc' and school_year = '2024-2025'"));

        Files.writeString(a.resolve("course_credentials.csv"), "course_code,credential_code\nAA21,NC-NOSUCH\n");
        ConfigException e = assertThrows(ConfigException.class, () -> loader.loadYear(a));
        assertTrue(e.getMessage().contains("course_credentials.csv: row 1: credential_code NC-NOSUCH is not in credentials.csv"),
                e.getMessage());
        assertEquals(328, count("select count(*) from catalog_alignment where state = 'nc' and school_year = '2024-2025'"));
        loader.loadAll(Path.of("config/catalog"), List.of("nc"));
    }

    /**
     * A start that finds the folder it loaded before leaves the catalog as it is (its loaded_at too: the reporting
     * load rebuilds every school year when a catalog is loaded); a changed file loads the folder again.
     */
    @Test
    void anUnchangedFolderIsNotLoadedAgainAndAChangedOneIs() throws Exception {
        Path root = Files.createTempDirectory(dir, "cat");
        Path a = copyYear(Path.of("config/catalog/nc/2024-2025"), root.resolve("qq/2024-2025"), "qq");
        CatalogLoader.Loaded first = loader.loadYear(a);
        String at = text("select loaded_at::text from catalog_year where state = 'qq'");
        assertEquals(64, text("select content_sha256 from catalog_year where state = 'qq'").length());

        assertEquals(first, loader.loadYear(a), "the same counts");
        assertEquals(at, text("select loaded_at::text from catalog_year where state = 'qq'"), "not loaded again");

        Path courses = a.resolve("courses.csv");
        Files.writeString(courses, Files.readString(courses).replace("Animal Science I,", "Animal Science One,"));
        loader.loadYear(a);
        assertNotEquals(at, text("select loaded_at::text from catalog_year where state = 'qq'"), "loaded again");
        assertEquals(1, count("select count(*) from catalog_course where state = 'qq' and course_title = 'Animal Science One'"));
    }

    @Test
    void articulationAgreementsLoadAndAFolderWithoutThemHasNone() throws Exception {
        List<CatalogLoader.Loaded> loaded = loader.loadAll(Path.of("config/catalog"), List.of());
        assertEquals(8, loaded.stream().filter(l -> l.state().equals("nc")).findFirst().orElseThrow().agreements());
        assertEquals(0, loaded.stream().filter(l -> l.state().equals("ms")).findFirst().orElseThrow().agreements());
        assertEquals(8, count("select count(*) from catalog_articulation where state = 'nc' and school_year = '2024-2025'"));
        assertEquals(0, count("select count(*) from catalog_articulation where state = 'ms'"));
        assertEquals(2, count("""
                select count(*) from catalog_articulation where state = 'nc' and credential_code = 'NC-A2AF89'
                and credit_hours = 3 and program = 'A25120'"""));
        assertEquals(1, count("""
                select count(*) from catalog_articulation where credential_code = 'NC-576326'
                and institution = 'Durham Technical Community College' and first_year = '2025-2026' and last_year = '2027-2028'"""));
    }

    @Test
    void aBadAgreementRowNamesFileRowColumnAndReasonAndChangesNothing() throws Exception {
        Path root = Files.createTempDirectory(dir, "agreements");
        Path a = copyYear(Path.of("config/catalog/nc/2024-2025"), root.resolve("nc/2024-2025"), "nc");
        String header = "credential_code,institution,program,credit_hours,first_year,last_year\n";
        String good = "NC-83A7F8,Wake Technical Community College,A30120,3,2023-2024,2026-2027\n";
        Map<String, String> bad = Map.of(
                "NC-NOSUCH,Wake Technical Community College,A30120,3,2023-2024,2026-2027\n",
                "row 2: credential_code NC-NOSUCH is not in credentials.csv",
                "NC-83A7F8,,A30120,3,2023-2024,2026-2027\n", "row 2: institution is empty",
                "NC-83A7F8,Wake Technical Community College,A30120,three,2023-2024,2026-2027\n",
                "row 2: credit_hours 'three' is not a number of credit hours",
                "NC-83A7F8,Wake Technical Community College,A30120,3,2024-2026,2026-2027\n",
                "row 2: first_year '2024-2026' is not a school year such as 2024-2025",
                "NC-83A7F8,Wake Technical Community College,A30120,3,2026-2027,2024-2025\n",
                "row 2: last_year 2024-2025 comes before first_year 2026-2027",
                good, "row 2: the agreement of credential NC-83A7F8 with Wake Technical Community College, program A30120 is listed twice");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Files.writeString(a.resolve("articulation_agreements.csv"), header + good + e.getKey());
            ConfigException ex = assertThrows(ConfigException.class, () -> loader.loadYear(a));
            assertTrue(ex.getMessage().contains("articulation_agreements.csv: " + e.getValue()),
                    ex.getMessage());
        }
        Files.writeString(a.resolve("articulation_agreements.csv"), "credential_code,institution,program,credit_hours\n");
        ConfigException missing = assertThrows(ConfigException.class, () -> loader.loadYear(a));
        assertTrue(missing.getMessage().endsWith("articulation_agreements.csv: missing column 'first_year'"), missing.getMessage());
        loader.loadAll(Path.of("config/catalog"), List.of("nc"));
        assertEquals(8, count("select count(*) from catalog_articulation where state = 'nc'"));
    }

    private String text(String sql) throws Exception {
        try (java.sql.Connection c = db.dataSource().getConnection()) {
            return org.credentialhub.store.Rows.text(c, sql);
        }
    }

    private static Path copyYear(Path from, Path to, String state) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        Files.writeString(to.resolve("catalog.yaml"), Files.readString(to.resolve("catalog.yaml"))
                .replace("state: nc", "state: " + state));
        return to;
    }

    private long count(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
