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
     * The level of comparison {@code kind} between the row's name {@code a} and the roster name {@code b} whose
     * dictionary code is {@code code} (first-name levels for {@link #FIRST}, {@link #FIRST_VS_LAST},
     * {@link #LAST_AS_FIRST}; last-name levels otherwise).
     */
    int level(int kind, int code, String a, String b) {
        int key = code << 3 | kind;
        int h = (key * 0x9E3779B1) >>> 22; // top 10 bits: SLOTS
        while (gens[h] == gen) {
            if (keys[h] == key) {
                return levels[h];
            }
            h = (h + 1) & (SLOTS - 1);
        }
        int l = kind == FIRST || kind == FIRST_VS_LAST || kind == LAST_AS_FIRST
                ? Comparisons.firstNameLevel(a, b) : Comparisons.lastNameLevel(a, b);
        if (size < MAX) {
            gens[h] = gen;
            keys[h] = key;
            levels[h] = (byte) l;
            size++;
        }
        return l;
    }
}
