package org.credentialhub.feeds;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;

/**
 * When a feed is expected to deliver and when it is late: the one owner of a feed's cadence
 * ({@code cadence} in {@code config/feeds.yaml}). The feeds file is checked with it, the feed table gets
 * its {@link #every()} and {@link #lateAfter(String)} (columns {@code expected_every}, {@code late_after}), and
 * the {@code ops_feed_status} view (which the operations console, {@code GET /api/feeds}, reads) is late
 * once {@code late_after} has passed since a feed's last delivery or, with none yet, its configuration.
 *
 * <p>Rules: {@code hourly}, {@code daily}, {@code weekdays} (three days, a weekend and a day),
 * {@code weekly}, {@code monthly} (31 days), {@code quarterly} (92 days) or an ISO-8601 duration; blank
 * or {@code none}: no delivery is expected. A feed is late once its cadence and {@link #GRACE} more have
 * passed, and only feeds that deliver by themselves ({@link #EXPECTS_DELIVERIES}) can be late.
 */
public final class Cadence {
    /** Extra time, as a share of the cadence, before a feed counts as late (a daily feed: 30 hours). */
    public static final double GRACE = 0.25;

    /** The feed kinds that deliver on their own schedule; district entry and SIS bundles never are late. */
    public static final Set<String> EXPECTS_DELIVERIES = Set.of("sftp", "api");

    /** No delivery expected. */
    public static final Cadence NONE = new Cadence("none", null);

    private final String text;
    private final Duration every;

    private Cadence(String text, Duration every) {
        this.text = text;
        this.every = every;
    }

    /**
     * @throws IllegalArgumentException when the text is neither a cadence word nor an ISO-8601 duration
     */
    public static Cadence parse(String text) {
        if (text == null) {
            return NONE;
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        Duration every = switch (t) {
            case "none", "" -> null;
            case "hourly" -> Duration.ofHours(1);
            case "daily" -> Duration.ofDays(1);
            case "weekdays" -> Duration.ofDays(3);
            case "weekly" -> Duration.ofDays(7);
            case "monthly" -> Duration.ofDays(31);
            case "quarterly" -> Duration.ofDays(92);
            default -> {
                try {
                    yield Duration.parse(t.toUpperCase(Locale.ROOT));
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("'" + text + "' is not hourly, daily, weekdays, weekly, "
                            + "monthly, quarterly, none or an ISO-8601 duration", e);
                }
            }
        };
        if (every != null && (every.isNegative() || every.isZero())) {
            throw new IllegalArgumentException("'" + text + "' is not a positive duration");
        }
        return every == null ? NONE : new Cadence(t, every);
    }

    /** How often a delivery is expected, or null when none is. */
    public Duration every() {
        return every;
    }

    /**
     * How long a feed of this kind may go without a delivery before it is late: the cadence and its
     * grace; null when it is never late (no cadence, or a kind that does not deliver by itself).
     */
    public Duration lateAfter(String kind) {
        if (every == null || !EXPECTS_DELIVERIES.contains(kind)) {
            return null;
        }
        return every.plus(Duration.ofMillis(Math.round(every.toMillis() * GRACE)));
    }

    @Override
    public String toString() {
        return text;
    }
}
