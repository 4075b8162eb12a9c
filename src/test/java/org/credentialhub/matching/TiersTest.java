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
        // Dolores Whitfield and Tobias Fairbrook: IDs two adjacent digits apart (a dense ID range)
        roster.add(new RosterRecord(9006, null, "Dolores", "Whitfield", LocalDate.of(2008, 3, 10), "school-12",
                "district-2"));
        roster.add(new RosterRecord(9008, null, "Tobias", "Fairbrook", LocalDate.of(2007, 5, 23), "school-14",
                "district-2"));
        roster.add(new RosterRecord(9009, null, "Marco", "Key", LocalDate.of(2008, 1, 15), "school-20", "district-1"));
        // Katherine and her brother Oliver Lindqvist: same school, born a year apart
        roster.add(new RosterRecord(9010, null, "Katherine", "Lindqvist", LocalDate.of(2007, 2, 11), "school-9",
                "district-1"));
        roster.add(new RosterRecord(9011, null, "Oliver", "Lindqvist", LocalDate.of(2008, 6, 30), "school-9",
                "district-1"));
        // Lucia Garcia Lopez: a double surname
        roster.add(new RosterRecord(9012, null, "Lucia", "Garcia Lopez", LocalDate.of(2008, 2, 3), "school-21",
                "district-3"));
        List<RosterRecord> withIds = new ArrayList<>();
        for (RosterRecord s : roster) {
            String raw = s.id() == 9006 ? "4000012345" : s.id() == 9008 ? "4000012354" : "SID" + s.id();
            withIds.add(new RosterRecord(s.id(), HASH.stateId(raw), s.firstName(), s.lastName(), s.birthDate(),
                    s.school(), s.district(), HASH.stateIdNear(raw)));
        }
        index = RosterIndex.build(withIds);
        FsModel model = new FsModel(ComparisonsTest.copy(ModelTrainer.PRIOR_M), ComparisonsTest.copy(ModelTrainer.PRIOR_U),
                0.9, false, 0, 0);
        // a district linked a row that carried Dolores's ID (a typo) to Tobias; the vendor sends no candidate id, so
        // the decision is keyed by the state-ID hash
        Crosswalk cw = new Crosswalk.Builder().put("vendor-cand-77", 9002).put(HASH.stateId("4000012345"), 9008)
                .build();
        matcher = new Matcher(index, model, MatchSettings.defaults(), cw);
    }

    private static ResultRecord row(long id, String group, String sid, String first, String last, String dob,
                                    String school) {
        return new ResultRecord(id, group, sid == null ? null : HASH.stateId(sid), first, last,
                dob == null ? null : LocalDate.parse(dob), school, null);
    }

    /** A row that also carries the sent ID's deletion neighbourhood (as the pipeline and {@code link} send it). */
    private static ResultRecord rowWithNear(long id, String sid, String first, String last, String dob, String school) {
        return new ResultRecord(id, null, HASH.stateId(sid), first, last, dob == null ? null : LocalDate.parse(dob),
                school, null, null, HASH.stateIdNear(sid));
    }

    private static boolean anyReason(Decision d, String part) {
        return d.candidates().stream().anyMatch(c -> c.reasons().stream().anyMatch(x -> x.contains(part)));
    }

    /**
     * Term-frequency adjustment lowers an exact common surname's weight; a surname merely like the sent one must not
     * then weigh more than the sent surname itself (a Williamson outscoring the Williams the row names).
     */
    @Test
    void aSimilarNameNeverOutweighsTheSentNameAgreeingExactly() {
        List<RosterRecord> roster = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 300; i++) {
            roster.add(new RosterRecord(i, null, FIRSTS[r.nextInt(FIRSTS.length)], i % 2 == 0 ? "Williams" : LASTS[r.nextInt(LASTS.length)],
                    LocalDate.of(2006, 1, 1).plusDays(r.nextInt(1800)), "school-" + r.nextInt(40), null));
        }
        roster.add(new RosterRecord(501, null, "Jadwiga", "Williams", LocalDate.of(2008, 4, 2), "school-7", null));
        roster.add(new RosterRecord(502, null, "Jadwiga", "Williamson", LocalDate.of(2007, 1, 9), "school-8", null));
        RosterIndex ix = RosterIndex.build(roster);
        Matcher m = new Matcher(ix, new FsModel(ComparisonsTest.copy(ModelTrainer.PRIOR_M),
                ComparisonsTest.copy(ModelTrainer.PRIOR_U), 0.9, false, 0, 0), MatchSettings.defaults(), null);
        Decision d = m.match(row(1, null, null, "Jadwiga", "Williams", null, "school-30"));
        double exact = Double.NaN;
        double alike = Double.NaN;
        for (Candidate c : d.candidates()) {
            if (c.rosterId() == 501) {
                exact = c.score();
            } else if (c.rosterId() == 502) {
                alike = c.score();
            }
        }
        assertTrue(exact >= alike, d.toString());
        assertNotEquals(502L, d.rosterId(), d.toString());
    }

    @Test
    void anIdIsNotAcceptedOnTheFirstNameAlone() {
        // issue 12: same first name, another last name, birth date three years off: not the ID's student
        Decision sameFirst = matcher.match(row(40, null, "4000012345", "Dolores", "Abernathy", "2011-03-10", null));
        assertNotEquals(9006L, sameFirst.rosterId(), sameFirst.toString());
        assertNotEquals(Outcome.MATCH, sameFirst.outcome());
        // first name one letter off, last name wholly different (with and without a birth date)
        Decision oneLetter = matcher.match(row(41, null, "4000012345", "Doloris", "Castellanos", null, null));
        assertNotEquals(Outcome.MATCH, oneLetter.outcome());
        Decision oneLetterDob = matcher.match(row(42, null, "4000012345", "Doloris", "Castellanos", "2010-06-21",
                "school-12"));
        assertNotEquals(Outcome.MATCH, oneLetterDob.outcome());
        // the ID's own student, surname or birth date agreeing (with a typo), is still matched on the ID
        Decision typoLast = matcher.match(row(43, null, "4000012345", "Dolores", "Whitfeild", null, null));
        assertEquals(Outcome.MATCH, typoLast.outcome());
        assertEquals(9006L, typoLast.rosterId());
        assertEquals(Decision.TIER_STATE_ID, typoLast.tier());
        // a short surname with two letters swapped (Jaro-Winkler 0.60), nothing else sent: still the ID's student
        Decision shortTypo = matcher.match(row(45, null, "SID9009", "Marco", "Kye", null, null));
        assertEquals(Outcome.MATCH, shortTypo.outcome(), shortTypo.toString());
        assertEquals(9009L, shortTypo.rosterId());
        assertTrue(Comparisons.oneTypoApart("kye", "key"));
        assertTrue(Comparisons.oneTypoApart("das", "dsa"));
        assertTrue(Comparisons.oneTypoApart("lee", "le"));
        assertTrue(Comparisons.oneTypoApart("ng", "nog"));
        assertFalse(Comparisons.oneTypoApart("kye", "kay") && Comparisons.oneTypoApart("abernathy", "whitfield"));
        assertFalse(Comparisons.oneTypoApart("key", "yek"));
        Decision byDob = matcher.match(row(44, null, "4000012345", "Lola", "Whitfield-Aragon", "2008-10-03", null));
        assertEquals(Outcome.MATCH, byDob.outcome());
        assertEquals(9006L, byDob.rosterId());
    }

    @Test
    void anIdOneDigitOffFindsTheStudentWhoseNamesAndBirthDateAgree() {
        // the ID typed with two digits swapped lands on Dolores's ID; names and birth date are Tobias's, whose ID is
        // one edit away: found through the roster's stored neighbourhoods, without the result's
        Decision landed = matcher.match(row(50, null, "4000012345", "Tobias", "Fairbrook", "2007-05-23", null));
        assertEquals(Outcome.MATCH, landed.outcome(), landed.toString());
        assertEquals(9008L, landed.rosterId());
        assertEquals(Decision.TIER_STATE_ID, landed.tier());
        assertTrue(anyReason(landed, "one digit off"), landed.candidates().toString());
        // no birth date sent: the names point at the student one edit away, and agree with the ID's typo
        Decision noDob = matcher.match(row(53, null, "4000012345", "Tobias", "Fairbrook", null, "school-14"));
        assertEquals(Outcome.MATCH, noDob.outcome(), noDob.toString());
        assertEquals(9008L, noDob.rosterId());
        // a digit typo that is nobody's ID, the result carrying its neighbourhood
        Decision nobodys = matcher.match(rowWithNear(51, "4000012394", "Tobias", "Fairbrook", "2007-05-23", null));
        assertEquals(Outcome.MATCH, nobodys.outcome(), nobodys.toString());
        assertEquals(9008L, nobodys.rosterId());
        assertEquals(Decision.TIER_STATE_ID, nobodys.tier());
        // one edit away but the birth date disagrees: not on the ID's strength
        Decision otherDob = matcher.match(rowWithNear(52, "4000012394", "Tobias", "Fairbrook", "2001-01-17", null));
        assertNotEquals(Decision.TIER_STATE_ID, otherDob.outcome() == Outcome.MATCH ? otherDob.tier() : "");
        // reasons name levels, never values
        for (Candidate c : landed.candidates()) {
            for (String reason : c.reasons()) {
                String low = reason.toLowerCase();
                assertFalse(low.contains("tobias") || low.contains("fairbrook") || low.contains("2007")
                        || low.contains("4000012"), "reason leaks a value");
            }
        }
    }

    @Test
    void aDecisionAboutATypoDoesNotTakeTheIdsOwnStudentsResults() {
        String key = HASH.stateId("4000012345");
        // Dolores's own result, her ID and names: hers, not the student the typo's row was linked to
        Decision own = matcher.match(new ResultRecord(70, null, key, "Dolores", "Whitfield", LocalDate.of(2008, 3, 10),
                null, null, key));
        assertEquals(Outcome.MATCH, own.outcome());
        assertEquals(9006L, own.rosterId());
        assertEquals(Decision.TIER_STATE_ID, own.tier());
        // the row the decision was made on (Tobias's names) still follows the decision
        Decision typo = matcher.match(new ResultRecord(71, null, key, "Tobias", "Fairbrook", null, null, null, key));
        assertEquals(Outcome.MATCH, typo.outcome());
        assertEquals(9008L, typo.rosterId());
        assertEquals(Decision.TIER_CROSSWALK, typo.tier());
    }

    @Test
    void anIdLandingOnAnotherStudentWhileNamesPointElsewhereGoesToReview() {
        // Dolores's ID on Marguerite's full row (Marguerite's ID is not one edit from it): never automatic
        Decision d = matcher.match(row(60, null, "4000012345", "Marguerite", "Oyelaran", "2007-09-14", "school-3"));
        assertEquals(Outcome.REVIEW, d.outcome(), d.toString());
        assertNull(d.rosterId());
        assertTrue(d.candidates().stream().anyMatch(c -> c.rosterId() == 9003L));
    }

    @Test
    void aDisagreeingIdWeighsAgainstANameCandidate() {
        // an ID that is nobody's (and nowhere near Marguerite's): her names and birth date still win, with less weight
        Decision withId = matcher.match(rowWithNear(61, "7777777", "Marguerite", "Oyelaran", "2007-09-14", "school-3"));
        Decision without = matcher.match(row(61, null, null, "Marguerite", "Oyelaran", "2007-09-14", "school-3"));
        assertEquals(Outcome.MATCH, withId.outcome());
        assertEquals(9003L, withId.rosterId());
        assertTrue(withId.candidates().get(0).score() < without.candidates().get(0).score() - 1,
                withId.candidates().get(0).score() + " vs " + without.candidates().get(0).score());
        assertTrue(anyReason(withId, "state_id: different"), withId.candidates().toString());
        // a weaker name-only candidate (no birth date, no school) is not auto-matched against a disagreeing ID
        Decision weak = matcher.match(rowWithNear(62, "7777777", "Marguerite", "Oyelaran", null, null));
        Decision weakNoId = matcher.match(row(62, null, null, "Marguerite", "Oyelaran", null, null));
        assertTrue(weak.score() < weakNoId.score(), weak.score() + " vs " + weakNoId.score());
    }

    @Test
    void anEqualIdWeighsForItsStudentButDoesNotOutweighDisagreeingNames() {
        // Marguerite's ID with her first name and another surname (no birth date, no school): the ID does not stand on
        // its own, but in the scoring it counts for her, by the roster's ID density (this roster's IDs are dense)
        Decision withId = matcher.match(rowWithNear(70, "SID9003", "Marguerite", "Castellanos", null, null));
        Decision without = matcher.match(row(70, null, null, "Marguerite", "Castellanos", null, null));
        assertEquals(Decision.TIER_PROBABILISTIC, withId.tier(), withId.toString());
        assertNotEquals(Outcome.MATCH, withId.outcome(), withId.toString());
        assertEquals(9003L, withId.candidates().get(0).rosterId());
        assertTrue(anyReason(withId, "state_id: equal"), withId.candidates().toString());
        assertTrue(withId.score() > without.score(), withId.score() + " vs " + without.score());
    }

    /** Staging takes a roster student's neighbourhood for a sent ID that is theirs: it must be the very same text. */
    @Test
    void aRosterStudentsNeighbourhoodIsTheOneTheirIdHas() {
        for (String raw : new String[] {"SID17", "SID2999", "SID9003", "4000012345", "4000012354"}) {
            assertEquals(HASH.stateIdNear(raw), index.stateIdNear(HASH.stateId(raw)), raw);
        }
        assertEquals(HASH.stateIdNear("4000-012-345"), index.stateIdNear(HASH.stateId("4000-012-345")));
        // an ID that is no student's, none, and a student whose roster gave no neighbourhood (then worked out)
        assertNull(index.stateIdNear(HASH.stateId("4000012346")));
        assertNull(index.stateIdNear(null));
        RosterIndex withoutNear = RosterIndex.build(List.of(new RosterRecord(1, HASH.stateId("SID1"), "ava", "smith",
                LocalDate.of(2007, 1, 1), "school-1", "district-1")));
        assertNull(withoutNear.stateIdNear(HASH.stateId("SID1")));
    }

    @Test
    void stateIdNeighbourhoodIsKeyedAndPositional() {
        String a = HASH.stateIdNear("123-456-7890");
        assertEquals(10 * org.credentialhub.support.Hmac.NEAR_HEX, a.length());
        assertTrue(a.matches("[0-9a-f]+"));
        assertEquals(a, HASH.stateIdNear("1234567890"));
        assertNotEquals(a, new org.credentialhub.support.Hmac("key-two-0123456789".getBytes(StandardCharsets.UTF_8))
                .stateIdNear("1234567890"));
        // no entry is the ID's own hash, nor any hash of the deleted strings as IDs
        assertFalse(a.contains(HASH.stateId("1234567890").substring(0, 16)));
        assertFalse(a.contains(HASH.stateId("234567890").substring(0, 16)));
        long[] x = StateIdIndex.parseNear(a);
        long[] sub = StateIdIndex.parseNear(HASH.stateIdNear("1234507890"));
        long[] swap = StateIdIndex.parseNear(HASH.stateIdNear("1234657890"));
        assertEquals(x[5], sub[5]);
        assertNotEquals(x[4], sub[4]);
        assertEquals(x[4], swap[5]);
        assertEquals(x[5], swap[4]);
        assertNull(HASH.stateIdNear(" "));
    }

    @Test
    void stateIdCorroboratedByBirthDateMatches() {
        Decision d = matcher.match(row(1, null, "SID9003", "Maggie", "Oyelaran-Smith", "2007-09-14", null));
        assertEquals(Outcome.MATCH, d.outcome());
        assertEquals(Decision.TIER_STATE_ID, d.tier());
        assertEquals(9003L, d.rosterId());
    }

    /**
     * At full scale an issued badge carried a student's ID and her birth date with another person's first and last
     * name (the true student shared the birth date): the birth date alone confirmed the ID.
     */
    @Test
    void aBirthDateDoesNotConfirmAnIdWhoseStudentHasNeitherName() {
        Decision d = matcher.match(row(6, null, "SID9003", "Quentin", "Zabrowski", "2007-09-14", null));
        assertNotEquals(Outcome.MATCH, d.outcome(), d.toString());
    }

    @Test
    void stateIdCorroboratedByNameMatches() {
        Decision d = matcher.match(row(2, null, "SID9003", "Marguerite", "Oyelaran", "1999-01-01", null));
        assertEquals(Outcome.MATCH, d.outcome());
        assertEquals(Decision.TIER_STATE_ID, d.tier());
    }

    @Test
    void stateIdWithNamesAndBirthDateAllDifferentIsNotTrusted() {
        // Jacob's ID on Marguerite's row: her own ID is one digit from it, and her names and birth date agree
        Decision withWrongId = matcher.match(row(3, null, "SID9001", "Marguerite", "Oyelaran", "2007-09-14",
                "school-3"));
        assertEquals(Outcome.MATCH, withWrongId.outcome());
        assertEquals(9003L, withWrongId.rosterId());
        assertTrue(anyReason(withWrongId, "one digit off"), withWrongId.candidates().toString());

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
    void aSiblingDoesNotSendAMisspeltFirstNameToReview() {
        // issue 12: Katherine's surname, birth date and school, her first name misspelt (Jaro-Winkler 0.80-0.92, not
        // a nickname); her brother at the same school does not fit that first name nor that birth date
        assertEquals(Comparisons.FN_JW80, Comparisons.firstNameLevel("kathryn", "katherine"));
        Decision typo = matcher.match(row(60, null, null, "Kathryn", "Lindqvist", "2007-02-11", "school-9"));
        assertEquals(Outcome.MATCH, typo.outcome(), typo.candidates().toString());
        assertEquals(9010L, typo.rosterId());
        // no first name: Katherine's birth date tells her from her brother
        Decision noFirst = matcher.match(row(61, null, null, null, "Lindqvist", "2007-02-11", "school-9"));
        assertEquals(9010L, noFirst.rosterId(), noFirst.toString());
        // neither first name nor birth date: Katherine or Oliver? not automatic
        Decision neither = matcher.match(row(62, null, null, null, "Lindqvist", null, "school-9"));
        assertNotEquals(Outcome.MATCH, neither.outcome());
    }

    @Test
    void anIdWithOnePartOfADoubleSurnameIsMatched() {
        // a badge's whole name "Lucia Garcia Lopez" read as first name Lucia, surname Lopez; her ID, no birth date
        Decision second = matcher.match(row(70, null, "SID9012", "Lucia", "Lopez", null, null));
        assertEquals(Outcome.MATCH, second.outcome(), second.toString());
        assertEquals(9012L, second.rosterId());
        assertEquals(Decision.TIER_STATE_ID, second.tier());
        Decision first = matcher.match(row(71, null, "SID9012", "Lucia", "Garcia", null, null));
        assertEquals(Outcome.MATCH, first.outcome(), first.toString());
        // another surname is no corroboration, nor is a short shared part
        Decision other = matcher.match(row(72, null, "SID9012", "Lucia", "Perez", null, null));
        assertNotEquals(Outcome.MATCH, other.outcome(), other.toString());
        assertFalse(Comparisons.sharesSurnamePart("delacruz", "delarosa"));
        assertFalse(Comparisons.sharesSurnamePart("lopez", "lopes"));
        assertFalse(Comparisons.sharesSurnamePart("john", "johnson"));
        assertTrue(Comparisons.sharesSurnamePart("smithjones", "jones"));
    }

    @Test
    void anExactIdWithItsSingleNameInTheWrongFieldIsMatched() {
        // issue 12: the ID is Marguerite Oyelaran's, the only name sent is her surname in the first-name column (or
        // her first name in the surname column), no birth date
        Decision surnameFirst = matcher.match(row(63, null, "SID9003", "Oyelaran", null, null, null));
        assertEquals(Outcome.MATCH, surnameFirst.outcome(), surnameFirst.toString());
        assertEquals(9003L, surnameFirst.rosterId());
        assertEquals(Decision.TIER_STATE_ID, surnameFirst.tier());
        assertTrue(anyReason(surnameFirst, "first/last names swapped"), surnameFirst.candidates().toString());
        // her first name in the surname column is read as a first name, and a first name alone confirms no ID
        Decision firstLast = matcher.match(row(64, null, "SID9003", null, "Marguerite", null, null));
        assertNotEquals(Outcome.MATCH, firstLast.outcome(), firstLast.toString());
        // with her school it is her (an ID with a name alike at the student's school, nothing against it)
        Decision firstLastSchool = matcher.match(row(66, null, "SID9003", null, "Marguerite", null, "school-3"));
        assertEquals(Outcome.MATCH, firstLastSchool.outcome(), firstLastSchool.toString());
        assertEquals(9003L, firstLastSchool.rosterId());
        // her ID, first name and school, no surname, a birth date years off: nothing but the birth date against it
        Decision noSurname = matcher.match(row(67, null, "SID9003", "Marguerite", null, "2011-01-30", "school-3"));
        assertEquals(Outcome.MATCH, noSurname.outcome(), noSurname.toString());
        assertEquals(9003L, noSurname.rosterId());
        // the same with another surname sent: names and birth date disagree, not automatic
        Decision otherSurname = matcher.match(row(68, null, "SID9003", "Marguerite", "Castellanos", "2011-01-30",
                "school-3"));
        assertNotEquals(Outcome.MATCH, otherSurname.outcome(), otherSurname.toString());
        // and without her school
        Decision elsewhere = matcher.match(row(69, null, "SID9003", "Marguerite", null, "2011-01-30", "school-4"));
        assertNotEquals(Outcome.MATCH, elsewhere.outcome(), elsewhere.toString());
        // a single name that is neither of hers is no corroboration
        Decision other = matcher.match(row(65, null, "SID9003", "Pemberton", null, null, null));
        assertNotEquals(Outcome.MATCH, other.outcome());
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
    void studentsAlikeInEveryFieldAreReviewedAndEqualScoresRankByTheirContents() {
        // two roster students the row cannot tell apart (same names, birth date and school): neither is matched, and
        // the one added to the roster first is listed first. (The blocking finds these two in roster order; that the
        // ranking does not depend on the order found is what Matcher.ahead's assertions below check.) Students told
        // apart by their contents rank by those at the same score, in whatever order the roster was read.
        List<RosterRecord> roster = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            roster.add(new RosterRecord(i, null, FIRSTS[i % FIRSTS.length], LASTS[i % LASTS.length],
                    LocalDate.of(2007, 1, 1).plusDays(i), "school-" + (i % 7), "district-1"));
        }
        roster.add(new RosterRecord(7002, null, "Rosalind", "Quenby", LocalDate.of(2008, 5, 6), "school-2",
                "district-1"));
        roster.add(new RosterRecord(7001, null, "Rosalind", "Quenby", LocalDate.of(2008, 5, 6), "school-2",
                "district-1"));
        RosterIndex ix = RosterIndex.build(roster);
        FsModel model = new FsModel(ComparisonsTest.copy(ModelTrainer.PRIOR_M), ComparisonsTest.copy(ModelTrainer.PRIOR_U),
                0.9, false, 0, 0);
        Decision d = new Matcher(ix, model, MatchSettings.defaults(), null)
                .match(row(40, null, null, "Rosalind", "Quenby", "2008-05-06", "school-2"));
        assertEquals(Outcome.REVIEW, d.outcome());
        assertEquals(List.of(7002L, 7001L), d.candidates().stream().map(Candidate::rosterId).limit(2).toList());
        double[] ws = {3.0, 5.0, 5.0, Double.NEGATIVE_INFINITY};
        int[] rows = {10, 201, 200, 5};
        assertTrue(Matcher.ahead(ws, rows, 2, 1, ix), "the same score, students alike in every field: the row read first");
        assertFalse(Matcher.ahead(ws, rows, 1, 2, ix));
        assertTrue(Matcher.ahead(ws, rows, 1, 0, ix), "a higher score first");
        assertFalse(Matcher.ahead(ws, rows, 3, 0, ix));
        List<RosterRecord> reversed = new ArrayList<>(roster);
        java.util.Collections.reverse(reversed);
        RosterIndex xi = RosterIndex.build(reversed);
        int n = roster.size();
        int firstInIx = 0;
        for (int a = 0; a < 200; a++) {
            for (int b = 0; b < 200; b++) {
                if (a != b) {
                    assertEquals(ix.before(a, b), xi.before(n - 1 - a, n - 1 - b), "students " + a + " and " + b);
                    firstInIx += ix.before(a, b) && a > b ? 1 : 0;
                }
            }
        }
        assertTrue(firstInIx > 1000, "not the order read");
        // and a sample of the roster drawn the same from both (but for the two alike in everything)
        assertEquals(java.util.Arrays.stream(ix.spread).mapToObj(r -> roster.get(r).id()).filter(id -> id < 7000).toList(),
                java.util.Arrays.stream(xi.spread).mapToObj(r -> reversed.get(r).id()).filter(id -> id < 7000).toList());
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
