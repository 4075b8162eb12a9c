package org.credentialhub.matching;

/**
 * Comparison levels of the Fellegi-Sunter model. Each field of a (result, roster) pair falls into one level, or is
 * missing (level -1, contributes nothing). Level 0 is always the strongest agreement.
 */
public final class Comparisons {
    private Comparisons() {
    }

    public static final int FIRST = 0;
    public static final int LAST = 1;
    public static final int DOB = 2;
    public static final int SCHOOL = 3;
    public static final int FIELDS = 4;

    /** School and district form one field (a district contains its schools, so they are not independent). */
    public static final String[] FIELD_NAMES = {"first_name", "last_name", "birth_date", "school"};

    // first name
    public static final int FN_EXACT = 0;
    public static final int FN_NICKNAME = 1;
    public static final int FN_JW92 = 2;
    public static final int FN_JW80 = 3;
    public static final int FN_TWO_EDITS = 4;
    public static final int FN_OTHER = 5;
    // last name
    public static final int LN_EXACT = 0;
    public static final int LN_JW92 = 1;
    public static final int LN_JW80 = 2;
    public static final int LN_TWO_EDITS = 3;
    public static final int LN_OTHER = 4;
    // birth date
    public static final int DOB_EXACT = 0;
    public static final int DOB_SWAPPED = 1;
    public static final int DOB_ONE_DIGIT = 2;
    public static final int DOB_YEAR_ONLY = 3;
    public static final int DOB_OTHER = 4;
    // school (with district)
    public static final int PLACE_SAME_SCHOOL = 0;
    public static final int PLACE_SCHOOL_ONE_EDIT = 1;
    public static final int PLACE_SAME_DISTRICT = 2;
    public static final int PLACE_OTHER = 3;

    public static final int MISSING = -1;

    /** Human-readable level labels (used in reasons); never contain values. */
    public static final String[][] LEVEL_LABELS = {
        {"exact", "nickname", "jaro-winkler ≥ 0.92", "jaro-winkler ≥ 0.80", "two typing mistakes apart", "different"},
        {"exact", "jaro-winkler ≥ 0.92", "jaro-winkler ≥ 0.80", "two typing mistakes apart", "different"},
        {"exact", "day/month swapped", "one digit differs", "same year only", "different"},
        {"same school", "school code one typing mistake off", "same district, other school", "different"},
    };

    public static int levels(int field) {
        return LEVEL_LABELS[field].length;
    }

    /** First-name level of two normalised names. */
    public static int firstNameLevel(String a, String b) {
        if (a == null || b == null) {
            return MISSING;
        }
        return firstNameLevel(a.equals(b), a, letters(a), Names.nicknameGroups(a), b, b.length(), letters(b),
                Names.nicknameGroups(b));
    }

    /** Last-name level of two normalised names. */
    public static int lastNameLevel(String a, String b) {
        if (a == null || b == null) {
            return MISSING;
        }
        return lastNameLevel(a.equals(b), a, letters(a), b, b.length(), letters(b));
    }

    /**
     * {@link #firstNameLevel(String, String)} of two names known to be the same text or not ({@code same}: the matcher
     * tells it by their dictionary codes), given with their letters ({@link #letters}) and nickname groups
     * ({@link Names#nicknameGroups}), and {@code b} with its length, which the matcher keeps with its dictionaries and
     * rows: the letters' places are not compared, nor {@code b} read, when the letter sets and lengths alone rule out
     * every level but "different" ({@link #onlyOther}).
     */
    static int firstNameLevel(boolean same, String a, long la, long[] na, String b, int bLength, long lb, long[] nb) {
        if (same) {
            return FN_EXACT;
        }
        if (Names.isNickname(na, nb)) {
            return FN_NICKNAME;
        }
        if (onlyOther(a.length(), la, bLength, lb)) {
            return FN_OTHER;
        }
        double jw = JaroWinkler.similarityAtLeast(a, b, 0.80);   // the lowest level compared
        return jw >= 0.92 ? FN_JW92 : jw >= 0.80 ? FN_JW80 : twoTypingMistakes(a, la, b, lb) ? FN_TWO_EDITS : FN_OTHER;
    }

