package org.credentialhub.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.text.similarity.JaroWinklerSimilarity;
import org.junit.jupiter.api.Test;

/** Comparison levels: names (Jaro-Winkler, nicknames), birth dates, term-frequency adjustment. */
class ComparisonsTest {

    @Test
    void jaroWinklerAgreesWithCommonsText() {
        JaroWinklerSimilarity ref = new JaroWinklerSimilarity();
        SplittableRandom r = new SplittableRandom(7);
        String[] base = {"martha", "marhta", "dwayne", "duane", "dixon", "dicksonx", "jones", "johnson", "a", "ab",
            "abc", "kowalczyk", "kowalski", "smith", "smyth", "schmidt", "o", "catherine", "kathryn"};
        for (String a : base) {
            for (String b : base) {
                assertEquals(ref.apply(a, b), JaroWinkler.similarity(a, b), 1e-12, "pair " + a + "/" + b);
            }
        }
        for (int i = 0; i < 2000; i++) {
            String a = randomWord(r);
            String b = r.nextBoolean() ? randomWord(r) : mutate(a, r);
            assertEquals(ref.apply(a, b), JaroWinkler.similarity(a, b), 1e-12);
        }
    }

    @Test
    void similarityAtLeastAFloorIsExactAtOrAboveItAndBelowItOtherwise() {
        SplittableRandom r = new SplittableRandom(11);
        int cutShort = 0;
        for (int i = 0; i < 20_000; i++) {
            String a = randomWord(r);
            String b = r.nextInt(3) == 0 ? mutate(a, r) : randomWord(r);
            if (r.nextInt(50) == 0) {
                b = b + "\u00e9";   // not ASCII: compared in full
            }
            for (double floor : new double[] {0.80, 0.92}) {
                double exact = JaroWinkler.similarity(a, b);
                double bounded = JaroWinkler.similarityAtLeast(a, b, floor);
                if (exact >= floor) {
                    assertEquals(exact, bounded, 0.0, "pair " + a + "/" + b);
                } else {
                    assertTrue(bounded < floor, "pair " + a + "/" + b);
                    cutShort += bounded != exact ? 1 : 0;
                }
            }
        }
        assertTrue(cutShort > 1_000, "the shared letters decide most dissimilar pairs: " + cutShort);
    }

    private static String randomWord(SplittableRandom r) {
        return word(r, 1 + r.nextInt(10), 6);
    }

    private static String mutate(String s, SplittableRandom r) {
        StringBuilder b = new StringBuilder(s);
        int p = r.nextInt(b.length());
        b.setCharAt(p, (char) ('a' + r.nextInt(6)));
        return b.toString();
    }

    /**
     * The alignment's band, its rows packed in ints, gives what a whole table of optimal string alignment gives, for
     * names of 0 to 20 letters, alike and not, with letters swapped, inserted, dropped and changed.
     */
    @Test
    void twoEditsFromPackedRowsAreThoseOfTheWholeTable() {
        SplittableRandom r = new SplittableRandom(17);
        int within = 0;
        int longPairs = 0;
        for (int i = 0; i < 200_000; i++) {
            String a = word(r, r.nextInt(21), 4);
            String b = a;
            int edits = r.nextInt(5);
            for (int e = 0; e < edits; e++) {
                b = edit(b, r);
            }
            if (r.nextInt(8) == 0) {
                b = word(r, r.nextInt(21), 4);
            }
            boolean expected = osaDistance(a, b) <= 2;
            assertEquals(expected, Comparisons.osaDistanceAtMost2(a, b), a + "/" + b);
            within += expected ? 1 : 0;
            longPairs += b.length() >= 16 ? 1 : 0;
        }
        assertTrue(within > 50_000 && within < 150_000, "pairs within two edits: " + within);
        assertTrue(longPairs > 10_000, "pairs with a name of 16 letters or more: " + longPairs);
    }

