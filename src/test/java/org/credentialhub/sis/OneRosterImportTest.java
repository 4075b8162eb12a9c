package org.credentialhub.sis;

import org.credentialhub.support.Hmac;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A synthetic SIS end to end: a bulk bundle (columns out of order, extension columns) reaches the
 * roster and the student_course_enrollment view; a delta changes it; a zip loads the same; a refused
 * bundle leaves the earlier data untouched.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OneRosterImportTest extends OneRosterTestCase {
    private static final int STUDENTS = 300;
    private static final int PER_STUDENT = 3;
    private Hmac hmac;
    private Path bulk;

    OneRosterImportTest() {
        super("oneroster-import");
    }

    @BeforeAll
    void writeBulk() throws Exception {
        hmac = SisTestDb.HMAC;
        bulk = dir.resolve("bulk");
        SyntheticBundle.write(bulk, STUDENTS, PER_STUDENT, 42);
    }

    @Test
    @Order(1)
    void bulkReachesRosterAndView() throws Exception {
        Verdict v = importer.importBundle(bulk);
        assertTrue(v.accepted(), () -> v.problems().toString());
        assertTrue(v.problems().isEmpty(), () -> v.problems().toString());   // order and ext_/metadata. columns never matter
        assertEquals(STUDENTS, count("select count(*) from student"));
        assertEquals(STUDENTS * PER_STUDENT, count("select count(*) from student_course_enrollment"));
        assertEquals(0, count("select count(*) from student_course_enrollment where school_year <> '2024-2025'"));
        // student 7: state ID from userIds {state:...}, hashed; school and district from the orgs' identifiers
        String hash = hmac.stateId(SyntheticBundle.stateId(7));
        assertEquals(1, count("select count(*) from student where state_id_hash = '" + hash
                + "' and district_code = '900' and school_code = '900000' and sourced_id = 'usr-7' and birth_date is not null"
                + " and sex in ('male', 'female') and grade is not null"));
        assertEquals(PER_STUDENT, count("""
                select count(*) from student_course_enrollment e join student s using (student_id)
                where s.state_id_hash = '%s' and e.district_code = '900' and e.school_code = '900000'
                  and e.begin_date = date '2024-08-26' and e.course_code in (%s)""".formatted(hash, codes())));
        assertNull(string("select state_id_hash from student where state_id_hash = '" + SyntheticBundle.stateId(7) + "'"));
        assertEquals(1, count("select count(*) from district where district_code = '900'"));
        assertEquals(1, count("select count(*) from school where school_code = '900000' and district_code = '900'"));
        assertEquals("accepted", string("select status from delivery where delivery_id = " + v.deliveryId()));
    }

    @Test
    @Order(2)
    void deltaAppliesChanges() throws Exception {
        Path delta = dir.resolve("delta");
        Files.createDirectories(delta);
        Files.writeString(delta.resolve("manifest.csv"), """
                propertyName,value
                manifest.version,1.0
                oneroster.version,1.1
                file.enrollments,delta
                file.demographics,delta
                file.users,delta
                file.orgs,absent
                """);
        // usr-0 leaves one class, joins another; usr-1's demographics change; usr-2 is renamed
        Files.writeString(delta.resolve("enrollments.csv"), """
                sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate
                enr-0-0,tobedeleted,2024-10-01T00:00:00Z,cls-0-0,org-s0,usr-0,student,false,,
                enr-0-new,active,2024-10-01T00:00:00Z,cls-0-1,org-s0,usr-0,student,false,2024-10-01,2025-06-06
                """);
        Files.writeString(delta.resolve("demographics.csv"), """
                sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus
                usr-1,active,2024-10-01T00:00:00Z,2008-02-29,female,false,false,false,false,false,true,true,,,,
                """);
        Files.writeString(delta.resolve("users.csv"), """
                sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password
                usr-2,active,2024-10-01T00:00:00Z,true,org-s2,student,x,{state:%s},Zed,Renamed,,,,,,,11,
                """.formatted(SyntheticBundle.stateId(2)));
        Verdict v = importer.importBundle(delta);
        assertTrue(v.accepted(), () -> v.problems().toString());
        String h0 = hmac.stateId(SyntheticBundle.stateId(0));
        assertEquals(0, count("select count(*) from sis_enrollment where sourced_id = 'enr-0-0'"));
        assertEquals(1, count("select count(*) from student_course_enrollment e join student s using (student_id) "
                + "where s.state_id_hash = '" + h0 + "' and e.class_sourced_id = 'cls-0-1' and e.begin_date = date '2024-10-01'"));
        assertEquals(STUDENTS * PER_STUDENT, count("select count(*) from student_course_enrollment"));
        assertEquals(1, count("select count(*) from student where sourced_id = 'usr-1' and birth_date = date '2008-02-29'"
                + " and sex = 'female' and two_or_more_races and hispanic_or_latino"));
        assertEquals(1, count("select count(*) from student where sourced_id = 'usr-2' and last_name = 'Renamed' and grade = '11'"));
        assertEquals(STUDENTS, count("select count(*) from student"));

        // an older change than what is stored is not applied
        Files.writeString(delta.resolve("users.csv"), """
                sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password
                usr-2,active,2024-09-01T00:00:00Z,false,org-s2,student,x,{state:%s},Zed,Renamed,,,,,,,12,
                """.formatted(SyntheticBundle.stateId(2)));
        Files.delete(delta.resolve("enrollments.csv"));
        Files.delete(delta.resolve("demographics.csv"));
        Files.writeString(delta.resolve("manifest.csv"), "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.users,delta\n");
        assertTrue(importer.importBundle(delta).accepted());
        assertEquals(1, count("select count(*) from sis_user where sourced_id = 'usr-2' and enabled_user"));
    }

    @Test
    @Order(3)
    void zipOfABulkLoadsTheSame() throws Exception {
        Path zip = dir.resolve("bundle.zip");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out);
             Stream<Path> files = Files.list(bulk)) {
            for (Path f : files.sorted().toList()) {
                z.putNextEntry(new ZipEntry("export-2024/" + f.getFileName()));   // in one folder inside the zip
                Files.copy(f, z);
                z.closeEntry();
            }
        }
        Verdict v = importer.importBundle(zip);
        assertTrue(v.accepted(), () -> v.problems().toString());
        // a bulk replaces the delta's changes
        assertEquals(1, count("select count(*) from sis_enrollment where sourced_id = 'enr-0-0'"));
        assertEquals(0, count("select count(*) from sis_enrollment where sourced_id = 'enr-0-new'"));
        assertEquals(STUDENTS * PER_STUDENT, count("select count(*) from student_course_enrollment"));
    }

    @Test
    @Order(4)
    void refusedBundleLeavesEarlierDataUntouched() throws Exception {
        Path bad = dir.resolve("bad");
        SyntheticBundle.write(bad, 50, 2, 7);
        // break the standard in the last line of enrollments and in users: a date and a misspelt header
        Path enr = bad.resolve("enrollments.csv");
        Files.writeString(enr, Files.readString(enr).stripTrailing().replaceAll("2025-06-06,active,([^\\n]*)$", "06/06/2025,active,$1") + "\n");
        Path users = bad.resolve("users.csv");
        Files.writeString(users, Files.readString(users).replaceFirst("givenName", "givenNmae"));
        long enrollments = count("select count(*) from sis_enrollment");
        long students = count("select count(*) from student");
        String fingerprint = string("select md5(string_agg(sourced_id || coalesce(class_sourced_id, ''), ',' order by sourced_id)) from sis_enrollment");

        Verdict v = importer.importBundle(bad);
        assertFalse(v.accepted());
        assertTrue(OneRosterFixturesTest.has(v, Problem.Severity.ERROR, "enrollments.csv", "endDate", "not an ISO 8601 date"));
        assertTrue(v.problems().stream().anyMatch(p -> p.file().equals("enrollments.csv") && p.line() == 101));
        assertTrue(OneRosterFixturesTest.has(v, Problem.Severity.ERROR, "users.csv", "givenNmae", "did you mean givenName?"));
        assertTrue(OneRosterFixturesTest.has(v, Problem.Severity.ERROR, "users.csv", "givenName", "missing column"));
        assertEquals(enrollments, count("select count(*) from sis_enrollment"));
        assertEquals(students, count("select count(*) from student"));
        assertEquals(fingerprint, string("select md5(string_agg(sourced_id || coalesce(class_sourced_id, ''), ',' order by sourced_id)) from sis_enrollment"));
        assertEquals("quarantined", string("select status from delivery where delivery_id = " + v.deliveryId()));
        assertEquals(v.problems().size(), count("select count(*) from delivery_problem where delivery_id = " + v.deliveryId()));
        // no personal data in what is recorded
        assertEquals(0, count("select count(*) from delivery_problem where message ~ '06/06/2025|Ana|Pena|1000000'"));
    }

    @Test
    @Order(5)
    void notABundle() throws Exception {
        Path junk = dir.resolve("junk.zip");
        Files.writeString(junk, "not a zip");
        Verdict v = importer.importBundle(junk);
        assertFalse(v.accepted());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Verdict e = importer.importBundle(empty);
        assertFalse(e.accepted());
        assertTrue(OneRosterFixturesTest.has(e, Problem.Severity.ERROR, "manifest.csv", null, "no manifest.csv"));
    }

    @Test
    @Order(6)
    void aQuoteInsideAnUnquotedFieldIsRefusedWithItsRowAndColumn() throws Exception {
        Path bad = dir.resolve("stray-quote");
        SyntheticBundle.write(bad, 20, 1, 11);
        // row 6 (the file's 6th record, header included): a stray quote inside the unquoted given name (the field
        // after the quoted userIds); row 8: a correctly quoted value with a doubled quote, which RFC 4180 allows
        editLines(bad.resolve("users.csv"), lines -> {
            lines.set(5, givenName(lines.get(5), "Ma\"ria"));
            lines.set(7, givenName(lines.get(7), "\"O\"\"Neil\""));
        });
        long students = count("select count(*) from student");

        Verdict v = importer.importBundle(bad);
        assertFalse(v.accepted());
        assertTrue(v.problems().stream().anyMatch(p -> p.severity() == Problem.Severity.ERROR
                && p.file().equals("users.csv") && p.line() == 6 && "givenName".equals(p.column())
                && p.message().contains("RFC 4180")), () -> v.problems().toString());
        assertEquals(1, v.errors().size(), () -> v.problems().toString());   // row 8 is fine
        assertFalse(v.problems().toString().contains("Ma\"ria"));
        assertEquals(students, count("select count(*) from student"));
    }

    @Test
    @Order(6)
    void aNulCharacterIsItsRowsErrorAndAnEncodedSurrogateIsNotUtf8() throws Exception {
        Path bad = dir.resolve("nul");
        SyntheticBundle.write(bad, 20, 1, 12);
        // row 4: a NUL inside a quoted given name; row 9: one inside an unquoted family name (before its last letter)
        editLines(bad.resolve("users.csv"), lines -> {
            lines.set(3, givenName(lines.get(3), "\"Ma\u0000ria\""));
            String family = familyName(lines.get(8));
            lines.set(8, familyName(lines.get(8), family.substring(0, family.length() - 1) + "\u0000"
                    + family.substring(family.length() - 1)));
        });
        long students = count("select count(*) from student");

        Verdict v = importer.importBundle(bad);
        assertFalse(v.accepted());
        assertEquals(List.of("users.csv 4 givenName", "users.csv 9 familyName"), v.errors().stream()
                .map(p -> p.file() + " " + p.line() + " " + p.column()).toList(), () -> v.problems().toString());
        assertTrue(v.errors().stream().allMatch(p -> p.message().contains("NUL")), () -> v.problems().toString());
        assertEquals(students, count("select count(*) from student"));

        // a UTF-16 surrogate encoded in three bytes (CESU-8) is not UTF-8: the file cannot be read from that line on
        Path cesu = dir.resolve("cesu");
        SyntheticBundle.write(cesu, 20, 1, 12);
        Path cesuUsers = cesu.resolve("users.csv");
        byte[] text = Files.readAllBytes(cesuUsers);
        int at = new String(text, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("\nusr-3,") + 1;
        byte[] broken = new byte[text.length + 3];
        System.arraycopy(text, 0, broken, 0, at);
        broken[at] = (byte) 0xED;
        broken[at + 1] = (byte) 0xA0;
        broken[at + 2] = (byte) 0x80;
        System.arraycopy(text, at, broken, at + 3, text.length - at);
        Files.write(cesuUsers, broken);
        Verdict c = importer.importBundle(cesu);
        assertFalse(c.accepted());
        assertTrue(c.errors().stream().anyMatch(p -> p.file().equals("users.csv") && p.message().contains("not UTF-8")),
                () -> c.problems().toString());
    }

    @Test
    @Order(10)   // (last: its feed's users are another SIS's, which the tests before count apart from)
    void aValueRepeatedFromRowToRowIsToldAtEachRowItHasAProblemAndStoredAsWritten() throws Exception {
        // staging takes a column's value again when its bytes are the last value's (RosterStaging.Row): a value with a
        // problem is read again at each row, and one written otherwise (quoted, with blanks) is still the same value
        Path warned = dir.resolve("repeats-warned");
        SyntheticBundle.write(warned, 20, 2, 13);
        List<String> ids = new ArrayList<>();
        editLines(warned.resolve("enrollments.csv"), lines -> {
            for (int i = 1; i < lines.size(); i++) {
                ids.add(lines.get(i).substring(0, lines.get(i).indexOf(',')));
            }
            for (int i = 2; i <= 4; i++) {
                lines.set(i, field(lines.get(i), 8, "inactive"));   // lines 3-5: a 1.0 status, a warning each
            }
            lines.set(6, field(lines.get(6), 6, " 2024-09-02 "));   // line 7
            lines.set(7, field(lines.get(7), 6, "\"2024-09-02\""));   // line 8: the same date, quoted
            lines.set(8, field(lines.get(8), 4, "\"student\""));
            lines.set(9, field(lines.get(9), 4, "Student"));   // line 10: read as student, with a warning
            lines.set(10, field(lines.get(10), 4, "Student"));
        });
        Verdict v = importer.importBundle("repeats", warned, "repeats-warned");
        assertTrue(v.accepted(), () -> v.problems().toString());
        assertEquals(List.of("3 status", "4 status", "5 status", "10 role", "11 role"), v.problems().stream()
                .filter(p -> p.file().equals("enrollments.csv") && p.line() > 0).map(p -> p.line() + " " + p.column())
                .toList(), () -> v.problems().toString());
        assertEquals("active,inactive,inactive,inactive,active", string("select string_agg(status, ',' order by"
                + " sourced_id) from sis_enrollment where sis_source = 'repeats' and sourced_id in ('" + ids.get(0)
                + "', '" + ids.get(1) + "', '" + ids.get(2) + "', '" + ids.get(3) + "', '" + ids.get(4) + "')"));
        assertEquals("2024-09-02,2024-09-02,2024-08-26", string("select string_agg(begin_date::text, ',' order by"
                + " sourced_id) from sis_enrollment where sis_source = 'repeats' and sourced_id in ('" + ids.get(5)
                + "', '" + ids.get(6) + "', '" + ids.get(7) + "')"));
        assertEquals(2 * 20, count("select count(*) from sis_enrollment where sis_source = 'repeats' and role = 'student'"));

        // an invalid date on three lines in a row: each line's error
        Path refused = dir.resolve("repeats-refused");
        SyntheticBundle.write(refused, 20, 2, 13);
        editLines(refused.resolve("enrollments.csv"), lines -> {
            for (int i = 3; i <= 5; i++) {
                lines.set(i, field(lines.get(i), 7, "2025-02-30"));
            }
        });
        Verdict r = importer.importBundle("repeats", refused, "repeats-refused");
        assertFalse(r.accepted());
        assertEquals(List.of("enrollments.csv 4 endDate", "enrollments.csv 5 endDate", "enrollments.csv 6 endDate"),
                r.errors().stream().map(p -> p.file() + " " + p.line() + " " + p.column()).toList(),
                () -> r.problems().toString());
    }

    /** A line of comma-separated fields (none quoted) with its {@code i}-th field (0-based) replaced. */
    private static String field(String line, int i, String value) {
        String[] fields = line.split(",", -1);
        fields[i] = value;
        return String.join(",", fields);
    }

    @Test
    @Order(7)
    void aFileMarkedAbsentButPresentIsNamedInAWarning() throws Exception {
        Path odd = dir.resolve("absent-present");
        SyntheticBundle.write(odd, 20, 1, 12);
        Path manifest = odd.resolve("manifest.csv");
        Files.writeString(manifest, Files.readString(manifest).replaceFirst("file\\.demographics,bulk", "file.demographics,absent"));
        assertTrue(Files.readString(manifest).contains("file.demographics,absent"));
        Verdict v = importer.importBundle(odd);
        assertTrue(OneRosterFixturesTest.has(v, Problem.Severity.WARNING, "demographics.csv", null,
                "marked absent in the manifest"), () -> v.problems().toString());
    }

    /**
     * A bulk that drops one student's demographics row (the student stays) and another student's user row and
     * enrollments (their demographics row stays): each table loses exactly its own row. Users and demographics share
     * sourcedIds, and one table's removals must never be applied to another's (the bulk's difference is worked out
     * table by table in one transaction).
     */
    @Test
    @Order(8)
    void aBulkRemovesFromEachTableOnlyWhatThatFileNoLongerHas() throws Exception {
        assertTrue(importer.importBundle(bulk).accepted());
        Path next = dir.resolve("bulk-next");
        Files.createDirectories(next);
        try (Stream<Path> files = Files.list(bulk)) {
            for (Path f : files.toList()) {
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                String name = f.getFileName().toString();
                java.util.function.Predicate<String> drop = switch (name) {
                    case "demographics.csv" -> l -> l.startsWith("usr-5,");
                    case "users.csv" -> l -> l.startsWith("usr-6,");
                    case "enrollments.csv" -> l -> l.startsWith("enr-6-");
                    default -> l -> false;
                };
                Files.write(next.resolve(name), lines.stream().filter(drop.negate()).toList(), StandardCharsets.UTF_8);
            }
        }
        Verdict v = importer.importBundle(next);
        assertTrue(v.accepted(), () -> v.problems().toString());
        assertEquals(1, count("select count(*) from sis_user where sourced_id = 'usr-5'"), "usr-5 keeps its user row");
        assertEquals(0, count("select count(*) from sis_demographics where sourced_id = 'usr-5'"));
        assertEquals(0, count("select count(*) from sis_user where sourced_id = 'usr-6'"));
        assertEquals(1, count("select count(*) from sis_demographics where sourced_id = 'usr-6'"),
                "usr-6 keeps its demographics row");
    }

    /**
     * A bulk again stages no neighbourhood for a student whose ID the roster holds one for: the upsert keeps the stored
     * one, also when the student's names change. A student whose ID changed gets the new ID's worked out.
     */
    @Test
    @Order(9)
    void aBulkAgainKeepsTheStoredNeighbourhoodsAndWorksOutANewIds() throws Exception {
        assertTrue(importer.importBundle(bulk).accepted());
        for (int i = 0; i < STUDENTS; i += 37) {
            assertEquals(hmac.stateIdNear(SyntheticBundle.stateId(i)), nearOf(SyntheticBundle.stateId(i)), "usr-" + i);
        }
        // usr-9's stored neighbourhood marked (usr-10's), to tell kept from worked out again
        String marked = nearOf(SyntheticBundle.stateId(10));
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            assertEquals(1, st.executeUpdate("update student set state_id_near = '" + marked + "' where state_id_hash = '"
                    + hmac.stateId(SyntheticBundle.stateId(9)) + "'"));
        }
        Path next = dir.resolve("bulk-ids");
        Files.createDirectories(next);
        String newId = "2000000003";
        try (Stream<Path> files = Files.list(bulk)) {
            for (Path f : files.toList()) {
                List<String> lines = new ArrayList<>(Files.readAllLines(f, StandardCharsets.UTF_8));
                if (f.getFileName().toString().equals("users.csv")) {
                    for (int i = 0; i < lines.size(); i++) {
                        String l = lines.get(i);
                        if (l.startsWith("usr-3,")) {
                            lines.set(i, l.replace(SyntheticBundle.stateId(3), newId));
                        } else if (l.startsWith("usr-9,") || l.startsWith("usr-11,")) {
                            lines.set(i, givenName(l, "Renamed"));
                        }
                    }
                }
                Files.write(next.resolve(f.getFileName().toString()), lines, StandardCharsets.UTF_8);
            }
        }
        Verdict v = importer.importBundle(next);
        assertTrue(v.accepted(), () -> v.problems().toString());
        assertEquals(1, count("select count(*) from student where sourced_id = 'usr-9' and first_name = 'Renamed'"));
        assertEquals(marked, nearOf(SyntheticBundle.stateId(9)), "usr-9 renamed keeps the stored neighbourhood");
        assertEquals(hmac.stateIdNear(SyntheticBundle.stateId(11)), nearOf(SyntheticBundle.stateId(11)));
        assertEquals(1, count("select count(*) from student where sourced_id = 'usr-3' and state_id_hash = '"
                + hmac.stateId(newId) + "'"));
        assertEquals(hmac.stateIdNear(newId), nearOf(newId), "a new ID's neighbourhood is worked out");
        for (int i = 12; i < STUDENTS; i += 41) {
            assertEquals(hmac.stateIdNear(SyntheticBundle.stateId(i)), nearOf(SyntheticBundle.stateId(i)), "usr-" + i);
        }
    }

    private String nearOf(String clearId) throws SQLException {
        return string("select state_id_near from student where state_id_hash = '" + hmac.stateId(clearId) + "'");
    }

    /** The users.csv line with its given name (the field after the quoted userIds) replaced. */
    private static String givenName(String line, String value) {
        int from = line.indexOf("}\",") + 3;
        return line.substring(0, from) + value + line.substring(line.indexOf(',', from));
    }

    /** A synthetic users line's family name (the field after the given name). */
    private static String familyName(String line) {
        int from = line.indexOf(',', line.indexOf("}\",") + 3) + 1;
        return line.substring(from, line.indexOf(',', from));
    }

    private static String familyName(String line, String value) {
        int from = line.indexOf(',', line.indexOf("}\",") + 3) + 1;
        return line.substring(0, from) + value + line.substring(line.indexOf(',', from));
    }

    private static String codes() {
        return String.join(",", Stream.of(SyntheticBundle.COURSE_CODES).map(c -> "'" + c + "'").toList());
    }
}