    /**
     * {@link #lastNameLevel(String, String)} of two names known to be the same text or not, given with their letters
     * ({@link #letters}), and {@code b} with its length ({@code b} is read only when they do not rule it out).
     */
    static int lastNameLevel(boolean same, String a, long la, String b, int bLength, long lb) {
        if (same) {
            return LN_EXACT;
        }
        if (onlyOther(a.length(), la, bLength, lb)) {
            return LN_OTHER;
        }
        double jw = JaroWinkler.similarityAtLeast(a, b, 0.80);   // the lowest level compared
        return jw >= 0.92 ? LN_JW92 : jw >= 0.80 ? LN_JW80 : twoTypingMistakes(a, la, b, lb) ? LN_TWO_EDITS : LN_OTHER;
    }

    /**
     * Whether two names' letter sets ({@code la}, {@code lb}) and lengths ({@code na}, {@code nb}) rule out
     * Jaro-Winkler ≥ 0.80 and two typing mistakes. A letter of one name that the other lacks matches nothing, so the
     * matches are at most each name's length less its letters the other lacks; the similarity is at most what that many
     * matches give without transpositions and with the longest prefix. Two typing mistakes are ruled out by the test
     * {@link #twoTypingMistakes} starts with. The names themselves are not read: a roster name's length and letters
     * are kept in its dictionary's arrays, and most pairs end here without a wait for the name's text.
     */
    static boolean onlyOther(int na, long la, int nb, long lb) {
        int onlyA = Long.bitCount(la & ~lb);
        int onlyB = Long.bitCount(lb & ~la);
        if (na >= MIN_TWO_EDITS_LENGTH && nb >= MIN_TWO_EDITS_LENGTH && Math.abs(na - nb) <= 2 && onlyA <= 2
                && onlyB <= 2) {
            return false;
        }
        int m = Math.min(na - onlyA, nb - onlyB);
        if (m <= 0) {
            return true;
        }
        double jaro = (m / (double) Math.min(na, nb) + m / (double) Math.max(na, nb) + 1.0) / 3.0;
        double bound = jaro < 0.7 ? jaro : jaro + 0.4 * (1.0 - jaro);
        return bound < 0.80 - 1e-9;
    }

    /** Names shorter than this are not compared for two typing mistakes (two edits make most short names alike). */
    static final int MIN_TWO_EDITS_LENGTH = 4;

    /**
     * Whether two names of at least {@link #MIN_TWO_EDITS_LENGTH} letters are at most two typing mistakes apart
     * (optimal string alignment distance ≤ 2: letters replaced, dropped, added, or adjacent letters swapped). Jaro-Winkler
     * scores a name with two letters damaged in its middle or at its start below 0.80 ({@code cobqs}/{@code coats},
     * {@code brhde}/{@code bruce}); this level lets the data say how much such a pair weighs.
     */
    static boolean twoTypingMistakes(String a, String b) {
        return twoTypingMistakes(a, letters(a), b, letters(b));
    }

    /** {@link #twoTypingMistakes(String, String)} of two names given with their letters ({@link #letters}). */
    private static boolean twoTypingMistakes(String a, long ma, String b, long mb) {
        int la = a.length();
        int lb = b.length();
        if (la < MIN_TWO_EDITS_LENGTH || lb < MIN_TWO_EDITS_LENGTH || Math.abs(la - lb) > 2) {
            return false;
        }
        // two edits remove at most two of a name's distinct letters from the other: most pairs end here, without
        // the alignment
        if (Long.bitCount(ma & ~mb) > 2 || Long.bitCount(mb & ~ma) > 2) {
            return false;
        }
        return osaDistanceAtMost2(a, b);
    }

