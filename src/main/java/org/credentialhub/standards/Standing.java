package org.credentialhub.standards;

import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keeps the results of verifiable credentials standing as their standards say, between deliveries: on every pull
 * of a feed (route step) and before every reporting load ({@code ReportingLoad}),
 * <ul>
 *   <li>a credential held because it was not yet valid ({@code held_until}) is counted once it is;</li>
 *   <li>every credential with status entries is checked against its lists again ({@link StatusLists}): one newly
 *       revoked retracts its result (status {@code revoked}, as a revoked issued badge does); one held while its
 *       list could not be read is counted once the list says it is not revoked.</li>
 * </ul>
 */
public final class Standing {
    private static final Logger LOG = LoggerFactory.getLogger(Standing.class);

    /** What one re-check did. */
    public record Outcome(int released, int revoked) {
    }

    private final DataSource dataSource;
    private final StatusLists statusLists;
    private final Verification verification;

    /** The standing of the credentials verified by {@code verification} (its status lists, each feed's policy). */
    public Standing(DataSource dataSource, Verification verification) {
        this.dataSource = dataSource;
        this.statusLists = verification.statusLists();
        this.verification = verification;
    }

    /** Route step: re-checks one feed's credentials. */
    public Outcome recheck(@Header("hubFeed") String feed) throws SQLException {
        return run(feed);
    }

    /** Re-checks every feed's credentials (before a reporting load). */
    public Outcome recheckAll() throws SQLException {
        return run(null);
    }

    private Outcome run(String feed) throws SQLException {
        String scope = feed == null ? "" : " and feed_code = ?";
        int released;
        int revoked = 0;
        record Entry(long id, String status, boolean due, List<String> entries, boolean signedOnly) {
        }
        List<Entry> entries = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    update result set status = 'active', updated_at = now()
                    where status = 'pending' and held_until <= now() and status_entries is null""" + scope)) {
                if (feed != null) {
                    ps.setString(1, feed);
                }
                released = ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    select result_id, status, coalesce(held_until <= now(), true), status_entries, feed_code from result
                    where status_entries is not null and status in ('active', 'pending')""" + scope)) {
                if (feed != null) {
                    ps.setString(1, feed);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Array a = rs.getArray(4);
                        entries.add(new Entry(rs.getLong(1), rs.getString(2), rs.getBoolean(3),
                                Arrays.asList((String[]) a.getArray()), verification.signedListsOnly(rs.getString(5))));
                    }
                }
            }
        }
        // the status lists are fetched with no database connection held (a slow list server must not keep one of
        // the pool's connections, nor locks, for its timeout), then the changes are written in one transaction
        List<Long> toRevoke = new ArrayList<>();
        List<Long> toRelease = new ArrayList<>();
        for (Entry e : entries) {
            StatusLists.State state = statusLists.state(e.entries(), e.signedOnly());
            if (state == StatusLists.State.REVOKED) {
                toRevoke.add(e.id());
            } else if (state == StatusLists.State.CLEAR && "pending".equals(e.status()) && e.due()) {
                toRelease.add(e.id());
            }
        }
        if (!toRevoke.isEmpty() || !toRelease.isEmpty()) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement revoke = c.prepareStatement("update result set status = 'revoked', updated_at = now()"
                        + " where result_id = any(?) and status <> 'revoked'");
                     PreparedStatement release = c.prepareStatement("update result set status = 'active', updated_at = now()"
                             + " where result_id = any(?) and status = 'pending'")) {
                    revoke.setArray(1, c.createArrayOf("bigint", toRevoke.toArray()));
                    revoked = revoke.executeUpdate();
                    release.setArray(1, c.createArrayOf("bigint", toRelease.toArray()));
                    released += release.executeUpdate();
                }
                c.commit();
            }
        }
        if (released > 0 || revoked > 0) {
            LOG.info("Credentials{}: {} now valid and counted, {} newly revoked and retracted",
                    feed == null ? "" : " of feed " + feed, released, revoked);
        }
        return new Outcome(released, revoked);
    }
}
