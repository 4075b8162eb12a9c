package org.credentialhub.matching;

import org.apache.camel.Header;
import org.credentialhub.intake.Intake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Decides whose result each staged row is, set-based over one delivery. This first tier links a
 * result to the roster student with the same (hashed) state student ID; rows it cannot settle are
 * left as {@code none} for the district.
 */
public final class DeliveryMatcher {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryMatcher.class);

    private final DataSource dataSource;

    public DeliveryMatcher(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void matchDelivery(@Header(Intake.DELIVERY_ID) long deliveryId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            int matched;
            try (PreparedStatement ps = c.prepareStatement("""
                    update result r set student_id = s.student_id, match_decision = 'match',
                                        match_tier = 'state-id', match_score = 1.0, updated_at = now()
                    from student s
                    where r.delivery_id = ? and r.match_decision is null and s.state_id_hash = r.state_id_hash""")) {
                ps.setLong(1, deliveryId);
                matched = ps.executeUpdate();
            }
            int unmatched;
            try (PreparedStatement ps = c.prepareStatement("""
                    update result set student_id = null, match_decision = 'none', match_tier = null,
                                      match_score = 0, updated_at = now()
                    where delivery_id = ? and match_decision is null""")) {
                ps.setLong(1, deliveryId);
                unmatched = ps.executeUpdate();
            }
            c.commit();
            LOG.info("Delivery {}: {} result(s) matched, {} left for the district", deliveryId, matched, unmatched);
        }
    }
}
