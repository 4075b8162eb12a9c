package org.credentialhub.matching;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * School codes one typing mistake apart (one character changed, or two adjacent characters swapped): for a sent school
 * value, the roster's school codes it may have meant, so that blocking can look the surname up at those schools.
 */
final class SchoolCodeNeighbours {
    /** Codes this long and longer are compared for one typing mistake (a one-letter code is no code to mistype). */
    static final int MIN_EDIT_LENGTH = 3;

    private final HashMap<String, Integer> schoolDict;
    /**
     * For each school value and position, the value with that character replaced by a wildcard, mapped to the schools
     * that have it.
     */
    private final HashMap<String, int[]> schoolWild;

    SchoolCodeNeighbours(HashMap<String, Integer> schoolDict) {
        this.schoolDict = schoolDict;
        this.schoolWild = wildcards(schoolDict);
    }

    private static HashMap<String, int[]> wildcards(HashMap<String, Integer> dict) {
        HashMap<String, int[]> out = new HashMap<>();
        for (Map.Entry<String, Integer> e : dict.entrySet()) {
            String v = e.getKey();
            if (v.length() < MIN_EDIT_LENGTH) {
                continue;
            }
            for (int i = 0; i < v.length(); i++) {
                out.merge(wildcard(v, i), new int[] {e.getValue()}, (a, c) -> {
                    int[] r = Arrays.copyOf(a, a.length + 1);
                    r[a.length] = c[0];
                    return r;
                });
            }
        }
        return out;
    }

    private static String wildcard(String v, int i) {
        return new StringBuilder(v.length()).append(v, 0, i).append('\u0000').append(v, i + 1, v.length()).toString();
    }

    /**
     * Roster school codes one typing mistake from a sent school value (one character changed, or two adjacent
     * characters swapped), without the sent value's own code; null when there are none. A vendor that types a school
     * code wrong (a postcode's digit, two digits swapped) still names the student's school.
     */
    int[] schoolsOneEditAway(String v, int own) {
        if (v == null || v.length() < MIN_EDIT_LENGTH) {
            return null;
        }
        int[] out = null;
        int k = 0;
        for (int i = 0; i < v.length(); i++) {
            int[] codes = schoolWild.get(wildcard(v, i));
            if (codes != null) {
                for (int c : codes) {
                    if (c != own) {
                        out = addCode(out, k++, c);
                    }
                }
            }
            if (i + 1 < v.length() && v.charAt(i) != v.charAt(i + 1)) {
                char[] sw = v.toCharArray();
                sw[i] = v.charAt(i + 1);
                sw[i + 1] = v.charAt(i);
                Integer c = schoolDict.get(new String(sw));
                if (c != null && c != own) {
                    out = addCode(out, k++, c);
                }
            }
        }
        return out == null ? null : Arrays.copyOf(out, k);
    }

    private static int[] addCode(int[] out, int k, int c) {
        if (out == null) {
            out = new int[4];
        } else if (k == out.length) {
            out = Arrays.copyOf(out, k * 2);
        }
        out[k] = c;
        return out;
    }
}
