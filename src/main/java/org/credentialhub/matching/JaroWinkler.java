package org.credentialhub.matching;

/**
 * Allocation-free Jaro-Winkler similarity with the same definition as commons-text's
 * {@code JaroWinklerSimilarity} (match window max(len)/2-1, prefix up to 4, scaling 0.1, boost above 0.7).
 * Thread-safe (scratch buffers are thread-local).
 *
 * <p>The two strings are copied into the thread's char arrays once and compared there: read through
 * {@code CharSequence.charAt} (an interface call and a bounds check per letter, which the quick JIT that commands run
 * with neither inlines nor removes) the comparison was a third of matching's time ({@code bench matching}, JFR).
 */
public final class JaroWinkler {
    /** One thread's buffers: the shorter and the longer string's letters, and which of them matched. */
    private static final class Scratch {
        char[] min = new char[64];
        char[] max = new char[64];
        boolean[] minFlags = new boolean[64];
        boolean[] maxFlags = new boolean[64];
        /** Letter counts (ASCII) for {@link #similarityAtLeast}; all zero between calls. */
        final int[] counts = new int[128];

        void fit(int length) {
            if (max.length < length) {
                min = new char[length * 2];
                max = new char[length * 2];
                minFlags = new boolean[length * 2];
                maxFlags = new boolean[length * 2];
            }
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private JaroWinkler() {
    }

    /**
     * The similarity when it is at least {@code floor}; otherwise a value below {@code floor}, often without comparing
     * the letters' places: the letters the two names share (as multisets) bound Jaro's matches, and with them the
     * similarity. Most of a row's candidates are other people, whose names fall far below the lowest level compared
     * (0.80), and are told apart by that count alone.
     */
    public static double similarityAtLeast(String a, String b, double floor) {
        if (a.equals(b)) {
            return 1.0;
        }
        Scratch s = SCRATCH.get();
        int minLen = load(s, a, b);
        if (minLen == 0) {
            return 0.0;
        }
        int maxLen = Math.max(a.length(), b.length());
        char[] min = s.min;
        char[] max = s.max;
        int[] counts = s.counts;
        int common = 0;
        int i = 0;
        for (; i < minLen; i++) {
            char c = min[i];
            if (c >= counts.length) {
                break;
            }
            counts[c]++;
        }
        boolean ascii = i == minLen;
        if (ascii) {
            for (int k = 0; k < maxLen; k++) {
                char c = max[k];
                if (c < counts.length && counts[c] > 0) {
                    counts[c]--;
                    common++;
                }
            }
        }
        for (int k = 0; k < i; k++) {
            counts[min[k]] = 0;
        }
        if (ascii) {
            if (common == 0) {
                return 0.0;
            }
            double m = common;
            double jaro = (m / minLen + m / maxLen + 1.0) / 3.0;
            double bound = jaro < 0.7 ? jaro : jaro + 0.4 * (1.0 - jaro);   // no transpositions, the longest prefix
            if (bound < floor - 1e-9) {
                return bound;
            }
        }
        return jaroWinkler(s, minLen, maxLen);
    }

    public static double similarity(CharSequence left, CharSequence right) {
        String l = left.toString();
        String r = right.toString();
        if (l.equals(r)) {
            return 1.0;
        }
        Scratch s = SCRATCH.get();
        int minLen = load(s, l, r);
        return minLen == 0 ? 0.0 : jaroWinkler(s, minLen, Math.max(l.length(), r.length()));
    }

    /**
     * Copies the shorter string into the thread's {@code min} letters and the longer into {@code max} (the left one is
     * the shorter when both are as long); returns the shorter one's length.
     */
    private static int load(Scratch s, String left, String right) {
        boolean leftLonger = left.length() > right.length();
        String maxString = leftLonger ? left : right;
        String minString = leftLonger ? right : left;
        s.fit(maxString.length());
        minString.getChars(0, minString.length(), s.min, 0);
        maxString.getChars(0, maxString.length(), s.max, 0);
        return minString.length();
    }

    /** Jaro-Winkler of the letters {@link #load} copied. */
    private static double jaroWinkler(Scratch s, int minLen, int maxLen) {
        char[] min = s.min;
        char[] max = s.max;
        boolean[] minFlags = s.minFlags;
        boolean[] maxFlags = s.maxFlags;
        java.util.Arrays.fill(minFlags, 0, minLen, false);
        java.util.Arrays.fill(maxFlags, 0, maxLen, false);
        int range = Math.max(maxLen / 2 - 1, 0);
        int matches = 0;
        for (int mi = 0; mi < minLen; mi++) {
            char c1 = min[mi];
            int hi = Math.min(mi + range + 1, maxLen);
            for (int xi = Math.max(mi - range, 0); xi < hi; xi++) {
                if (!maxFlags[xi] && c1 == max[xi]) {
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
                if (min[i] != max[j]) {
                    transpositions++;
                }
                j++;
            }
        }
        int prefix = 0;
        for (int i = 0; i < minLen && i < 4; i++) {
            if (min[i] == max[i]) {
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
