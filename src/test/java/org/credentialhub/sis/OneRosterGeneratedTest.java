package org.credentialhub.sis;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.credentialhub.catalog.CatalogLoader;
import org.credentialhub.generate.Generator;
import org.credentialhub.store.Database;
import org.credentialhub.support.Hmac;
import org.junit.jupiter.api.Test;

import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SIS side of the counting rules: a generated NC state (scale 0.05) imports with an accepted verdict,
 * and student_course_offer gives, per course and credential, exactly the potential of the generator's
 * expected Table 11 (attainment-by-course-credential.csv; course as CODE-Title, credential by name).
 */
class OneRosterGeneratedTest {

    @Test
    void potentialPerCourseCredentialIsTable11() throws Exception {
        Path dir = Files.createTempDirectory("oneroster-generated");
        try {
            Path out = dir.resolve("state");
            new Generator(Generator.Inputs.of("nc-2024-25", Path.of("")), "nc-2024-25", 1,
                    new BigDecimal("0.05")).generate(out, line -> { });
            try (Database db = Database.open(null, null, null, dir.resolve("db"), 0, 2)) {
                new CatalogLoader(db.dataSource()).loadYear(Path.of("config/catalog/nc/2024-2025"));
                OneRosterImport importer = new OneRosterImport(db.dataSource(),
                        new Hmac("test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8)), 7,
                        OneRosterImport.defaultStateIdTypes());
                Verdict v = importer.importBundle(out.resolve("oneroster"));
                assertTrue(v.accepted(), () -> v.problems().toString());

                Map<String, Long> expected = new TreeMap<>();
                try (Reader r = Files.newBufferedReader(out.resolve("expected/attainment-by-course-credential.csv"));
                     var p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
                    for (CSVRecord rec : p) {
                        String course = rec.get("Course");
                        String code = course.substring(0, course.indexOf('-'));
                        expected.merge(code + " | " + rec.get("Credential Name"), Long.parseLong(rec.get("Potential").replace(",", "").trim()),
                                Long::sum);
                    }
                }
                Map<String, Long> actual = new HashMap<>();
                try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("""
                             select o.course_code || ' | ' || k.credential_name, count(*) from student_course_offer o
                             join catalog_credential k on k.state = 'nc' and k.school_year = o.school_year
                                                      and k.credential_code = o.credential_code
                             where o.school_year = '2024-2025'
                             group by 1""")) {
                    while (rs.next()) {
                        actual.put(rs.getString(1), rs.getLong(2));
                    }
                }
                assertTrue(expected.size() > 300, "expected rows: " + expected.size());
                Map<String, String> diff = new TreeMap<>();
                for (Map.Entry<String, Long> e : expected.entrySet()) {
                    long got = actual.getOrDefault(e.getKey(), 0L);
                    if (got != e.getValue()) {
                        diff.put(e.getKey(), "expected " + e.getValue() + ", got " + got);
                    }
                }
                for (String k : actual.keySet()) {
                    if (!expected.containsKey(k)) {
                        diff.put(k, "not in Table 11, got " + actual.get(k));
                    }
                }
                assertEquals(Map.of(), diff);
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
