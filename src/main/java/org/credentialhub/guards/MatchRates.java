package org.credentialhub.guards;

import org.apache.camel.Exchange;
import org.credentialhub.exceptions.ExceptionQueue;
import org.credentialhub.store.Rows;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Guard 2 (docs/guards.md): match-rate floors and drift alarms. Right after a vendor delivery is matched
 * (routes/delivery.yaml), its automatic match rate - the share of its results the matcher itself matched -
 * is recorded, whole and per district, and compared with the feed's floor
 * ({@code hub.guards.match-rate.floor[.<feed>]}, percent) and with the trailing median of the feed's (the
 * district's) last {@code history} deliveries; a rate below the floor or more than {@code drop-percent} under
 * the median raises an alarm ({@code guard_alarm}), shown by the console API, health (DEGRADED) and metrics.
 * A feed with {@code hub.guards.match-rate.hold.<feed>} true holds such a delivery: its exceptions are not
 * queued until operations release it.
 */
public final class MatchRates {
    private static final Logger LOG = LoggerFactory.getLogger(MatchRates.class);

    private final DataSource dataSource;
    private final Function<String, Optional<String>> settings;

    public MatchRates(DataSource dataSource, Function<String, Optional<String>> settings) {
        this.dataSource = dataSource;
        this.settings = settings;
    }

    private double number(String key, String feed, double fallback) {
        return settings.apply(key + "." + feed).or(() -> settings.apply(key)).map(Double::parseDouble).orElse(fallback);
    }

    /** A feed's guard settings ({@code hub.guards.match-rate.*[.<feed>]}), as {@link #check} reads them. */
    private record Guard(int history, int minHistory, double floor, double drop, int minResults, int minDistrict,
                         boolean hold) {
    }

    /**
     * Each feed's guard settings, resolved once: the hub's settings do not change while it runs, and resolved for each
     * delivery (fourteen look-ups through the properties component) they were a small file's most of its checks
     * (JFR of bench small-files).
     */
    private final java.util.Map<String, Guard> guards = new java.util.concurrent.ConcurrentHashMap<>();

    private Guard guard(String feed) {
        return guards.computeIfAbsent(feed, f -> new Guard((int) number("hub.guards.match-rate.history", f, 10),
                (int) number("hub.guards.match-rate.min-history", f, 3), number("hub.guards.match-rate.floor", f, 0),
                number("hub.guards.match-rate.drop-percent", f, 30) / 100,
                (int) number("hub.guards.match-rate.min-results", f, 20),
                (int) number("hub.guards.match-rate.min-district-results", f, 10),
                settings.apply("hub.guards.match-rate.hold." + f).or(() -> settings.apply("hub.guards.match-rate.hold"))
                        .map(Boolean::parseBoolean).orElse(false)));
    }

    /** Route step after matching: headers {@code hubFeed}, {@code hubDeliveryId}. */
    public void afterMatch(Exchange exchange) throws SQLException {
        String feed = exchange.getIn().getHeader("hubFeed", String.class);
        Long id = exchange.getIn().getHeader("hubDeliveryId", Long.class);
        if (feed != null && id != null) {
            check(feed, id);
        }
    }

    /**
     * A delivery's match rates, as a whole and by district (parameters: the delivery, its feed, the delivery again),
     * run with {@link #BY_INDEX}. They count the results that carry the delivery as their latest (a result corrected
     * by a later file counts in that file's rates); a delivery with none left has no rates (its grand total over no
     * rows would divide by zero: a feed's next file can correct every attempt of a delivery before it is finished).
     *
     * <p>Each result is placed in the district {@link ExceptionQueue#DISTRICT_OF_RESULT} names, with the place's
     * look-ups made once per place the delivery sent (a district code, school code and school name: a state's year has
     * 1,685 of them among 427,681 results), whose rows are counted together where the place names a district; only
     * the rows of a place that names none are joined back to it (by equal values, a null equal to a null: a hash or
     * merge join, where {@code is not distinct from} is neither) and look their candidate and student up. psql, warm,
     * alternating, against every row placed by its own look-ups: a 275-row delivery 8.5 ms → 3.4 ms (every row then
     * joined back to its place); against that, 6.4 ms → 2.4 ms, and the NC year's results as one delivery 3.65 s →
     * 2.04 s (docs/performance.md, session 43). The delivery's identities are read between its lowest and highest
     * result: joined to the delivery's rows by hash, every identity of the hub was read to find them (an NC year's
     * 22,233-row delivery 108-115 ms, 64-79 ms in its range; the 1M-row file's rates 2.44 s, 2.68 s with its rows
     * materialized once more; session 44).
     */
    static final String RATES = """
            insert into delivery_match_rate (delivery_id, feed_code, district_code, results, matched, rate)
            select ?, ?, coalesce(d, ''), sum(n), sum(k), round(100.0 * sum(k) / sum(n), 2)
            from (with r as materialized (
                      select r.result_id, r.student_id, r.match_decision = 'match' as m
                      from result r where r.delivery_id = ? and r.status in ('active', 'held')),
                  x as materialized (
                      select r.result_id, r.student_id, r.m,
                             i.district_code as dc, i.school_code as sc, i.school_name as sn
                      from r left join result_identity i on i.result_id = r.result_id
                       and i.result_id between (select min(result_id) from r) and (select max(result_id) from r)),
                  places as materialized (
                      select dc, sc, sn, count(*) as n, count(*) filter (where m) as k, %s as d
                      from x group by dc, sc, sn)
                  select d, n, k from places where d is not null
                  union all
                  select %s, 1, case when x.m then 1 else 0 end
                  from x join places p
                    on (x.dc is null) = (p.dc is null) and coalesce(x.dc, '') = coalesce(p.dc, '')
                   and (x.sc is null) = (p.sc is null) and coalesce(x.sc, '') = coalesce(p.sc, '')
                   and (x.sn is null) = (p.sn is null) and coalesce(x.sn, '') = coalesce(p.sn, '')
                  where p.d is null) y
            group by grouping sets ((), (d))
            having (grouping(d) = 1 or d is not null) and sum(n) > 0
            on conflict (delivery_id, district_code) do nothing""".formatted(
            ExceptionQueue.placeDistrict("x.dc", "x.sc", "x.sn"), ExceptionQueue.studentDistrict("x.result_id", "x.student_id"));