    /** The set of characters of a string as 64 bits (a character's low 6 bits; a superset test, never a false no). */
    static long letters(String s) {
        long m = 0;
        for (int i = 0; i < s.length(); i++) {
            m |= 1L << (s.charAt(i) & 63);
        }
        return m;
    }

    /**
     * Optimal string alignment distance ≤ 2, in a band of width 5 around the diagonal. Only a row's five cells of
     * the band can be two or less (the others are "more than two", 3), and each holds 0 to 3: a row is kept in an int,
     * cell {@code d + 2} for column {@code i + d} of row {@code i} in four bits, so that a comparison allocates nothing
     * (three arrays a comparison were a third of what matching allocated, each dead as soon as the names were
     * compared). Column {@code j} of row {@code i} is the same cell of row {@code i - 1} (a letter substituted) and of
     * row {@code i - 2} (two letters transposed), the next cell of row {@code i - 1} (a letter dropped) and the
     * previous cell of row {@code i} (a letter inserted).
     */
    static boolean osaDistanceAtMost2(String a, String b) {
        final int k = 2;
        final int inf = k + 1;
        int la = a.length();
        int lb = b.length();
        int prev2 = BAND_INF;
        int prev = BAND_INF;
        for (int j = 0; j <= Math.min(k, lb); j++) {
            prev = withCell(prev, j, j); // row 0: column j is j
        }
        for (int i = 1; i <= la; i++) {
            int cur = BAND_INF;
            int rowMin = inf;
            char ca = a.charAt(i - 1);
            for (int d = -k; d <= k; d++) {
                int j = i + d;
                if (j < 0 || j > lb) {
                    continue;
                }
                int v;
                if (j == 0) {
                    v = Math.min(i, inf); // column 0: i letters dropped
                } else {
                    char cb = b.charAt(j - 1);
                    v = Math.min(cell(prev, d) + (ca == cb ? 0 : 1), Math.min(cell(prev, d + 1), cell(cur, d - 1)) + 1);
                    if (i > 1 && j > 1 && ca == b.charAt(j - 2) && a.charAt(i - 2) == cb) {
                        v = Math.min(v, cell(prev2, d) + 1);
                    }
                    v = Math.min(v, inf);
                }
                cur = withCell(cur, d, v);
                rowMin = Math.min(rowMin, v);
            }
            if (rowMin > k) {
                return false;
            }
            prev2 = prev;
            prev = cur;
        }
        return cell(prev, lb - la) <= k;
    }

    /** A row of the band whose every cell is 3 (more than two edits; {@link #osaDistanceAtMost2}). */
    private static final int BAND_INF = 0x33333;

    /** Cell {@code d} (-2 to 2) of a row of the band; outside it, more than two edits (3). */
    private static int cell(int row, int d) {
        return d < -2 || d > 2 ? 3 : row >>> (4 * (d + 2)) & 0xF;
    }

    /** The row with cell {@code d} set to {@code v}. */
    private static int withCell(int row, int d, int v) {
        int shift = 4 * (d + 2);
        return row & ~(0xF << shift) | v << shift;
    }

    /**
     * Whether one surname is a whole part of the other, at its start or end ({@code lopez} in {@code garcialopez},
     * {@code smith} in {@code smithjones}; names as {@link Names#normalizeName} gives them, spaces and hyphens
     * dropped): a double surname of which one part was sent, or a whole name split at the wrong word ({@code Ana
     * Garcia Lopez} read as first name Ana, surname Lopez). Both the part and the rest have at least four letters, so
     * {@code john} is not a part of {@code johnson}.
     */
    static boolean sharesSurnamePart(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        String shorter = a.length() <= b.length() ? a : b;
        String longer = shorter == a ? b : a;
        if (shorter.length() < 4 || longer.length() - shorter.length() < 4) {
            return false;
        }
        return longer.startsWith(shorter) || longer.endsWith(shorter);
    }

