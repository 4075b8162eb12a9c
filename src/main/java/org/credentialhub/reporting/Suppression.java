package org.credentialhub.reporting;

import java.util.ArrayList;
import java.util.List;

/**
 * Small-cell suppression for public tables. Primary: a count below the threshold is suppressed, and so
 * are the counts and rates of its row that depend on it (an earned count with its potential suppressed,
 * a rate whose numerator or denominator is suppressed). Complementary: a table publishes a total per
 * count column, so a column with exactly one suppressed cell would give it away by subtraction; the
 * next smallest cell of that column is suppressed too, repeatedly until no column has a single one.
 * Rates near 0% or 100% that are shown are given as bands (&lt;5%, &gt;95%).
 */
public final class Suppression {
    /** A cell marked suppressed. */
    public static final String MARK = "*";

    private Suppression() {
    }

    /**
     * @param counts    per row, the count columns (e.g. earned, potential); the total row is not included
     * @param dependsOn for each count column, the column whose suppression suppresses it too (-1: none)
     * @return per row and count column, whether it is suppressed
     */
    public static boolean[][] suppress(long[][] counts, int[] dependsOn, int threshold) {
        int rows = counts.length;
        int cols = rows == 0 ? 0 : counts[0].length;
        boolean[][] out = new boolean[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (counts[r][c] < threshold) {
                    out[r][c] = true;
                }
            }
        }
        boolean changed = true;
        while (changed) {
            changed = propagate(out, dependsOn);
            for (int c = 0; c < cols; c++) {
                int suppressed = 0;
                for (int r = 0; r < rows; r++) {
                    if (out[r][c]) {
                        suppressed++;
                    }
                }
                if (suppressed == 1) {
                    int pick = -1;
                    for (int r = 0; r < rows; r++) {
                        if (!out[r][c] && (pick < 0 || counts[r][c] < counts[pick][c])) {
                            pick = r;
                        }
                    }
                    if (pick >= 0) {
                        out[pick][c] = true;
                        changed = true;
                    }
                }
            }
        }
        return out;
    }

    private static boolean propagate(boolean[][] out, int[] dependsOn) {
        boolean changed = false;
        for (boolean[] row : out) {
            for (int c = 0; c < dependsOn.length; c++) {
                if (dependsOn[c] >= 0 && row[dependsOn[c]] && !row[c]) {
                    row[c] = true;
                    changed = true;
                }
            }
        }
        return changed;
    }

    /** A percentage for the public: suppressed, banded near 0 and 100, or as computed. */
    public static String rate(String exact, double value, boolean suppressed) {
        if (suppressed) {
            return MARK;
        }
        if (value < 5.0) {
            return "<5%";
        }
        if (value > 95.0) {
            return ">95%";
        }
        return exact;
    }

    /** Checks that no suppressed cell can be recovered from its column's total: never exactly one per column. */
    public static List<String> recoverable(boolean[][] suppressed) {
        List<String> problems = new ArrayList<>();
        if (suppressed.length == 0) {
            return problems;
        }
        for (int c = 0; c < suppressed[0].length; c++) {
            int n = 0;
            for (boolean[] row : suppressed) {
                if (row[c]) {
                    n++;
                }
            }
            if (n == 1) {
                problems.add("column " + c + " has a single suppressed cell");
            }
        }
        return problems;
    }
}
