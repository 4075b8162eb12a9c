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
        // (users.csv unchanged but for usr-3, whose demographics line is gone: staged again)
        Verdict v = same(b1, "enrollments", "demographics", "users");
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

        // a byte that is not UTF-8 in a changed line: the pass over the bytes gives up, and the file staged whole is
        // refused as then, the file named
        Path bad = export(b1, "enrollments.csv", lines -> {
            List<String> out = new ArrayList<>(lines);
            out.set(600, out.get(600).replace(",2025-06-06,", ",2025-06-0\u0000,"));
            return out;
        });
        Path badFile = bad.resolve("enrollments.csv");
        byte[] bytes = Files.readAllBytes(badFile);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                bytes[i] = (byte) 0xFF;
            }
        }
        Files.write(badFile, bytes);
        v = same(bad);
        assertFalse(v.accepted(), v.toString());
        assertTrue(v.errors().stream().anyMatch(p -> "enrollments.csv".equals(p.file())), v.toString());

        // the same rows under another header (columns in another order): a new context, the file staged whole
        Path reordered = export(b1, "enrollments.csv", lines -> lines.stream().map(LineSetsTest::lastTwoFirst).toList());
        v = same(reordered, "demographics", "users");
        assertTrue(v.accepted(), v.toString());
        Path again = export(reordered, "enrollments.csv", lines -> {
            List<String> out = new ArrayList<>(lines);
            out.set(42, out.get(42).replace(",2025-06-06", ",2025-06-02"));
            return out;
        });
        same(again, "enrollments", "demographics", "users");

        // a class and a user removed that unchanged lines name: those lines are warned about, at their lines
        Path removed = export(again, "classes.csv", lines -> lines.stream().filter(l -> !l.startsWith("cls-0-3,")).toList());
        removed = export(removed, "users.csv", lines -> lines.stream().filter(l -> !l.startsWith("usr-7,")).toList(),
                removed);
        removed = export(removed, "demographics.csv", lines -> lines.stream().filter(l -> !l.startsWith("usr-7,")).toList(),
                removed);
        v = same(removed, "enrollments", "demographics", "users");
        assertTrue(v.accepted(), v.toString());
        assertTrue(v.warnings().stream().filter(p -> "classSourcedId".equals(p.column())).count() >= 1, v.toString());
        assertTrue(v.warnings().stream().filter(p -> "userSourcedId".equals(p.column())).count() >= 1, v.toString());

        // the last delivery had warnings for the file: the next one is staged whole
        Path after = export(removed, "enrollments.csv", lines -> {
            List<String> out = new ArrayList<>(lines);
            out.set(5, out.get(5).replace(",2025-06-06", ",2025-06-01"));
            return out;
        });
        same(after, "demographics", "users");

        // clean again (the last delivery had warnings: staged whole), then a delta: the next bulk is staged whole
        Path clean = export(a, "enrollments.csv", lines -> lines);
        same(clean, "demographics", "users");
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
        same(next, "enrollments", "demographics", "users");

        // a user's state ID corrected, their demographics line as it was: the new student needs its birth date, so
        // demographics.csv is staged whole, and users.csv with it
        Path corrected = export(next, "users.csv", lines -> lines.stream()
                .map(l -> l.startsWith("usr-5,") ? l.replace("{state:" + SyntheticBundle.stateId(5) + "}",
                        "{state:" + SyntheticBundle.stateId(99_995) + "}") : l).toList());
        same(corrected, "enrollments");

        // the school's identifier changes, then its district's: every student's school (district) code with it
        Path school = export(corrected, "orgs.csv", lines -> lines.stream()
                .map(l -> l.startsWith("org-s0,") ? l.replace(",900000,", ",900777,") : l).toList());
        same(school, "enrollments", "demographics", "users");
        Path district = export(school, "orgs.csv", lines -> lines.stream()
                .map(l -> l.startsWith("org-d0,") ? l.replace(",900,", ",901,") : l).toList());
        same(district, "enrollments", "demographics", "users");

        // a student becomes a teacher with another grade, without enrollments (the roster keeps the student as they
        // were); then a student enrollment of theirs, their line unchanged: the whole file gives the student the grade
        Path role = export(district, "users.csv", lines -> lines.stream()
                .map(l -> l.startsWith("usr-30,") ? l.replace(",student,", ",teacher,").replaceAll(",(9|10|11),,N$", ",12,,N") : l)
                .toList());
        role = export(role, "enrollments.csv", lines -> lines.stream().filter(l -> !l.contains(",usr-30,")).toList(), role);
        same(role, "enrollments", "demographics", "users");
        Path enrolled = export(role, "enrollments.csv", lines -> {
            List<String> out = new ArrayList<>(lines);
            out.add("enr-30-9,cls-0-1,org-s0,usr-30,student,false,2024-08-26,2025-06-06,active,2024-08-01T00:00:00Z");
            return out;
        });
        same(enrolled, "enrollments", "demographics", "users");

        // a teacher with a state ID, then a student enrollment of theirs (unchanged user line): onto the roster
        Path teacher = export(enrolled, "users.csv", lines -> {
            List<String> out = new ArrayList<>(lines);
            out.add(3, "usr-t1,active,2024-08-01T00:00:00Z,true,org-s0,teacher,tea1,\"{state:" + SyntheticBundle.stateId(88_001)
                    + "}\",Tea,Cher,,T1,,,,,,,N");
            return out;
        });
        teacher = export(teacher, "demographics.csv", lines -> {
            List<String> out = new ArrayList<>(lines);
            out.add("usr-t1,active,2024-08-01T00:00:00Z,1990-02-03,female,false,false,false,false,true,false,false,,,,");
            return out;
        }, teacher);
        same(teacher, "enrollments", "demographics", "users");

        Path taught = export(teacher, "enrollments.csv", lines -> {
            List<String> out = new ArrayList<>(lines);
            out.add("enr-t1,cls-0-1,org-s0,usr-t1,student,false,2024-08-26,2025-06-06,active,2024-08-01T00:00:00Z");
            return out;
        });
        // (staged again as a student, who needs the birth date of an unchanged demographics line: both staged whole)
        same(taught, "enrollments");

        // a changed line (and its demographics) takes a later unchanged line's state ID: the later line is kept, as
        // the whole file keeps it, and both are warned about
        String taken = SyntheticBundle.stateId(300);
        Path shared = export(taught, "users.csv", lines -> lines.stream()
                .map(l -> l.startsWith("usr-10,") ? l.replace("{state:" + SyntheticBundle.stateId(10) + "}",
                        "{state:" + taken + "}").replace(",Ana,", ",Anna,") : l).toList());
        shared = export(shared, "demographics.csv", lines -> lines.stream()
                .map(l -> l.startsWith("usr-10,") ? l.replace(",active,2024-08-01", ",active,2024-08-02") : l).toList(), shared);
        v = same(shared, "enrollments", "demographics", "users");
        assertEquals(2, v.warnings().stream().filter(p -> "identifier".equals(p.column())).count(), v.toString());

        // the CSV roster rewrites a student of this source: its next users and demographics files are staged whole, and
        // give it back
        Path fixed = export(taught, "enrollments.csv", lines -> lines);
        same(fixed, "enrollments", "demographics");
        for (SisTestDb db : List.of(fast, whole)) {
            new org.credentialhub.roster.RosterLoader(db.db.dataSource(), SisTestDb.HMAC).load(List.of(
                    new org.credentialhub.roster.RosterLoader.Student(SyntheticBundle.stateId(20), "Other", "Name",
                            java.time.LocalDate.of(2008, 1, 1), "901", "900777")));
        }
        same(export(fixed, "enrollments.csv", lines -> lines), "enrollments");
        same(export(fixed, "demographics.csv", lines -> lines), "enrollments", "demographics", "users");

        // users.csv under another header: its pass finds no comparable line set, and it is staged whole once the
        // others are (with the roster's stored neighbourhoods), demographics with it for the birth dates; then its
        // lines under the new header are its line set
        Path header = export(fixed, "users.csv", lines -> lines.stream().map(LineSetsTest::lastTwoFirst).toList());
        same(header, "enrollments");
        Path underIt = export(header, "demographics.csv", lines -> lines);
        same(underIt, "enrollments", "demographics", "users");

        // an organisation change that stages every user again, more text than is held: users.csv staged whole
        fast.importer.withChangedTextLimit(2_000);
        try {
            Path many = export(underIt, "orgs.csv", lines -> lines.stream()
                    .map(l -> l.startsWith("org-s0,") ? l.replace(",900777,", ",900778,") : l).toList());
            same(many, "enrollments");
        } finally {
            fast.importer.withChangedTextLimit(LineSets.MAX_CHANGED_CHARS);
        }

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

    /**
     * OneRoster 1.2, where a user's role and organisation are in roles.csv: a role's organisation or role changed, or
     * the role removed, with the user's line unchanged.
     */
    @Test
    void rolesChangedUnderUnchangedUsersEndAsTheWholeFile() throws Exception {
        Path a = bundles.resolve("v12");
        Files.createDirectories(a);
        Files.writeString(a.resolve("manifest.csv"), """
                propertyName,value
                manifest.version,1.0
                oneroster.version,1.2
                file.academicSessions,absent
                file.categories,absent
                file.classes,absent
                file.classResources,absent
                file.courses,absent
                file.courseResources,absent
                file.demographics,bulk
                file.enrollments,absent
                file.lineItems,absent
                file.orgs,bulk
                file.resources,absent
                file.results,absent
                file.roles,bulk
                file.userProfiles,absent
                file.users,bulk
                """, StandardCharsets.UTF_8);
        Files.writeString(a.resolve("orgs.csv"), """
                sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId
                org-d0,active,2024-08-01T00:00:00Z,District 0,district,700,
                org-s0,active,2024-08-01T00:00:00Z,School 0,school,700001,org-d0
                org-s1,active,2024-08-01T00:00:00Z,School 1,school,700002,org-d0
                """, StandardCharsets.UTF_8);
        StringBuilder users = new StringBuilder("sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,"
                + "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,"
                + "preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns\n");
        StringBuilder roles = new StringBuilder("sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,"
                + "endDate,orgSourcedId,userProfileSourcedId\n");
        StringBuilder demographics = new StringBuilder("sourcedId,status,dateLastModified,birthDate,sex,"
                + "americanIndianOrAlaskaNative,asian,blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,"
                + "demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,stateOfBirthAbbreviation,"
                + "cityOfBirth,publicSchoolResidenceStatus\n");
        for (int i = 0; i < 60; i++) {
            users.append("usr-").append(i).append(",active,2024-08-01T00:00:00Z,true,user").append(i).append(",\"{state:")
                    .append(SyntheticBundle.stateId(50_000 + i)).append("}\",Given").append(i % 7).append(",Family")
                    .append(i % 5).append(",,L").append(i).append(",,,,,").append(9 + i % 4).append(",,,,,,,\n");
            roles.append("rol-").append(i).append(",active,2024-08-01T00:00:00Z,usr-").append(i).append(",primary,student,,,org-s")
                    .append(i % 2).append(",\n");
            demographics.append("usr-").append(i).append(",active,2024-08-01T00:00:00Z,2008-0").append(1 + i % 9).append("-11,")
                    .append(i % 2 == 0 ? "female" : "male").append(",false,false,false,false,true,false,false,,,,\n");
        }
        Files.writeString(a.resolve("users.csv"), users, StandardCharsets.UTF_8);
        Files.writeString(a.resolve("roles.csv"), roles, StandardCharsets.UTF_8);
        Files.writeString(a.resolve("demographics.csv"), demographics, StandardCharsets.UTF_8);
        Verdict first = same("sis12", a);
        assertTrue(first.accepted() && first.warnings().isEmpty(), first.toString());
        Path again = export(a, "roles.csv", lines -> lines);
        same("sis12", again, "users", "demographics");
        Path moved = export(again, "roles.csv", lines -> lines.stream()
                .map(l -> l.startsWith("rol-3,") ? l.replace(",org-s1,", ",org-s0,") : l).toList());
        same("sis12", moved, "users", "demographics");
        Path teaches = export(moved, "roles.csv", lines -> lines.stream()
                .map(l -> l.startsWith("rol-4,") ? l.replace(",student,", ",teacher,") : l).toList());
        same("sis12", teaches, "users", "demographics");
        Path gone = export(teaches, "roles.csv", lines -> lines.stream().filter(l -> !l.startsWith("rol-5,")).toList());
        same("sis12", gone, "users", "demographics");
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
        return same(OneRosterImport.DEFAULT_FEED, bundle, converted);
    }

    private Verdict same(String feed, Path bundle, String... converted) throws Exception {
        Verdict f = fast.importer.importBundle(feed, bundle, bundle.getFileName().toString());
        Set<String> asDelta = fast.importer.lastConverted;
        Verdict w = whole.importer.importBundle(feed, bundle, bundle.getFileName().toString());
        assertEquals(w, f);
        if (f.accepted()) {
            assertEquals(Set.of(converted), asDelta, bundle.getFileName().toString());
        }
        for (String table : List.of(
                "select * from sis_enrollment order by sis_source, sourced_id",
                "select * from sis_demographics order by sis_source, sourced_id",
                // (students by their state IDs: the two databases number new students apart, an upsert taking a
                // number for every row it proposes)
                "select " + columns("sis_user", "u.") + ", s.state_id_hash from sis_user u left join student s"
                        + " on s.student_id = u.student_id order by u.sis_source, u.sourced_id",
                "select " + columns("student", "") + " from student order by state_id_hash",
                "select sis_source, file, context, delivery_id from sis_line_set order by 1, 2")) {
            String ws = dump(whole, table);
            String fs = dump(fast, table);
            if (!ws.equals(fs)) {   // the first row that differs
                List<String> a = List.of(ws.split("\n"));
                List<String> b = List.of(fs.split("\n"));
                int i = 0;
                while (i < Math.min(a.size(), b.size()) && a.get(i).equals(b.get(i))) {
                    i++;
                }
                assertEquals(i < a.size() ? a.get(i) : "(no more rows)", i < b.size() ? b.get(i) : "(no more rows)",
                        bundle.getFileName() + ": " + table);
            }
        }
        return f;
    }

    /** A table's columns but when a row was written and the roster's numbers of students. */
    private String columns(String table, String prefix) throws SQLException {
        return dump(whole, "select string_agg('" + prefix + "' || column_name, ', ' order by ordinal_position)"
                + " from information_schema.columns where table_schema = current_schema() and table_name = '" + table
                + "' and data_type not like 'timestamp%' and column_name <> 'student_id'").replace("|\n", "");
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
