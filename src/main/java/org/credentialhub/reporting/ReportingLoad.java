package org.credentialhub.reporting;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Loads the reporting tables from the matched results, set-based, in one transaction: readers see
 * the previous load until this one commits, and two loads never run at once (advisory lock).
 */
public final class ReportingLoad {
    private static final Logger LOG = LoggerFactory.getLogger(ReportingLoad.class);
    private static final long LOCK_KEY = 0x4855425F52505400L; // "HUB_RPT"

    private final DataSource dataSource;

    public ReportingLoad(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Runs one load; returns the number of reporting rows written. */
    public int load(String trigger) throws SQLException {
        long loadId;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "insert into rpt.load_run (trigger, status) values (?, 'running') returning load_id")) {
            ps.setString(1, trigger == null ? "manual" : trigger);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                loadId = rs.getLong(1);
            }
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            int rows;
            try (Statement st = c.createStatement()) {
                st.execute("select pg_advisory_xact_lock(" + LOCK_KEY + ")");
                st.execute("delete from rpt.earned_by_district_credential");
                rows = st.executeUpdate("""
                        insert into rpt.earned_by_district_credential
                               (school_year, district_code, credential_code, earned, load_id)
                        select r.school_year, s.district_code, r.credential_code, count(distinct r.student_id), %d
                        from result r join student s on s.student_id = r.student_id
                        where r.passed and r.status = 'active' and r.match_decision = 'match'
                          and r.credential_code is not null
                        group by r.school_year, s.district_code, r.credential_code""".formatted(loadId));
                st.executeUpdate("update rpt.load_run set status = 'succeeded', finished_at = now(), rows_written = "
                        + rows + " where load_id = " + loadId);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                markFailed(loadId, e);
                throw e;
            }
            LOG.info("Reporting load {} ({}) wrote {} row(s)", loadId, trigger, rows);
            return rows;
        }
    }

    private void markFailed(long loadId, Exception cause) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "update rpt.load_run set status = 'failed', finished_at = now(), message = ? where load_id = ?")) {
            ps.setString(1, cause.getClass().getSimpleName());
            ps.setLong(2, loadId);
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("Could not mark reporting load {} failed: {}", loadId, e.getMessage());
        }
    }
}
