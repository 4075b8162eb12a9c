package org.credentialhub.matching;

import java.util.Arrays;

/**
 * The name levels of one result row against the roster's dictionary names, remembered while the row is scored: a
 * row's candidates share names (a surname's family, a common first name, the phonetic blocks), and each comparison
 * (Jaro-Winkler, two typing mistakes, nicknames) depends only on the row's name and the roster name, i.e. its
 * dictionary code. Keyed by the kind of comparison and the roster name's code. One per thread; {@link #reset} for each
 * row. Holds at most {@value #MAX} levels a row (further ones are computed each time).
 */
final class NameMemo {
    /** The row's first name against a roster first name ({@link Comparisons#firstNameLevel}). */
    static final int FIRST = 0;
    /** The row's last name against a roster last name ({@link Comparisons#lastNameLevel}). */
    static final int LAST = 1;
    /** The row's first name against a roster last name, as a first name (names swapped). */
    static final int FIRST_VS_LAST = 2;
    /** The row's last name against a roster first name, as a last name (names swapped). */
    static final int LAST_VS_FIRST = 3;
    /** The row's last name against a roster first name, as a first name (a single name in the wrong field). */
    static final int LAST_AS_FIRST = 4;
    /** The row's first name against a roster last name, as a last name (a single name in the wrong field). */
    static final int FIRST_AS_LAST = 5;

    private static final int SLOTS = 1024;
    private static final int MAX = SLOTS / 2;

    private final int[] keys = new int[SLOTS];
    private final int[] gens = new int[SLOTS];
    private final byte[] levels = new byte[SLOTS];
    private int gen = 1;
    private int size;

    /** Forgets the levels of the previous row. */
    void reset() {
        size = 0;
        if (++gen == 0) {
            Arrays.fill(gens, 0);
            gen = 1;
        }
    }

    /**
     * The level of comparison {@code kind} between the probe's name and the roster's dictionary name {@code code}
     * (first-name levels for {@link #FIRST}, {@link #FIRST_VS_LAST}, {@link #LAST_AS_FIRST}; last-name levels
     * otherwise; the roster name from the first-name dictionary for {@link #FIRST}, {@link #LAST_VS_FIRST},
     * {@link #LAST_AS_FIRST}, from the last-name dictionary otherwise).
     */
    int level(int kind, int code, Probe p, RosterIndex ix) {
        int key = code << 3 | kind;
        int h = (key * 0x9E3779B1) >>> 22; // top 10 bits: SLOTS
        while (gens[h] == gen) {
            if (keys[h] == key) {
                return levels[h];
            }
            h = (h + 1) & (SLOTS - 1);
        }
        int l = compare(kind, code, p, ix);
        if (size < MAX) {
            gens[h] = gen;
            keys[h] = key;
            levels[h] = (byte) l;
            size++;
        }
        return l;
    }

    /** {@link #level} of the row's memo, or {@link #compare} when there is none (the model's fit, explanations). */
    static int level(NameMemo memo, int kind, int code, Probe p, RosterIndex ix) {
        return memo == null ? compare(kind, code, p, ix) : memo.level(kind, code, p, ix);
    }

    /**
     * The level of comparison {@code kind} between the probe's name and dictionary name {@code code}, not remembered
     * (see {@link #level}): compared on the names' letter sets first ({@link Comparisons#onlyOther}). Whether the two
     * names are the same text is told by their codes in dictionary {@code code} belongs to (the probe carries the sent
     * name's code in both; a dictionary holds each text once), not by comparing their letters.
     */
    private static int compare(int kind, int code, Probe p, RosterIndex ix) {
        boolean sentFirst = kind == FIRST || kind == FIRST_VS_LAST || kind == FIRST_AS_LAST;
        boolean rosterFirst = kind == FIRST || kind == LAST_VS_FIRST || kind == LAST_AS_FIRST;
        String a = sentFirst ? p.first : p.last;
        long la = sentFirst ? p.firstLetters : p.lastLetters;
        RosterIndex.NameDict d = rosterFirst ? ix.firstDict : ix.lastDict;
        int sentCode = sentFirst ? (rosterFirst ? p.firstCode : p.firstAsLastCode)
                : (rosterFirst ? p.lastAsFirstCode : p.lastCode);
        boolean same = sentCode >= 0 && sentCode == code;
        if (kind == FIRST || kind == FIRST_VS_LAST || kind == LAST_AS_FIRST) {
            return Comparisons.firstNameLevel(same, a, la, sentFirst ? p.firstNick : p.lastNick, d.values[code],
                    d.lengths[code], d.letters[code], d.nick[code]);
        }
        return Comparisons.lastNameLevel(same, a, la, d.values[code], d.lengths[code], d.letters[code]);
    }
}
