package org.credentialhub.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.credentialhub.support.Hmac;
import org.junit.jupiter.api.Test;

/**
 * A probe made with a thread's memo of names and places ({@link RosterIndex#probe(ResultRecord, ProbeMemo)})
 * and one made without it are the probe computed value by value from the row, field by field, for every kind of sent value (a roster name in any case, with accents
 * or punctuation, a name only the other dictionary has, one the roster does not know, empty, blank or not sent; a
 * school and district known, unknown or not sent), the first time a value is seen, again from the memo, and after the
 * memo was emptied for having reached its limit.
 */
class ProbeMemoTest {
    private static final Hmac HASH = new Hmac("probe-memo-test-key-0123".getBytes(StandardCharsets.UTF_8));

    private static RosterIndex index() {
        RosterIndex.Builder b = RosterIndex.builder();
        String[][] people = {{"Ava", "Okafor"}, {"José", "O'Brien"}, {"Liam", "Garcia"}, {"Jordan", "Taylor"},
                {"Taylor", "Jordan"}, {"Mary-Kate", "Lindqvist"}, {"Zoë", "Ng"}};
        for (int i = 0; i < people.length; i++) {
            String sid = String.valueOf(1_000_000_000L + i * 7919);
            b.add(new RosterRecord(i, HASH.stateId(sid), people[i][0], people[i][1], LocalDate.of(2007, 1 + i, 3 + i),
                    "school-" + (i % 3), "district-" + (i % 2), HASH.stateIdNear(sid)));
        }
        return b.build();
    }

    private static List<ResultRecord> rows() {
        String[] firsts = {"Ava", "AVA", "ava ", "Jose", "josé", "José", "Mary Kate", "mary-kate", "Taylor", "Jordan",
                "Zoe", "Zoë", "Avaa", "Xavier", "", "   ", "-", null};
        String[] lasts = {"Okafor", "okafor", "O'Brien", "obrien", "O Brien", "Jordan", "Taylor", "Lindqvist", "Ng",
                "Garcia", "Garsia", "Nobody", "", " ", null};
        String[] schools = {"school-0", "SCHOOL-1", " school-2 ", "school-9", "", null};
        String[] districts = {"district-0", "District-1", "district-7", "", null};
        List<ResultRecord> rows = new ArrayList<>();
        int id = 0;
        for (String f : firsts) {
            for (String l : lasts) {
                String school = schools[id % schools.length];
                String district = districts[id % districts.length];
                String sid = id % 4 == 0 ? null : String.valueOf(1_000_000_000L + (id % 7) * 7919);
                rows.add(new ResultRecord(id++, "exam", HASH.stateId(sid), f, l,
                        id % 5 == 0 ? null : LocalDate.of(2007, 1 + id % 12, 1 + id % 28), school, district, null,
                        HASH.stateIdNear(sid)));
            }
        }
        return rows;
    }

    @Test
    void aProbeFromTheMemoIsTheProbeComputed() throws Exception {
        RosterIndex index = index();
        ProbeMemo memo = new ProbeMemo();
        List<ResultRecord> rows = rows();
        for (int pass = 0; pass < 2; pass++) {   // first seen, then from the memo
            for (ResultRecord r : rows) {
                assertSameProbe(computed(index, r), index.probe(r), "row " + r.id() + " without a memo");
                assertSameProbe(computed(index, r), index.probe(r, memo), "row " + r.id() + ", pass " + pass);
            }
        }
    }

    @Test
    void aMemoEmptiedAtItsLimitStillGivesTheProbeComputed() throws Exception {
        RosterIndex index = index();
        ProbeMemo memo = new ProbeMemo();
        List<ResultRecord> rows = rows();
        for (ResultRecord r : rows) {
            index.probe(r, memo);
        }
        // distinct names, schools and districts past the limit: each map is emptied once on the way
        for (int i = 0; i < ProbeMemo.LIMIT + 10; i++) {
            index.probe(new ResultRecord(i, "exam", null, "f" + i, "l" + i, null, "s" + i, "d" + i, null, null), memo);
        }
        for (ResultRecord r : rows) {
            assertSameProbe(computed(index, r), index.probe(r, memo), "row " + r.id() + " after the limit");
        }
    }

    /** The probe of a row, each value computed on its own from the row (as the probe was before it had a memo). */
    private static Probe computed(RosterIndex ix, ResultRecord r) {
        Probe p = new Probe();
        p.first = Names.normalizeName(r.firstName());
        p.last = Names.normalizeName(r.lastName());
        p.firstCode = ix.firstDict.code(p.first);
        p.lastCode = ix.lastDict.code(p.last);
        p.firstLetters = p.first == null ? 0 : Comparisons.letters(p.first);
        p.lastLetters = p.last == null ? 0 : Comparisons.letters(p.last);
        p.firstNick = Names.nicknameGroups(p.first);
        p.lastNick = Names.nicknameGroups(p.last);
        p.firstAsLastCode = ix.lastDict.code(p.first);
        p.lastAsFirstCode = ix.firstDict.code(p.last);
        p.firstPh = p.first == null ? 0 : p.firstCode >= 0 ? ix.firstDict.ph[p.firstCode] : RosterIndex.phonetic(p.first);
        p.lastPh = p.last == null ? 0 : p.lastCode >= 0 ? ix.lastDict.ph[p.lastCode] : RosterIndex.phonetic(p.last);
        p.dob = Names.dateToInt(r.birthDate());
        p.dobBcd = Comparisons.bcd(p.dob);
        p.schoolValue = Names.normalizePlace(r.school());
        Integer school = p.schoolValue == null ? null : ix.schoolDict.get(p.schoolValue);
        p.school = p.schoolValue == null ? Probe.MISSING : school == null ? Probe.UNKNOWN : school;
        p.schoolPacked = Comparisons.packSchool(p.schoolValue);
        String district = Names.normalizePlace(r.district());
        Integer d = district == null ? null : ix.districtDict.get(district);
        p.district = district == null ? Probe.MISSING : d == null ? Probe.UNKNOWN : d;
        p.idFp = RosterIndex.fingerprint(r.stateIdHash());
        p.nearText = p.idFp == 0 ? null : r.stateIdNear();
        return p;
    }

    /** Every field a probe is made with (not those set later, when first read by the matcher). */
    private static void assertSameProbe(Probe expected, Probe actual, String what) throws IllegalAccessException {
        int compared = 0;
        for (Field f : Probe.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) || List.of("firstOtherBound", "lastOtherBound", "otherBoundsOf",
                    "near", "nearParsed").contains(f.getName())) {
                continue;
            }
            f.setAccessible(true);
            Object e = f.get(expected);
            Object a = f.get(actual);
            if (e instanceof long[] el) {
                assertTrue(Arrays.equals(el, (long[]) a), what + ": " + f.getName());
            } else {
                assertEquals(e, a, what + ": " + f.getName());
            }
            compared++;
        }
        assertEquals(20, compared, "the probe's fields compared");
    }
}