    /** {@code n} letters drawn from the first {@code letters} of the alphabet. */
    private static String word(SplittableRandom r, int n, int letters) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append((char) ('a' + r.nextInt(letters)));
        }
        return b.toString();
    }

    /** One letter changed, dropped, inserted, or two neighbours swapped. */
    private static String edit(String s, SplittableRandom r) {
        StringBuilder b = new StringBuilder(s);
        int kind = r.nextInt(4);
        if (b.length() < 2 && kind != 2) {
            kind = 2;
        }
        int p = r.nextInt(Math.max(1, b.length() - 1));
        switch (kind) {
            case 0 -> b.setCharAt(p, (char) ('a' + r.nextInt(4)));
            case 1 -> b.deleteCharAt(p);
            case 2 -> b.insert(r.nextInt(b.length() + 1), (char) ('a' + r.nextInt(4)));
            default -> {
                char c = b.charAt(p);
                b.setCharAt(p, b.charAt(p + 1));
                b.setCharAt(p + 1, c);
            }
        }
        return b.toString();
    }

    /** Optimal string alignment distance over the whole table. */
    private static int osaDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            for (int j = 0; j <= b.length(); j++) {
                if (i == 0 || j == 0) {
                    d[i][j] = i + j;
                    continue;
                }
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    @Test
    void nameLevelsFromLetterSetsAreTheLevelsCompared() {
        SplittableRandom r = new SplittableRandom(13);
        String[] names = {"robert", "bob", "rob", "elizabeth", "liz", "beth", "william", "bill", "kristen", "kirsten",
            "stephen", "steven", "jacob", "emma", "smith", "smyth", "schmidt", "johnson", "jonson", "key", "kye",
            "garcia lopez", "lopez", "o", "ab", "cobqs", "coats", "brhde", "bruce", "anne-marie", "marie"};
        List<String> words = new ArrayList<>(List.of(names));
        for (int i = 0; i < 400; i++) {
            String w = randomWord(r);
            words.add(w);
            words.add(mutate(w, r));
            words.add(mutate(mutate(w, r), r));
        }
        int decidedByLetters = 0;
        for (String a : words) {
            for (String b : words) {
                long la = Comparisons.letters(a);
                long lb = Comparisons.letters(b);
                assertEquals(firstLevelByDefinition(a, b), Comparisons.firstNameLevel(a.equals(b), a, la,
                        Names.nicknameGroups(a), b, b.length(), lb, Names.nicknameGroups(b)), "pair " + a + "/" + b);
                assertEquals(firstLevelByDefinition(a, b), Comparisons.firstNameLevel(a, b), "pair " + a + "/" + b);
                assertEquals(lastLevelByDefinition(a, b), Comparisons.lastNameLevel(a.equals(b), a, la, b, b.length(), lb),
                        "pair " + a + "/" + b);
                assertEquals(lastLevelByDefinition(a, b), Comparisons.lastNameLevel(a, b), "pair " + a + "/" + b);
                decidedByLetters += Comparisons.onlyOther(a.length(), la, b.length(), lb) ? 1 : 0;
            }
        }
        assertTrue(decidedByLetters > words.size() * words.size() / 5,
                "the letter sets decide many pairs: " + decidedByLetters);
    }

    /** The first-name levels as defined, every pair compared in full (the matcher's letter-set shortcut left out). */
    private static int firstLevelByDefinition(String a, String b) {
        if (a.equals(b)) {
            return Comparisons.FN_EXACT;
        }
        if (Names.isNickname(a, b)) {
            return Comparisons.FN_NICKNAME;
        }
        double jw = new JaroWinklerSimilarity().apply(a, b);
        return jw >= 0.92 ? Comparisons.FN_JW92 : jw >= 0.80 ? Comparisons.FN_JW80
                : Comparisons.twoTypingMistakes(a, b) ? Comparisons.FN_TWO_EDITS : Comparisons.FN_OTHER;
    }

    /** The last-name levels as defined (see {@link #firstLevelByDefinition}). */
    private static int lastLevelByDefinition(String a, String b) {
        if (a.equals(b)) {
            return Comparisons.LN_EXACT;
        }
        double jw = new JaroWinklerSimilarity().apply(a, b);
        return jw >= 0.92 ? Comparisons.LN_JW92 : jw >= 0.80 ? Comparisons.LN_JW80
                : Comparisons.twoTypingMistakes(a, b) ? Comparisons.LN_TWO_EDITS : Comparisons.LN_OTHER;
    }

    @Test
    void packedSchoolCodesAreComparedAsTheirValues() {
        SplittableRandom r = new SplittableRandom(17);
        String alphabet = "0123456789ab-\u00e9";
        List<String> codes = new ArrayList<>(List.of("360304", "360340", "363004", "360305", "3603040", "36030",
            "ab", "abc", "acb", "bac", "aab", "aba", "1234567", "1234576", "12345678", "12345687"));
        for (int i = 0; i < 600; i++) {
            StringBuilder b = new StringBuilder();
            int n = 1 + r.nextInt(9);
            for (int k = 0; k < n; k++) {
                b.append(alphabet.charAt(r.nextInt(r.nextInt(20) == 0 ? alphabet.length() : 10)));
            }
            String c = b.toString();
            codes.add(c);
            char[] sw = c.toCharArray();
            if (sw.length > 1) {
                int k = r.nextInt(sw.length - 1);
                char t = sw[k];
                sw[k] = sw[k + 1];
                sw[k + 1] = t;
                codes.add(new String(sw));
            }
            sw = c.toCharArray();
            sw[r.nextInt(sw.length)] = alphabet.charAt(r.nextInt(10));
            codes.add(new String(sw));
        }
        int packedPairs = 0;
        int oneOff = 0;
        for (String a : codes) {
            for (String b : codes) {
                long pa = Comparisons.packSchool(a);
                long pb = Comparisons.packSchool(b);
                if (pa == Comparisons.NOT_PACKED || pb == Comparisons.NOT_PACKED) {
                    continue;
                }
                packedPairs++;
                boolean expected = Comparisons.oneCharOff(a, b);
                oneOff += expected ? 1 : 0;
                assertEquals(expected, Comparisons.oneCharOffPacked(pa, pb), "codes " + a + "/" + b);
            }
        }
        assertTrue(packedPairs > 500_000 && oneOff > 1_000, packedPairs + " pairs, " + oneOff + " one off");
        assertEquals(Comparisons.NOT_PACKED, Comparisons.packSchool("12345678"));
        assertEquals(Comparisons.NOT_PACKED, Comparisons.packSchool("ab"));
        assertEquals(Comparisons.NOT_PACKED, Comparisons.packSchool("36\u00e90"));
    }

    @Test
    void firstNameLevels() {
        assertEquals(Comparisons.FN_EXACT, Comparisons.firstNameLevel("robert", "robert"));
        assertEquals(Comparisons.FN_NICKNAME, Comparisons.firstNameLevel("bob", "robert"));
        assertEquals(Comparisons.FN_NICKNAME, Comparisons.firstNameLevel("liz", "elizabeth"));
        assertEquals(Comparisons.FN_JW92, Comparisons.firstNameLevel("kristen", "kirsten"));
        assertEquals(Comparisons.FN_JW80, Comparisons.firstNameLevel("stephen", "steven"));
        assertEquals(Comparisons.FN_OTHER, Comparisons.firstNameLevel("jacob", "emma"));
        assertEquals(Comparisons.MISSING, Comparisons.firstNameLevel(null, "emma"));
        assertEquals("bob", Names.normalizeName(" Bob "));
        assertEquals("obrien", Names.normalizeName("O'Brien"));
        assertEquals("jose", Names.normalizeName("José"));
    }

    @Test
    void lastNameLevels() {
        assertEquals(Comparisons.LN_EXACT, Comparisons.lastNameLevel("garcia", "garcia"));
        assertEquals(Comparisons.LN_JW92, Comparisons.lastNameLevel("martinez", "martines"));
        assertTrue(JaroWinkler.similarity("thompson", "thomson") >= 0.92);
        assertEquals(Comparisons.LN_JW80, Comparisons.lastNameLevel("kowalski", "kowalczyk"));
        assertEquals(Comparisons.LN_OTHER, Comparisons.lastNameLevel("smith", "nguyen"));
    }

    private static int d(String iso) {
        return Names.dateToInt(LocalDate.parse(iso));
    }

    @Test
    void birthDateLevels() {
        assertEquals(Comparisons.DOB_EXACT, Comparisons.birthDateLevel(d("2008-03-07"), d("2008-03-07")));
        assertEquals(Comparisons.DOB_SWAPPED, Comparisons.birthDateLevel(d("2008-03-07"), d("2008-07-03")));
        assertEquals(Comparisons.DOB_ONE_DIGIT, Comparisons.birthDateLevel(d("2008-03-07"), d("2008-03-08")));
        assertEquals(Comparisons.DOB_ONE_DIGIT, Comparisons.birthDateLevel(d("2008-03-07"), d("2009-03-07")));
        assertEquals(Comparisons.DOB_ONE_DIGIT, Comparisons.birthDateLevel(d("2008-03-12"), d("2008-03-21")),
                "adjacent digits transposed");
        assertEquals(Comparisons.DOB_YEAR_ONLY, Comparisons.birthDateLevel(d("2008-03-07"), d("2008-11-24")));
        assertEquals(Comparisons.DOB_OTHER, Comparisons.birthDateLevel(d("2008-03-07"), d("2006-11-24")));
        assertEquals(Comparisons.MISSING, Comparisons.birthDateLevel(0, d("2006-11-24")));
        assertEquals(20080703, BlockingIndex.swapDayMonth(20080307));
        assertEquals(0, BlockingIndex.swapDayMonth(20080325));
    }

    /**
     * A school code typed one character wrong (a digit changed, two adjacent digits swapped) is its own level, between
     * the same school and another school: a vendor's typo in a postcode or school number still names the school.
     */
    @Test
    void schoolCodeOneTypingMistakeOff() {
        List<RosterRecord> roster = new ArrayList<>();
        String[] schools = {"4117", "4171", "4118", "2272", "S1", "S2"};
        for (int i = 0; i < schools.length; i++) {
            roster.add(new RosterRecord(i, null, "Ann", "Lee", LocalDate.of(2008, 1, 1), schools[i], null));
        }
        RosterIndex ix = RosterIndex.build(roster);
        int[] lv = new int[Comparisons.FIELDS];
        java.util.function.BiFunction<String, Integer, Integer> level = (school, row) -> {
            Probe p = ix.probe(new ResultRecord(1, null, null, "Ann", "Lee", null, school, null, null));
            Comparisons.levels(p, ix, row, lv);
            return lv[Comparisons.SCHOOL];
        };
        assertEquals(Comparisons.PLACE_SAME_SCHOOL, level.apply("4117", 0));
        assertEquals(Comparisons.PLACE_SCHOOL_ONE_EDIT, level.apply("4117", 1)); // adjacent digits swapped
        assertEquals(Comparisons.PLACE_SCHOOL_ONE_EDIT, level.apply("4117", 2)); // one digit changed
        assertEquals(Comparisons.PLACE_OTHER, level.apply("4117", 3));
        assertEquals(Comparisons.PLACE_SCHOOL_ONE_EDIT, level.apply("4177", 0)); // a code not in the roster
        assertEquals(Comparisons.PLACE_SCHOOL_ONE_EDIT, level.apply("4177", 1));
        assertEquals(Comparisons.PLACE_OTHER, level.apply("4177", 3));
        assertEquals(Comparisons.PLACE_OTHER, level.apply("S1", 5)); // codes this short are not compared for typos
    }

    /**
     * Names that Jaro-Winkler scores below 0.80 but that are two typing mistakes apart have their own level; short
     * names (fewer than four letters) and three mistakes stay "different", and the identity check of intake
     * (AttemptVersions) still reads the level as another name.
     */
    @Test
    void twoTypingMistakesIsItsOwnLevel() {
        assertEquals(Comparisons.LN_TWO_EDITS, Comparisons.lastNameLevel("cobqs", "coats"));
        assertEquals(Comparisons.LN_TWO_EDITS, Comparisons.lastNameLevel("brhde", "bruce"));
        assertEquals(Comparisons.FN_TWO_EDITS, Comparisons.firstNameLevel("ebna", "emma"));
        assertEquals(Comparisons.FN_OTHER, Comparisons.firstNameLevel("amy", "ana")); // too short
        assertEquals(Comparisons.LN_OTHER, Comparisons.lastNameLevel("wibnt", "white")); // three mistakes
        assertEquals(Comparisons.LN_OTHER, Comparisons.lastNameLevel("smith", "nguyen"));
        assertTrue(Comparisons.twoTypingMistakes("abcdef", "badcef")); // two adjacent swaps
        assertFalse(Comparisons.twoTypingMistakes("abcdef", "abcdefxyz"));
        // a name only this far from the other is another person's for intake's identity check
        assertTrue(Comparisons.firstNameLevel("ebna", "emma") > Comparisons.FN_JW80);
    }

    /** A school code typed one character wrong still blocks the surname at the school it meant. */
    @Test
    void blockingLooksAtTheSchoolsOneTypingMistakeAway() {
        List<RosterRecord> roster = new ArrayList<>();
        roster.add(new RosterRecord(1, null, "Jayden", "Quick", LocalDate.of(1969, 9, 19), "5062", null));
        for (int i = 0; i < 50; i++) {
            roster.add(new RosterRecord(100 + i, null, "Ann", "Lee" + (char) ('a' + i % 26), null, "70" + (10 + i), null));
        }
        RosterIndex ix = RosterIndex.build(roster);
        RosterIndex.Scratch s = new RosterIndex.Scratch();
        Probe typo = ix.probe(new ResultRecord(1, null, null, "Nicolas", "Quick", null, "5026", null));
        ix.candidates(typo, 2000, true, s);
        boolean found = false;
        for (int i = 0; i < s.count; i++) {
            found |= ix.idAt(s.rows[i]) == 1;
        }
        assertTrue(found, "the student at the school one transposition away is a candidate");
        // not looked for where the model does not weigh a neighbouring school code as evidence (the matcher's switch)
        ix.candidates(typo, 2000, false, s);
        for (int i = 0; i < s.count; i++) {
            assertNotEquals(1L, ix.idAt(s.rows[i]));
        }
        ix.candidates(ix.probe(new ResultRecord(2, null, null, "Nicolas", "Quick", null, "5099", null)), 2000, true, s);
        for (int i = 0; i < s.count; i++) {
            assertNotEquals(1L, ix.idAt(s.rows[i]), "a school two characters away is another school");
        }
    }

    @Test
    void schoolLevels() {
        assertEquals(Comparisons.PLACE_SAME_SCHOOL, Comparisons.placeLevel(3, 3, 1, 1, null, null));
        assertEquals(Comparisons.PLACE_SAME_DISTRICT, Comparisons.placeLevel(3, 4, 1, 1, null, null));
        assertEquals(Comparisons.PLACE_OTHER, Comparisons.placeLevel(3, 4, 1, 2, null, null));
        assertEquals(Comparisons.PLACE_OTHER, Comparisons.placeLevel(Probe.UNKNOWN, 4, Probe.MISSING, 2, null, null));
        assertEquals(Comparisons.MISSING, Comparisons.placeLevel(Probe.MISSING, 4, Probe.MISSING, 2, null, null));
    }

    @Test
    void commonSurnamesCountLessThanRareOnes() {
        List<RosterRecord> roster = new ArrayList<>();
        long id = 0;
        SplittableRandom r = new SplittableRandom(3);
        String[] firsts = {"ava", "liam", "noah", "emma", "mia", "lucas", "ella", "owen", "zoe", "leo"};
        for (int i = 0; i < 400; i++) { // 400 Smiths
            roster.add(new RosterRecord(id++, null, firsts[r.nextInt(firsts.length)], "Smith",
                    LocalDate.of(2007, 1, 1).plusDays(r.nextInt(1500)), "S" + r.nextInt(50), null));
        }
        roster.add(new RosterRecord(id++, null, "Ava", "Wojciechowski", LocalDate.of(2008, 5, 5), "S1", null));
        roster.add(new RosterRecord(id, null, "Ava", "Smith", LocalDate.of(2008, 5, 5), "S1", null));
        RosterIndex index = RosterIndex.build(roster);
        FsModel model = new FsModel(copy(ModelTrainer.PRIOR_M), copy(ModelTrainer.PRIOR_U), 0.9, false, 0, 0);
        Matcher m = new Matcher(index, model, MatchSettings.defaults(), null);
        Decision rare = m.match(new ResultRecord(1, null, null, "Ava", "Wojciechowski", LocalDate.of(2008, 5, 5),
                "S1", null));
        Decision common = m.match(new ResultRecord(2, null, null, "Ava", "Smith", LocalDate.of(2008, 5, 5), "S1",
                null));
        double rareLast = lastNameWeight(rare.candidates().get(0));
        double commonLast = lastNameWeight(common.candidates().get(0));
        assertTrue(rareLast > commonLast + 3, "rare surname weight " + rareLast + " vs common " + commonLast);
        assertNotEquals(rare.candidates().get(0).score(), common.candidates().get(0).score());
    }

    static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    private static double lastNameWeight(Candidate c) {
        for (String reason : c.reasons()) {
            if (reason.startsWith("last_name: exact, term-frequency adjusted")) {
                String v = reason.substring(reason.lastIndexOf('(') + 1, reason.lastIndexOf(')'));
                return Double.parseDouble(v.replace('\u2212', '-'));
            }
        }
        throw new AssertionError("no TF-adjusted last-name reason in " + c.reasons());
    }
}
