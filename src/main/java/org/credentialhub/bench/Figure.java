package org.credentialhub.bench;

import java.util.Locale;

/**
 * One line of the bench table: what was measured, the target it is held to, the measurement, the same run's plain
 * COPY baseline, measured ÷ baseline, and whether the target was met ({@code yes}, {@code no}, {@code -} when the
 * figure has no target of its own, {@code failed} when the bench did not run to its end).
 */
public record Figure(String name, String target, String measured, String baseline, String ratio, String met) {

    public static final String[] HEADER = {"figure", "target", "measured", "baseline", "ratio", "met"};

    /** A bench that failed: its figure names the failure instead of a measurement. */
    public static Figure failed(String name, String target, Throwable why) {
        String message = why.getMessage() == null ? why.getClass().getSimpleName()
                : why.getClass().getSimpleName() + ": " + why.getMessage();
        return new Figure(name, target, "failed (" + oneLine(message) + ")", "-", "-", "failed");
    }

    String[] cells() {
        return new String[] {name, target, measured, baseline, ratio, met};
    }

    static String met(boolean ok) {
        return ok ? "yes" : "no";
    }

    static String seconds(double s) {
        if (Double.isNaN(s)) {
            return "-";
        }
        return s < 1 ? String.format(Locale.ROOT, "%.3f s", s) : s < 100 ? String.format(Locale.ROOT, "%.1f s", s)
                : String.format(Locale.ROOT, "%.0f s", s);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f/s", perSecond);
    }

    static String times(double ratio) {
        return Double.isNaN(ratio) || Double.isInfinite(ratio) ? "-" : String.format(Locale.ROOT, "%.1f×", ratio);
    }

    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%,d MB", bytes >> 20);
    }

    /** A scale as written on the command line (0.25, 1, 5). */
    static String scale(java.math.BigDecimal scale) {
        return scale.stripTrailingZeros().toPlainString();
    }

    private static String oneLine(String s) {
        String t = s.replaceAll("\\s+", " ").strip();
        return t.length() > 120 ? t.substring(0, 117) + "..." : t;
    }
}
