package org.credentialhub.bench;

import java.util.Locale;

/**
 * The targets of issue 17 (docs/performance.md), at full scale on 2 cores with a heap of at most 1 GB. A bench run
 * at another scale holds a time target scaled with it (the work grows with the rows: scale 0.25, a quarter of the
 * time); rates, ratios and the heap are held as they are.
 */
final class Targets {
    static final long HEAP = 1L << 30;
    static final int SMALL_FILES = 1213;
    static final double SMALL_FILES_SECONDS = 180;
    static final double SMALL_FILE_SECONDS = 0.1;
    static final double MATCHING_PER_SECOND = 200_000;
    static final int ROSTER = 1_500_000;
    static final int ENROLLMENTS_PER_STUDENT = 4;
    static final double ONEROSTER_FIRST_SECONDS = 60;
    static final double ONEROSTER_CHANGED_SECONDS = 20;
    static final long VENDOR_FILE_ROWS = 1_000_000;
    static final double VENDOR_FILE_SECONDS = 30;
    static final int MATCHING_RESULTS = 200_000;

    private Targets() {
    }

    /** The heap target: a peak within 1 GB, or a run that ended within a limit of 1 GB (-Xmx1g). */
    static boolean heapMet(long peakBytes) {
        return peakBytes <= HEAP || HeapWatch.limitBytes() <= HEAP;
    }

    /** "≤ 30 s", or at another scale "≤ 7.5 s (30 s × 0.25)". */
    static String seconds(double full, double scale) {
        if (scale == 1) {
            return String.format(Locale.ROOT, "≤ %s s", plain(full));
        }
        return String.format(Locale.ROOT, "≤ %s s (%s s × %s)", plain(full * scale), plain(full), plain(scale));
    }

    /** A number with three significant digits at most: 7.5, 0.015, 45. */
    static String plain(double x) {
        return new java.math.BigDecimal(x).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }
}
