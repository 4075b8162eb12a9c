package org.credentialhub.matching;

/**
 * Allocation-free Jaro-Winkler similarity with the same definition as commons-text's
 * {@code JaroWinklerSimilarity} (match window max(len)/2-1, prefix up to 4, scaling 0.1, boost above 0.7).
 * Thread-safe (scratch buffers are thread-local).
 */
public final class JaroWinkler {
    private static final ThreadLocal<boolean[][]> SCRATCH = ThreadLocal.withInitial(() -> new boolean[][] {
        new boolean[64], new boolean[64]});

    private JaroWinkler() {
    }

    public static double similarity(CharSequence left, CharSequence right) {
        if (left.toString().contentEquals(right)) {
            return 1.0;
        }
        CharSequence max;
        CharSequence min;
        if (left.length() > right.length()) {
            max = left;
            min = right;
        } else {
            max = right;
            min = left;
        }
        int maxLen = max.length();
        int minLen = min.length();
        if (minLen == 0) {
            return 0.0;
        }
        boolean[][] s = SCRATCH.get();
        if (s[0].length < maxLen) {
            s[0] = new boolean[maxLen * 2];
            s[1] = new boolean[maxLen * 2];
        }
        boolean[] minFlags = s[0];
        boolean[] maxFlags = s[1];
        java.util.Arrays.fill(minFlags, 0, minLen, false);
        java.util.Arrays.fill(maxFlags, 0, maxLen, false);
        int range = Math.max(maxLen / 2 - 1, 0);
        int matches = 0;
        for (int mi = 0; mi < minLen; mi++) {
            char c1 = min.charAt(mi);
            int hi = Math.min(mi + range + 1, maxLen);
            for (int xi = Math.max(mi - range, 0); xi < hi; xi++) {
                if (!maxFlags[xi] && c1 == max.charAt(xi)) {
                    minFlags[mi] = true;
                    maxFlags[xi] = true;
                    matches++;
                    break;
                }
            }
        }
        if (matches == 0) {
            return 0.0;
        }
        int transpositions = 0;
        int j = 0;
        for (int i = 0; i < minLen; i++) {
            if (minFlags[i]) {
                while (!maxFlags[j]) {
                    j++;
                }
                if (min.charAt(i) != max.charAt(j)) {
                    transpositions++;
                }
                j++;
            }
        }
        int prefix = 0;
        for (int i = 0; i < minLen && i < 4; i++) {
            if (min.charAt(i) == max.charAt(i)) {
                prefix++;
            } else {
                break;
            }
        }
        double m = matches;
        double jaro = (m / minLen + m / maxLen + (m - transpositions / 2.0) / m) / 3.0;
        return jaro < 0.7 ? jaro : jaro + 0.1 * prefix * (1.0 - jaro);
    }
}
