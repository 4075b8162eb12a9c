package org.credentialhub.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The decision tiers: crosswalk, state ID (corroborated / untrusted), probabilistic, twins, one-to-one. */
class TiersTest {
    static final org.credentialhub.support.Hmac HASH = new org.credentialhub.support.Hmac("test-key-0123456789".getBytes(StandardCharsets.UTF_8));
    static final String[] FIRSTS = {"ava", "liam", "noah", "emma", "mia", "lucas", "ella", "owen", "zoe", "leo",
        "isaac", "chloe", "henry", "grace", "jack", "ruby", "finn", "ivy", "eli", "nora"};
    static final String[] LASTS = {"smith", "garcia", "nguyen", "okafor", "kowalski", "brown", "lee", "patel",
        "rossi", "muller", "silva", "kim", "novak", "jensen", "cohen", "murphy", "walker", "khan", "lopez", "young"};
    static Matcher matcher;
    static RosterIndex index;

    /** Roster: 3000 random students, plus twins Jacob and Jason Pemberton (same birth date and school), id 9001/9002. */
    @BeforeAll
    static void setUp() {
        List<RosterRecord> roster = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 3000; i++) {
            roster.add(new RosterRecord(i, HASH.stateId("SID" + i), FIRSTS[r.nextInt(FIRSTS.length)],
                    LASTS[r.nextInt(LASTS.length)], LocalDate.of(2006, 1, 1).plusDays(r.nextInt(1800)),
                    "school-" + r.nextInt(40), "district-" + r.nextInt(5)));
        }
        roster.add(new RosterRecord(9001, HASH.stateId("SID9001"), "Jacob", "Pemberton", LocalDate.of(2008, 4, 2),
                "school-7", "district-1"));
        roster.add(new RosterRecord(9002, HASH.stateId("SID9002"), "Jason", "Pemberton", LocalDate.of(2008, 4, 2),
                "school-7", "district-1"));
        roster.add(new RosterRecord(9003, HASH.stateId("SID9003"), "Marguerite", "Oyelaran", LocalDate.of(2007, 9, 14),
                "school-3", "district-2"));
        // Maria Sudderth, and a Maya Sudderth in another district born another day
        roster.add(new RosterRecord(9004, HASH.stateId("SID9004"), "Maria", "Sudderth", LocalDate.of(2008, 4, 9),
                "school-30", "district-3"));
        roster.add(new RosterRecord(9005, HASH.stateId("SID9005"), "Maya", "Sudderth", LocalDate.of(2008, 11, 2),
                "school-31", "district-4"));
        index = RosterIndex.build(roster);
        FsModel model = new FsModel(ComparisonsTest.copy(ModelTrainer.PRIOR_M), ComparisonsTest.copy(ModelTrainer.PRIOR_U),
                0.9, false, 0, 0);
        Crosswalk cw = new Crosswalk.Builder().put("vendor-cand-77", 9002).build();
        matcher = new Matcher(index, model, MatchSettings.defaults(), cw);
    }

    private static ResultRecord row(long id, String group, String sid, String first, String last, String dob,
                                    String school) {
        return new ResultRecord(id, group, sid == null ? null : HASH.stateId(sid), first, last,
                dob == null ? null : LocalDate.parse(dob), school, null);
    }

    @Test
    void stateIdCorroboratedByBirthDateMatches() {
        Decision d = matcher.match(row(1, null, "SID9003", "Maggie", "Oyelaran-Smith", "2007-09-14", null));
        assertEquals(Outcome.MATCH, d.outcome());
        assertEquals(Decision.TIER_STATE_ID, d.tier());
        assertEquals(9003L, d.rosterId());
    }

    @Test
    void stateIdCorroboratedByNameMatches() {
        Decision d = matcher.match(row(2, null, "SID9003", "Marguerite", "Oyelaran", "1999-01-01", null));
        assertEquals(Outcome.MATCH, d.outcome());
        assertEquals(Decision.TIER_STATE_ID, d.tier());
    }

    @Test
    void stateIdWithNamesAndBirthDateAllDifferentIsNotTrusted() {
        // someone else's ID typed on Marguerite's row: scored like a row without ID
        Decision withWrongId = matcher.match(row(3, null, "SID9001", "Marguerite", "Oyelaran", "2007-09-14",
                "school-3"));
        Decision withoutId = matcher.match(row(3, null, null, "Marguerite", "Oyelaran", "2007-09-14", "school-3"));
        assertEquals(Decision.TIER_PROBABILISTIC, withWrongId.tier());
        assertEquals(9003L, withWrongId.rosterId());
        assertEquals(withoutId.outcome(), withWrongId.outcome());
        assertEquals(withoutId.score(), withWrongId.score(), 1e-12);

        // an unknown student's ID on a row that matches nobody: no match
        Decision stranger = matcher.match(row(4, null, "SID9001", "Quentin", "Zabrowski", "2001-12-30", null));
        assertNotEquals(Outcome.MATCH, stranger.outcome());
    }

    @Test
    void stateIdAloneMatchesWhenNothingElseWasSent() {
        // an Open Badges credential carries the student ID and nothing to check it against
        Decision d = matcher.match(row(3, null, "SID9003", null, null, null, null));
        assertEquals(Outcome.MATCH, d.outcome());
        assertEquals(9003L, d.rosterId());
        assertEquals(Decision.TIER_STATE_ID, d.tier());
        assertTrue(d.candidates().get(0).reasons().stream().anyMatch(x -> x.contains("no name or birth date")),
                d.candidates().get(0).reasons().toString());
        // an unknown ID with nothing else sent is no match at all
        assertEquals(Outcome.NONE, matcher.match(row(4, null, "SID-unknown", null, null, null, null)).outcome());
    }

    @Test
    void crosswalkIsAppliedFirst() {
        ResultRecord r = new ResultRecord(5, null, HASH.stateId("SID9003"), "Marguerite", "Oyelaran",
                LocalDate.of(2007, 9, 14), "school-3", null, "vendor-cand-77");
        Decision d = matcher.match(r);
        assertEquals(Outcome.MATCH, d.outcome());
        assertEquals(Decision.TIER_CROSSWALK, d.tier());
        assertEquals(9002L, d.rosterId());
    }

    @Test
    void probabilisticMatchOnCleanRowWithReasons() {
        Decision d = matcher.match(row(6, null, null, "Marguerite", "Oyelaran", "2007-14-09".equals("x") ? null
                : "2007-09-14", "school-3"));
        assertEquals(Outcome.MATCH, d.outcome());
        assertEquals(9003L, d.rosterId());
        Candidate c = d.candidates().get(0);
        assertTrue(c.reasons().stream().anyMatch(s -> s.startsWith("birth_date: exact (+")), c.reasons().toString());
        for (String reason : c.reasons()) {
            String low = reason.toLowerCase();
            assertFalse(low.contains("marguerite") || low.contains("oyelaran") || low.contains("2007")
                    || low.contains("school-3"), "reason leaks a value");
        }
        // swapped day and month
        Decision sw = matcher.match(row(7, null, null, "Marguerite", "Oyelaran", "2007-09-14", "school-3"));
        assertEquals(Outcome.MATCH, sw.outcome());
    }

    @Test
    void twinsAreNotAutoMatchedOnWeakEvidence() {
        // first name missing: Jacob or Jason? must not auto-match
        Decision noFirst = matcher.match(row(8, null, null, null, "Pemberton", "2008-04-02", "school-7"));
        assertNotEquals(Outcome.MATCH, noFirst.outcome());
        assertEquals(Outcome.REVIEW, noFirst.outcome());
        assertTrue(noFirst.candidates().size() >= 2);
        // first initial only / ambiguous first name
        Decision ambiguous = matcher.match(row(9, null, null, "Ja", "Pemberton", "2008-04-02", "school-7"));
        assertNotEquals(Outcome.MATCH, ambiguous.outcome());
        // a first name that clearly is one of them: match that twin
        Decision jason = matcher.match(row(10, null, null, "Jason", "Pemberton", "2008-04-02", "school-7"));
        assertEquals(Outcome.MATCH, jason.outcome());
        assertEquals(9002L, jason.rosterId());
        // a sibling's state ID with the other twin's first name: review, not a match
        Decision sibId = matcher.match(row(11, null, "SID9001", "Jason", "Pemberton", "2008-04-02", "school-7"));
        assertEquals(Outcome.REVIEW, sibId.outcome());
    }

    @Test
    void aNamesakeElsewhereDoesNotMakeAnIdASiblings() {
        // Maria's ID, her birth date and school, her first name mistyped closer to Maya's (another district,
        // another birth date): Maya did not type Maria's ID, so the ID stands
        Decision typo = matcher.match(row(12, null, "SID9004", "Mayia", "Sudderth", "2008-04-09", "school-30"));
        assertEquals(Outcome.MATCH, typo.outcome(), typo.candidates().toString());
        assertEquals(9004L, typo.rosterId());
        assertEquals(Decision.TIER_STATE_ID, typo.tier());
        // Maya's own row with Maria's ID (Maya's birth date and school): the sibling rule holds it for review
        Decision borrowed = matcher.match(row(13, null, "SID9004", "Maya", "Sudderth", "2008-11-02", "school-31"));
        assertNotEquals(Outcome.MATCH, borrowed.outcome());
    }

    @Test
    void oneToOneWithinAGroup() {
        ResultRecord strong = row(20, "exam-A/2025-05-01", null, "Marguerite", "Oyelaran", "2007-09-14", "school-3");
        ResultRecord weaker = row(21, "exam-A/2025-05-01", null, "Marguerite", "Oyelaran", "2007-09-14", null);
        ResultRecord otherExam = row(22, "exam-B/2025-05-01", null, "Marguerite", "Oyelaran", "2007-09-14",
                "school-3");
        List<Decision> ds = matcher.matchBatch(List.of(strong, weaker, otherExam));
        assertEquals(Outcome.MATCH, ds.get(0).outcome());
        assertEquals(9003L, ds.get(0).rosterId());
        assertEquals(Outcome.REVIEW, ds.get(1).outcome(), "second claim in the same group goes to review");
        assertNull(ds.get(1).rosterId());
        assertEquals(Outcome.MATCH, ds.get(2).outcome(), "another exam is another attempt");
        // without a group key no constraint
        List<Decision> free = matcher.matchBatch(List.of(
                row(23, null, null, "Marguerite", "Oyelaran", "2007-09-14", "school-3"),
                row(24, null, null, "Marguerite", "Oyelaran", "2007-09-14", null)));
        assertEquals(Outcome.MATCH, free.get(0).outcome());
        assertEquals(Outcome.MATCH, free.get(1).outcome());
    }

    @Test
    void noCandidatesMeansNone() {
        Decision d = matcher.match(row(30, null, null, "Xylophone", "Quaternary", "1950-01-01", "elsewhere"));
        assertEquals(Outcome.NONE, d.outcome());
        assertNull(d.rosterId());
    }

    @Test
    void stateIdHashIsKeyedHexAndDeterministic() {
        org.credentialhub.support.Hmac a = new org.credentialhub.support.Hmac("key-one-0123456789".getBytes(StandardCharsets.UTF_8));
        org.credentialhub.support.Hmac b = new org.credentialhub.support.Hmac("key-two-0123456789".getBytes(StandardCharsets.UTF_8));
        assertEquals(a.stateId("123456"), a.stateId(" 123456 "));
        assertTrue(a.stateId("123456").matches("[0-9a-f]{64}"));
        assertNotEquals(a.stateId("123456"), b.stateId("123456"));
        assertNull(a.stateId("  "));
        // standard HMAC-SHA256 of the normalized ID
        assertEquals(new org.apache.commons.codec.digest.HmacUtils(
                        org.apache.commons.codec.digest.HmacAlgorithms.HMAC_SHA_256, "key-one-0123456789").hmacHex("1234567890"),
                a.stateId("123-456-7890"));
        assertFalse(new RosterRecord(1, "x", "Secretname", "Secretlast", null, null, null).toString()
                .contains("Secret"));
    }
}
