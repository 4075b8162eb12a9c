package org.credentialhub.web;

import org.apache.camel.Exchange;
import org.credentialhub.accounts.Account;
import org.credentialhub.accounts.Role;
import org.credentialhub.acknowledge.Acknowledgements;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** What a vendor reads on the web: the acknowledgements of its own feed's deliveries, nothing else. */
public final class VendorApi {
    private final DataSource dataSource;
    private final Acknowledgements acknowledgements;

    public VendorApi(DataSource dataSource, Acknowledgements acknowledgements) {
        this.dataSource = dataSource;
        this.acknowledgements = acknowledgements;
    }

    /** GET /api/acknowledgements: the caller's feed's deliveries (ops: every feed). */
    public void list(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, Role.VENDOR, Role.OPS);
        try (Connection c = dataSource.getConnection()) {
            Web.json(ex, Map.of("acknowledgements", org.credentialhub.store.Rows.list(c, """
                    select delivery_id as id, feed_code as feed, source_name as file, status, received_at::text as received,
                           rows_read, rows_accepted, rows_rejected, reason
                    from delivery where (? or feed_code = ?) order by received_at desc limit 500""",
                    List.of(a.isOps(), a.feedCode() == null ? "" : a.feedCode()))));
        }
    }

    /** GET /api/acknowledgements/{id}: one acknowledgement, as in the outbox. */
    public void get(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, Role.VENDOR, Role.OPS);
        long id = Web.parseLong(ex.getIn().getHeader("id", String.class));
        Map<String, Object> ack;
        try {
            ack = acknowledgements.forDelivery(id);
        } catch (SQLException e) {
            throw ApiException.notFound();
        }
        if (!a.isOps() && !ack.get("feed").equals(a.feedCode())) {
            throw ApiException.notFound();
        }
        Web.json(ex, ack);
    }
}
