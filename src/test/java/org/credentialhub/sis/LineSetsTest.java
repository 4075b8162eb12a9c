package org.credentialhub.sis;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bulk enrollments file staged as the delta it is ({@link LineSets}) ends exactly as the whole file staged: the
 * same verdicts (status, rows, every problem with its line), the same published rows, the same roster, through a
 * sequence of bulk exports that change, drop, add, move and repeat lines, break a value, change the header, remove
 * what unchanged lines refer to, and a delta between them. One database imports with line sets, the other stages
 * every file whole; both with the default guard.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LineSetsTest {
    private SisTestDb fast;
    private SisTestDb whole;
    private Path bundles;
    private int exports;

    @BeforeAll
    void open() throws Exception {
        fast = SisTestDb.open("line-sets-fast");
        whole = SisTestDb.open("line-sets-whole");
        fast.importer.guarded(SisGuard.defaults(), fast.dir.resolve("held"));
        whole.importer.withoutLineSets().guarded(SisGuard.defaults(), whole.dir.resolve("held"));
        bundles = Files.createTempDirectory("line-sets-bundles");
    }

    @AfterAll
    void close() throws Exception {
        fast.close();
        whole.close();
        org.credentialhub.support.Fixtures.deleteTree(bundles);
    }

    @Test
    void aBulkStagedAsItsChangedLinesEndsAsTheWholeFile() throws Exception {
        Path a = bundles.resolve("a");
        SyntheticBundle.write(a, 400, 4, 3);
        same(a);

        // 1 % changed, three lines dropped, two added, a block moved: only the changed lines are staged
        Path b1 = export(a, "enrollments.csv", lines -> {
            List<String> out = new ArrayList<>(lines);
            for (int i = 1; i < out.size(); i += 100) {
                out.set(i, out.get(i).replace(",2025-06-06,", ",2025-05-30,"));
            }
            out.remove(500);
            out.remove(700);
            out.remove(out.size() - 1);
            out.add(300, "enr-new-1,cls-0-1,org-s0,usr-0,student,false,2024-08-26,2025-06-06,active,2024-08-01T00:00:00Z");
            out.add("enr-new-2,cls-0-2,org-s0,usr-4,student,true,2024-08-26,,active,2024-09-01T00:00:00Z");
            List<String> block = new ArrayList<>(out.subList(900, 950));
            out.subList(900, 950).clear();
            out.addAll(100, block);
            return out;
        });
        b1 = export(b1, "demographics.csv", lines -> {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i);
                if (!l.startsWith("usr-3,")) {
                    out.add(i % 100 == 7 ? (l.contains(",female,") ? l.replace(",female,", ",male,") : l.replace(",male,", ",female,")) : l);
                }
            }
            return out;
        }, b1);
        Verdict v = same(b1, "enrollments", "demographics");
        assertTrue(v.accepted(), v.toString());
        assertEquals(1599, v.rows().get("enrollments.csv"));

        // a changed line gives an unchanged line's sourcedId: the file is staged whole after all, and refused as then
        Path dup = export(b1, "enrollments.csv", lines -> {
            List<String> out = new ArrayList<>(lines);
            out.set(1200, out.get(20).replace(",2025-06-06,", ",2025-04-01,"));
            return out;
        });
        v = same(dup);
        assertFalse(v.accepted(), v.toString());
        assertTrue(v.errors().stream().anyMatch(p -> p.message().startsWith("the same sourcedId as line")), v.toString());

        // a value a changed line breaks is named at its line in the file
        Path broken = export(b1, "enrollments.csv", lines -> {
            List<String> out = new ArrayList<>(lines);
            out.set(777, out.get(777).replace(",2024-08-26,", ",2024-13-40,"));
            out.set(10, out.get(10).replace(",2025-06-06,", ",2025-06-05,"));
            return out;
        });
        v = same(broken);
        assertFalse(v.accepted(), v.toString());
        assertEquals(778, v.errors().get(0).line(), v.toString());

        // the same rows under another header (columns in another order): a new context, the file staged whole
        Path reordered = export(b1, "enrollments.csv", lines -> lines.stream().map(LineSetsTest::lastTwoFirst).toList());
        v = same(reordered, "demographics");
        assertTrue(v.accepted(), v.toString());
        Path again = export(reordered, "enrollments.csv", lines -> {
            List<String> out = new ArrayList<>(lines);
            out.set(42, out.get(42).replace(",2025-06-06", ",2025-06-02"));
            return out;
        });
        same(again, "enrollments", "demographics");

        // a class and a user removed that unchanged lines name: those lines are warned about, at their lines
        Path removed = export(again, "classes.csv", lines -> lines.stream().filter(l -> !l.startsWith("cls-0-3,")).toList());
        removed = export(removed, "users.csv", lines -> lines.stream().filter(l -> !l.startsWith("usr-7,")).toList(),
                removed);
        removed = export(removed, "demographics.csv", lines -> lines.stream().filter(l -> !l.startsWith("usr-7,")).toList(),
                removed);
        v = same(removed, "enrollments", "demographics");
        assertTrue(v.accepted(), v.toString());
        assertTrue(v.warnings().stream().filter(p -> "classSourcedId".equals(p.column())).count() >= 1, v.toString());
        assertTrue(v.warnings().stream().filter(p -> "userSourcedId".equals(p.column())).count() >= 1, v.toString());

        // the last delivery had warnings for the file: the next one is staged whole
        Path after = export(removed, "enrollments.csv", lines -> {
            List<String> out = new ArrayList<>(lines);
            out.set(5, out.get(5).replace(",2025-06-06", ",2025-06-01"));
            return out;
        });
        same(after, "demographics");

        // clean again (the last delivery had warnings: staged whole), then a delta: the next bulk is staged whole
        Path clean = export(a, "enrollments.csv", lines -> lines);
        same(clean, "demographics");
        Path delta = bundles.resolve("delta-" + exports++);
        Files.createDirectories(delta);
        Files.writeString(delta.resolve("manifest.csv"), """
                propertyName,value
                manifest.version,1.0
                oneroster.version,1.1
                file.enrollments,delta
                """, StandardCharsets.UTF_8);
        Files.writeString(delta.resolve("enrollments.csv"), """
                sourcedId,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate,status,dateLastModified
                enr-0-0,cls-0-1,org-s0,usr-0,student,false,2024-08-26,2025-06-06,tobedeleted,2025-02-01T00:00:00Z
                """, StandardCharsets.UTF_8);
        assertTrue(same(delta).accepted());
        Path bulk = export(clean, "enrollments.csv", lines -> {
            List<String> out = new ArrayList<>(lines);
            out.set(9, out.get(9).replace(",2025-06-06", ",2025-06-03"));
            return out;
        });
        same(bulk);
        Path next = export(bulk, "enrollments.csv", lines -> {
            List<String> out = new ArrayList<>(lines);
            out.set(19, out.get(19).replace(",2025-06-06", ",2025-06-03"));
            return out;
        });
        same(next, "enrollments", "demographics");

        // a user's state ID corrected, their demographics line as it was: the new student needs its birth date, so
        // demographics.csv is staged whole
        Path corrected = export(next, "users.csv", lines -> lines.stream()
                .map(l -> l.startsWith("usr-5,") ? l.replace("{state:" + SyntheticBundle.stateId(5) + "}",
                        "{state:" + SyntheticBundle.stateId(99_995) + "}") : l).toList());
        same(corrected, "enrollments");

        // a bulk that removes a fifth of the enrollments is held, by the same figures
        Path fifth = export(next, "enrollments.csv", lines -> {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                if (i == 0 || i % 5 != 0) {
                    out.add(lines.get(i));
                }
            }
            return out;
        });
        assertTrue(same(fifth).held());
    }

    /** The line with its last two fields first. */
    private static String lastTwoFirst(String line) {
        String[] f = line.split(",", -1);
        List<String> out = new ArrayList<>();
        out.add(f[f.length - 2]);
        out.add(f[f.length - 1]);
        out.addAll(List.of(f).subList(0, f.length - 2));
        return String.join(",", out);
    }

    private Path export(Path from, String file, UnaryOperator<List<String>> change) throws IOException {
        return export(from, file, change, null);
    }

    /** A new export: the bundle copied (or {@code into} changed in place), one file's lines changed. */
    private Path export(Path from, String file, UnaryOperator<List<String>> change, Path into) throws IOException {
        Path to = into;
        if (to == null) {
            to = bundles.resolve("export-" + exports++);
            Files.createDirectories(to);
            try (Stream<Path> files = Files.list(from)) {
                for (Path f : files.toList()) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
            Path manifest = to.resolve("manifest.csv");
            Files.writeString(manifest, Files.readString(manifest).replaceAll("source\\.exportedAt,.*\n", "")
                    + "source.exportedAt," + exports + "\n");
        }
        Path f = to.resolve(file);
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        Files.write(f, change.apply(lines), StandardCharsets.UTF_8);
        return to;
    }

    /** Imports the bundle into both; asserts the same verdict and tables, and which files went as deltas. */
    private Verdict same(Path bundle, String... converted) throws Exception {
        Verdict f = fast.importer.importBundle(bundle);
        Set<String> asDelta = fast.importer.lastConverted;
        Verdict w = whole.importer.importBundle(bundle);
        assertEquals(w, f);
        if (f.accepted()) {
            assertEquals(Set.of(converted), asDelta, bundle.getFileName().toString());
        }
        for (String table : List.of(
                "select * from sis_enrollment order by sis_source, sourced_id",
                "select * from sis_demographics order by sis_source, sourced_id",
                "select sis_source, sourced_id, status, role, primary_org_sourced_id, student_id, delivery_id from sis_user"
                        + " order by sis_source, sourced_id",
                "select student_id, state_id_hash, grade, district_code, school_code, sex, birth_date from student"
                        + " order by student_id",
                "select sis_source, file, context, delivery_id from sis_line_set order by 1, 2")) {
            assertEquals(dump(whole, table), dump(fast, table), table);
        }
        return f;
    }

    private static String dump(SisTestDb db, String sql) throws SQLException {
        StringBuilder sb = new StringBuilder();
        try (Connection c = db.db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    sb.append(rs.getString(i)).append('|');
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
