package org.credentialhub.sis;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guard 1 (docs/guards.md): a bulk that would remove 30 % of a source's students is held, nothing of it
 * applied, until operations approve it (then it applies) or reject it (then nothing ever does); a later
 * bundle of the source waits for the decision and is taken up after it.
 */
class SisHoldTest {
    private static final Pattern USER = Pattern.compile("^usr-(\\d+),");
    private SisTestDb sis;
    private SisHolds holds;

    @BeforeEach
    void open() throws Exception {
        sis = SisTestDb.open("sis-hold");
        sis.importer.guarded(SisGuard.defaults(), sis.dir.resolve("held"));
        holds = new SisHolds(sis.db.dataSource(), sis.importer, null);
        Path first = sis.dir.resolve("first");
        SyntheticBundle.write(first, 100, 2, 7);
        Verdict v = sis.importer.importBundle("sis", first, "first");
        assertTrue(v.accepted(), () -> v.problems().toString());   // a first load is never held
        assertEquals(100, students());
    }

    @AfterEach
    void close() throws Exception {
        sis.close();
    }

    @Test
    void bulkRemovingThirtyPercentIsHeldUntilApprovedThenApplies() throws Exception {
        String before = snapshot();
        Verdict held = sis.importer.importBundle("sis", withoutStudents(30, "second"), "second.zip");
        assertTrue(held.held(), held::toString);
        assertEquals("held", held.status());
        assertTrue(((String) held.hold().get("reason")).contains("30.0 % of the source's students"), held.hold()::toString);
        @SuppressWarnings("unchecked")
        Map<String, Object> studentsImpact = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                held.hold().get("impact")).get("kinds")).get("students");
        assertEquals(30L, ((Number) studentsImpact.get("removed")).longValue());
        assertEquals(100L, ((Number) studentsImpact.get("stored")).longValue());
        assertEquals("held for approval", SisIntake.toJson("sis", "second.zip", held).get("status"));
        // samples by sourcedId only
        assertTrue(studentsImpact.get("samples").toString().contains("usr-0"), studentsImpact::toString);
        assertEquals(before, snapshot(), "nothing changes while it is held");
        assertEquals("held", string("select status from delivery where delivery_id = " + held.deliveryId()));

        Map<Long, String> out = holds.decide(held.deliveryId(), true, null);
        assertEquals(Map.of(held.deliveryId(), "accepted"), out);
        assertEquals(70, students());
        assertEquals("accepted", string("select status from delivery where delivery_id = " + held.deliveryId()));
        assertThrows(IllegalArgumentException.class, () -> holds.decide(held.deliveryId(), false, null), "decided once");

        List<Map<String, Object>> outcomes = holds.outcomes();
        assertEquals(1, outcomes.size());
        assertEquals("second.zip.outcome.ack.json", outcomes.get(0).get("name"));
        String body = new String((byte[]) outcomes.get(0).get("body"), StandardCharsets.UTF_8);
        assertTrue(body.contains("\"status\" : \"accepted\"") && body.contains("\"decision\" : \"approved\""), body);
        holds.sent(held.deliveryId());
        assertTrue(holds.outcomes().isEmpty(), "an outcome is sent once");
    }

    @Test
    void rejectedItChangesNothingAndALaterBundleWaits() throws Exception {
        String before = snapshot();
        Verdict held = sis.importer.importBundle("sis", withoutStudents(30, "second"), "second.zip");
        assertTrue(held.held());
        // a later bundle of the source (a small change of its own) waits, applied neither
        Verdict later = sis.importer.importBundle("sis", withoutStudents(1, "third"), "third.zip");
        assertTrue(later.held(), later::toString);
        assertEquals(held.deliveryId(), ((Number) later.hold().get("waits_for")).longValue());
        assertEquals(before, snapshot());
        assertThrows(IllegalArgumentException.class, () -> holds.decide(later.deliveryId(), true, null),
                "the waiting one cannot be decided before the one it waits for");

        Map<Long, String> out = holds.decide(held.deliveryId(), false, null);
        assertEquals("rejected", out.get(held.deliveryId()));
        assertEquals("rejected", string("select status from delivery where delivery_id = " + held.deliveryId()));
        // the waiting bundle is taken up after the decision: 1 % removed, under the limit, applied
        assertEquals("accepted", out.get(later.deliveryId()));
        assertEquals(99, students());
        assertFalse(string("select string_agg(sourced_id, ',') from sis_user where role = 'student'").matches("(^|.*,)usr-0(,.*|$)"));
        assertEquals(2, holds.outcomes().size(), "one outcome for each");
    }

    /** The first bundle without the users.csv rows of its first {@code n} students. */
    private Path withoutStudents(int n, String name) throws Exception {
        Path dir = sis.dir.resolve(name);
        SyntheticBundle.write(dir, 100, 2, 7);
        Path users = dir.resolve("users.csv");
        List<String> lines = Files.readAllLines(users);
        Files.writeString(users, lines.stream().filter(l -> {
            Matcher m = USER.matcher(l);
            return !m.find() || Integer.parseInt(m.group(1)) >= n;
        }).collect(Collectors.joining("\n", "", "\n")));
        return dir;
    }

    private long students() throws Exception {
        return Long.parseLong(string("select count(*) from sis_user where role = 'student'"));
    }

    /** What the hub counts from: users, enrollments, classes, the roster and the enrollment view. */
    private String snapshot() throws Exception {
        return string("""
                select (select count(*) from sis_user) || '/' || (select count(*) from sis_enrollment) || '/'
                    || (select count(*) from sis_class) || '/' || (select count(*) from student) || '/'
                    || (select count(*) from student_course_enrollment) || '/'
                    || (select coalesce(max(delivery_id), 0) from sis_user)""");
    }

    private String string(String sql) throws Exception {
        try (Connection c = sis.db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
