package org.credentialhub.guards;

import org.apache.camel.Exchange;
import org.credentialhub.store.Rows;
import org.credentialhub.support.CsvOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Guard 3 (docs/guards.md): corrections back to vendors. For a feed with {@code hub.guards.corrections.<feed>}
 * true (off by default), every district decision on one of its results - linked to a student, or rejected as
 * not a student of the district - is recorded once ({@code vendor_correction}) and sent once, in a
 * {@code corrections-<time>.csv} in the vendor's SFTP {@code outbox/} and in {@code GET /api/corrections}: the
 * vendor's own candidate id, file and row, the outcome and, for a rejection, its reason code. Nothing the
 * vendor did not send itself: no student's name, birth date or hub key; the state student ID neither (the hub
 * keeps it only as a keyed hash).
 */
public final class Corrections {
    private static final Logger LOG = LoggerFactory.getLogger(Corrections.class);
    /** The reason code of a district's rejection. */
    public static final String NOT_A_STUDENT = "not_a_student_of_the_district";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final DataSource dataSource;
    private final Set<String> feeds;

    /** @param feeds the feeds whose data-sharing agreement has corrections sent back */
    public Corrections(DataSource dataSource, Set<String> feeds) {
        this.dataSource = dataSource;
        this.feeds = feeds;
    }

    /** Records the district decisions not yet recorded (once per decision); returns how many are new. */
    public int collect() throws SQLException {
        if (feeds.isEmpty()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     insert into vendor_correction (feed_code, result_id, decision, student_id, vendor_candidate_id,
                                                    source_name, source_row, reason_code, decided_at)
                     select r.feed_code, r.result_id, case when r.match_decision = 'match' then 'linked' else 'rejected' end,
                            r.student_id, r.vendor_candidate_id, d.source_name, r.source_row,
                            case when r.match_decision = 'rejected' then ? end, r.updated_at
                     from result r join delivery d on d.delivery_id = r.delivery_id
                     where r.match_tier = 'district' and r.match_decision in ('match', 'rejected')
                       and r.feed_code = any (?)
                     on conflict do nothing""")) {
            ps.setString(1, NOT_A_STUDENT);
            ps.setArray(2, c.createArrayOf("text", feeds.toArray()));
            return ps.executeUpdate();
        }
    }

    /**
     * Route step: records new decisions, then makes the body one corrections file per feed with unsent ones:
     * {@code feed}, {@code name}, {@code body} (CSV bytes), {@code ids} (the corrections in it).
     */
    public void pending(Exchange exchange) throws SQLException {
        collect();
        List<Map<String, Object>> files = new ArrayList<>();
        String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(STAMP);
        for (String feed : feeds) {
            List<Map<String, Object>> rows = Rows.list(dataSource, """
                    select correction_id, vendor_candidate_id, source_name, source_row, decision, reason_code,
                           to_char(decided_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as decided_at
                    from vendor_correction where feed_code = ? and sent_at is null order by correction_id limit 50000""",
                    List.of(feed));
            if (rows.isEmpty()) {
                continue;
            }
            CsvOut csv = new CsvOut().row("candidate_id", "file", "row", "outcome", "reason_code", "decided_at");
            List<Long> ids = new ArrayList<>();
            for (Map<String, Object> r : rows) {
                csv.row(r.get("vendor_candidate_id"), r.get("source_name"), r.get("source_row"), r.get("decision"),
                        r.get("reason_code"), r.get("decided_at"));
                ids.add(((Number) r.get("correction_id")).longValue());
            }
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("feed", feed);
            f.put("name", "corrections-" + stamp + "-" + ids.get(0) + ".csv");
            f.put("body", csv.toString().getBytes(StandardCharsets.UTF_8));
            f.put("ids", ids);
            files.add(f);
        }
        exchange.getIn().setBody(files);
    }

    /** The corrections file (headers {@code CamelFileName}, {@code hubCorrectionIds}) is in the vendor's outbox. */
    public void sent(Exchange exchange) throws SQLException {
        String name = exchange.getIn().getHeader(Exchange.FILE_NAME, String.class);
        List<?> ids = exchange.getIn().getHeader("hubCorrectionIds", List.class);
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     update vendor_correction set sent_at = now(), sent_as = ? where correction_id = any (?) and sent_at is null""")) {
            ps.setString(1, name);
            ps.setArray(2, c.createArrayOf("bigint", ids.toArray()));
            int n = ps.executeUpdate();
            LOG.info("Corrections: {} decision(s) sent to feed {} as {}", n, exchange.getIn().getHeader("hubFeed"), name);
        }
    }

    /** A vendor's corrections, newest first (at most 5000): what {@code GET /api/corrections} lists. */
    public List<Map<String, Object>> of(String feed) throws SQLException {
        collect();
        return Rows.list(dataSource, """
                select correction_id as id, feed_code as feed, vendor_candidate_id as candidate_id, source_name as file,
                       source_row as row, decision as outcome, reason_code, decided_at::text as decided_at,
                       sent_as as file_sent
                from vendor_correction where (? = '' or feed_code = ?) and feed_code = any (?)
                order by correction_id desc limit 5000""", List.of(feed == null ? "" : feed, feed == null ? "" : feed,
                feeds.toArray(String[]::new)));
    }
}