    /**
     * Two codes of the same length (at least {@link RosterIndex#MIN_SCHOOL_EDIT_LENGTH}) that differ in one character,
     * or by two adjacent characters swapped.
     */
    static boolean oneCharOff(String a, String b) {
        return a != null && b != null && a.length() == b.length() && a.length() >= RosterIndex.MIN_SCHOOL_EDIT_LENGTH
                && oneTypoApart(a, b);
    }

    /**
     * Whether two normalised names are one typing mistake apart: one letter replaced, dropped or added, or two adjacent
     * letters swapped. Jaro-Winkler misses this on short names ("key"/"kye" scores 0.60), so the state-ID tier uses it
     * to tell a damaged spelling of the ID's student's name from another person's name.
     */
    public static boolean oneTypoApart(String a, String b) {
        if (a == null || b == null || a.equals(b)) {
            return false;
        }
        int la = a.length();
        int lb = b.length();
        if (Math.abs(la - lb) > 1) {
            return false;
        }
        int i = 0;
        while (i < Math.min(la, lb) && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        if (la == lb) {
            if (a.regionMatches(i + 1, b, i + 1, la - i - 1)) {
                return true; // one letter replaced
            }
            return i + 1 < la && a.charAt(i) == b.charAt(i + 1) && a.charAt(i + 1) == b.charAt(i)
                    && a.regionMatches(i + 2, b, i + 2, la - i - 2); // two adjacent letters swapped
        }
        String longer = la > lb ? a : b;
        String shorter = la > lb ? b : a;
        return longer.regionMatches(i + 1, shorter, i, shorter.length() - i); // one letter dropped or added
    }

    /** Birth-date level of two yyyymmdd ints (0 = missing). */
    public static int birthDateLevel(int a, int b) {
        if (a == 0 || b == 0) {
            return MISSING;
        }
        if (a == b) {
            return DOB_EXACT;
        }
        return birthDateLevelBcd(bcd(a), bcd(b));
    }

    /**
     * Birth-date level of two dates as packed decimal digits ({@link #bcd}: yyyymmdd, one digit per 4 bits; 0 =
     * missing). The same levels as {@link #birthDateLevel}, without divisions: the matcher stores roster birth dates
     * this way so that comparing a candidate's birth date is a few bit operations.
     */
    static int birthDateLevelBcd(int a, int b) {
        if (a == 0 || b == 0) {
            return MISSING;
        }
        if (a == b) {
            return DOB_EXACT;
        }
        boolean sameYear = (a >>> 16) == (b >>> 16);
        // month = bits 8..15, day = bits 0..7 (two digits each)
        if (sameYear && ((a >>> 8) & 0xFF) == (b & 0xFF) && (a & 0xFF) == ((b >>> 8) & 0xFF)) {
            return DOB_SWAPPED;
        }
        // digit-wise comparison of the 8 digits (4-bit nibbles)
        int x = a ^ b;
        int t = (x | (x >>> 1) | (x >>> 2) | (x >>> 3)) & 0x1111_1111;
        int diff = Integer.bitCount(t);
        if (diff == 1) {
            return DOB_ONE_DIGIT;
        }
        if (diff == 2) {
            int p1 = Integer.numberOfTrailingZeros(t) & ~3;
            int p2 = (31 - Integer.numberOfLeadingZeros(t)) & ~3;
            if (p2 == p1 + 4 && ((a >>> p1) & 0xF) == ((b >>> p2) & 0xF) && ((a >>> p2) & 0xF) == ((b >>> p1) & 0xF)) {
                return DOB_ONE_DIGIT; // adjacent digits transposed
            }
        }
        return sameYear ? DOB_YEAR_ONLY : DOB_OTHER;
    }

    /** A yyyymmdd int (0..99999999) as packed decimal digits, 4 bits each (0 stays 0). */
    static int bcd(int v) {
        int r = 0;
        for (int i = 0; i < 8; i++) {
            r |= (v % 10) << (i << 2);
            v /= 10;
        }
        return r;
    }

    static boolean validDate(int d) {
        int y = d / 10000;
        int m = d / 100 % 100;
        int day = d % 100;
        if (m < 1 || m > 12 || day < 1) {
            return false;
        }
        int len = switch (m) {
            case 2 -> (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
        return day <= len;
    }

    /**
     * School level from dictionary codes (MISSING = absent, UNKNOWN = present but not in the roster): same school;
     * else the roster school's value is one typing mistake from the sent one ({@link #oneCharOff}: one character changed
     * or two adjacent swapped, values of {@link RosterIndex#MIN_SCHOOL_EDIT_LENGTH}+ characters); else same district;
     * else different; missing when neither school nor district can be compared.
     */
    static int placeLevel(int probeSchool, int rosterSchool, int probeDistrict, int rosterDistrict, String probeValue,
                          String rosterValue) {
        boolean schools = probeSchool != Probe.MISSING && rosterSchool >= 0;
        if (schools && probeSchool == rosterSchool) {
            return PLACE_SAME_SCHOOL;
        }
        if (schools && oneCharOff(probeValue, rosterValue)) {
            return PLACE_SCHOOL_ONE_EDIT;
        }
        return districtLevel(schools, probeDistrict, rosterDistrict);
    }

    /**
     * {@link #placeLevel(int, int, int, int, String, String)} of a probe, whose schools one typing mistake from its own
     * compared as packed values where both are short ({@link #packSchool}).
     */
    static int placeLevel(Probe p, int rosterSchool, int rosterDistrict, RosterIndex ix) {
        boolean schools = p.school != Probe.MISSING && rosterSchool >= 0;
        if (schools && p.school == rosterSchool) {
            return PLACE_SAME_SCHOOL;
        }
        if (schools && schoolOneOff(p, rosterSchool, ix)) {
            return PLACE_SCHOOL_ONE_EDIT;
        }
        return districtLevel(schools, p.district, rosterDistrict);
    }

    /** {@link #oneCharOff} of the sent school and roster school {@code code}, on their packed values where both have one. */
    private static boolean schoolOneOff(Probe p, int code, RosterIndex ix) {
        long a = p.schoolPacked;
        long b = ix.schoolPacked[code];
        if (a == NOT_PACKED || b == NOT_PACKED) {
            return oneCharOff(p.schoolValue, ix.schoolValues[code]);
        }
        return oneCharOffPacked(a, b);
    }

    /** A value that {@link #packSchool} does not pack. */
    static final long NOT_PACKED = -1;

    /**
     * A school value of {@link RosterIndex#MIN_SCHOOL_EDIT_LENGTH} to 7 characters below U+0080 as one long: the
     * characters in the low bytes, the length in the top byte ({@link #oneCharOffPacked} compares two with a few bit
     * operations); {@link #NOT_PACKED} for any other value (compared as strings).
     */
    static long packSchool(String v) {
        if (v == null || v.length() < RosterIndex.MIN_SCHOOL_EDIT_LENGTH || v.length() > 7) {
            return NOT_PACKED;
        }
        long r = (long) v.length() << 56;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == 0 || c >= 0x80) {
                return NOT_PACKED;
            }
            r |= (long) c << (i << 3);
        }
        return r;
    }

    /** {@link #oneCharOff} of two packed values ({@link #packSchool}): one character changed, or two adjacent swapped. */
    static boolean oneCharOffPacked(long a, long b) {
        long x = a ^ b;
        if (x == 0 || (x >>> 56) != 0) {
            return false; // the same value, or lengths that differ
        }
        int i = Long.numberOfTrailingZeros(x) & ~7;
        long rest = x & ~(0xFFL << i);
        if (rest == 0) {
            return true; // one character changed
        }
        int j = Long.numberOfTrailingZeros(rest) & ~7;
        return j == i + 8 && (rest & ~(0xFFL << j)) == 0
                && ((a >>> i) & 0xFF) == ((b >>> j) & 0xFF) && ((a >>> j) & 0xFF) == ((b >>> i) & 0xFF);
    }

    private static int districtLevel(boolean schools, int probeDistrict, int rosterDistrict) {
        boolean districts = probeDistrict != Probe.MISSING && rosterDistrict >= 0;
        if (districts && probeDistrict == rosterDistrict) {
            return PLACE_SAME_DISTRICT;
        }
        return schools || districts ? PLACE_OTHER : MISSING;
    }

    /**
     * All levels of a probe against a roster row, into {@code out[FIELDS]}. Names are also compared crosswise
     * (first vs last); the crosswise reading is used when it is clearly better (names swapped), and a single name sent
     * is read as the other field when it agrees there and not in its own (a name in the wrong field). Returns true
     * then.
     */
    static boolean levels(Probe p, RosterIndex ix, int row, int[] out) {
        return levels(p, ix, row, out, null);
    }

    /**
     * {@link #levels(Probe, RosterIndex, int, int[])}, the name levels looked up in (and added to) {@code memo}, the
     * levels of this probe's names against dictionary names already compared (null: none).
     */
    static boolean levels(Probe p, RosterIndex ix, int row, int[] out, NameMemo memo) {
        int fc = ix.first(row);
        int lc = ix.last(row);
        String rf = fc >= 0 ? ix.firstDict.values[fc] : null;
        String rl = lc >= 0 ? ix.lastDict.values[lc] : null;
        int f;
        if (p.first == null || rf == null) {
            f = MISSING;
        } else if (p.firstCode == fc) {
            f = FN_EXACT;
        } else {
            f = NameMemo.level(memo, NameMemo.FIRST, fc, p, ix);
        }
        int l;
        if (p.last == null || rl == null) {
            l = MISSING;
        } else if (p.lastCode == lc) {
            l = LN_EXACT;
        } else {
            l = NameMemo.level(memo, NameMemo.LAST, lc, p, ix);
        }
        boolean swapped = false;
        if (f >= FN_JW80 && l >= LN_JW80 && p.first != null && p.last != null && rf != null && rl != null) {
            int sf = NameMemo.level(memo, NameMemo.FIRST_VS_LAST, lc, p, ix);
            int sl = NameMemo.level(memo, NameMemo.LAST_VS_FIRST, fc, p, ix);
            boolean better = sf >= 0 && sl >= 0 && sf + sl < f + l
                    && ((sf <= FN_JW92 && sl <= LN_JW80) || (sf <= FN_JW80 && sl <= LN_JW92));
            if (better) {
                f = sf;
                l = sl;
                swapped = true;
            }
        }
        if (!swapped && (p.first == null) != (p.last == null) && rf != null && rl != null) {
            // a single name sent, possibly in the wrong field (a surname in the first-name column, or the reverse):
            // compared with the roster's other name too, and read crosswise when that agrees where the straight
            // reading does not
            if (p.first == null && l >= LN_JW80) {
                int sf = NameMemo.level(memo, NameMemo.LAST_AS_FIRST, fc, p, ix);
                if (sf >= 0 && sf <= FN_JW92) {
                    f = sf;
                    l = MISSING;
                    swapped = true;
                }
            } else if (p.last == null && f >= FN_JW80) {
                int sl = NameMemo.level(memo, NameMemo.FIRST_AS_LAST, lc, p, ix);
                if (sl >= 0 && sl <= LN_JW92) {
                    f = MISSING;
                    l = sl;
                    swapped = true;
                }
            }
        }
        out[FIRST] = f;
        out[LAST] = l;
        out[DOB] = birthDateLevelBcd(p.dobBcd, ix.dobBcd(row));
        out[SCHOOL] = placeLevel(p, ix.school(row), ix.district(row), ix);
        return swapped;
    }
}