    /**
     * {@link #RATES} reads the delivery's rows and each row's district by index, whatever the statistics expect of the
     * delivery (every table it reads has one): the district's look-ups run for each row, and the planner took the
     * few pages of {@code district} and {@code school} for cheaper read whole than probed, 20 µs a row against 1 (the
     * NC year's results: 12.2 s against 2.7 s); as joins they were planned by the rows expected of a delivery, and one
     * taken for 529 compared each of its 21,873 rows with every school (docs/performance.md, session 26).
     */
    static final String BY_INDEX = "set local enable_seqscan = off";

    /**
     * {@link #RATES} joins the rows of the places that name no district back to them by hash: as a merge join, the
     * planner sorted every row of the delivery to find them (the 1,000,000-row file: its rows sorted on disk, 107 MB,
     * for the 8,591 rows of its four places without a district; its rates 4.7-5.0 s -> 2.5-2.6 s, psql, warm,
     * alternating, docs/performance.md, session 44).
     */
    static final String BY_HASH = "set local enable_mergejoin = off";

    /** Sets the planner as {@link #RATES} is run ({@link #BY_INDEX}, {@link #BY_HASH}) for the rest of the transaction. */
    static void planRates(Statement st) throws SQLException {
        // both in one round trip (the driver sends them together and waits once)
        st.execute(BY_INDEX + "; " + BY_HASH);
    }

    /** Records the delivery's rates and raises its alarms; returns the alarms' messages. */
    public List<String> check(String feed, long deliveryId) throws SQLException {
        Guard g = guard(feed);
        List<String> alarms = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement(); PreparedStatement ps = c.prepareStatement(RATES)) {
                planRates(st);
                ps.setLong(1, deliveryId);
                ps.setString(2, feed);
                ps.setLong(3, deliveryId);
                int rates = ps.executeUpdate();
                st.execute("reset enable_seqscan; reset enable_mergejoin");
                if (rates == 0) {
                    c.commit();
                    return alarms;   // no results (or checked before)
                }
            }
            for (Map<String, Object> r : Rows.list(c, """
                    select m.district_code, m.results, m.rate::float8 as rate,
                           (select percentile_cont(0.5) within group (order by p.rate) from (
                               select rate from delivery_match_rate p where p.feed_code = m.feed_code
                                 and p.district_code = m.district_code and p.delivery_id < m.delivery_id
                                 and p.results >= case when m.district_code = '' then ? else ? end
                                 order by p.delivery_id desc limit ?) p) as median,
                           (select count(*) from (select 1 from delivery_match_rate p where p.feed_code = m.feed_code
                                 and p.district_code = m.district_code and p.delivery_id < m.delivery_id
                                 and p.results >= case when m.district_code = '' then ? else ? end
                                 order by p.delivery_id desc limit ?) p) as history
                    from delivery_match_rate m where m.delivery_id = ? order by m.district_code""",
                    List.of(g.minResults(), g.minDistrict(), g.history(), g.minResults(), g.minDistrict(), g.history(), deliveryId))) {
                String district = (String) r.get("district_code");
                boolean whole = district.isEmpty();
                int results = ((Number) r.get("results")).intValue();
                double rate = ((Number) r.get("rate")).doubleValue();
                if (results < (whole ? g.minResults() : g.minDistrict())) {
                    continue;
                }
                if (whole && rate < g.floor()) {
                    alarms.add(raise(c, "match_rate_floor", feed, deliveryId, null, g.hold(), String.format(Locale.ROOT,
                            "automatic match rate %.1f %% of %d results is below the feed's floor of %.1f %%", rate, results, g.floor())));
                }
                Number median = (Number) r.get("median");
                if (median != null && ((Number) r.get("history")).intValue() >= g.minHistory()
                        && rate < median.doubleValue() * (1 - g.drop())) {
                    alarms.add(raise(c, whole ? "match_rate_drop" : "district_match_rate_drop", feed, deliveryId,
                            whole ? null : district, g.hold(), String.format(Locale.ROOT,
                                    "automatic match rate %.1f %% of %d results%s, against a median of %.1f %% over the last %d deliveries",
                                    rate, results, whole ? "" : " in district " + district, median.doubleValue(),
                                    ((Number) r.get("history")).intValue())));
                }
            }
            c.commit();
        }
        for (String a : alarms) {
            LOG.warn("Feed {}: delivery {}: {}{}", feed, deliveryId, a, g.hold() ? " (held: exceptions wait for release)" : "");
        }
        return alarms;
    }

    private static String raise(Connection c, String kind, String feed, long deliveryId, String district, boolean hold,
                                String message) throws SQLException {
        Rows.update(c, """
                insert into guard_alarm (kind, feed_code, delivery_id, district_code, message, holding)
                values (?, ?, ?, ?, ?, ?)""", kind, feed, deliveryId, district, message, hold);
        return message;
    }
}
