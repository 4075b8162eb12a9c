package org.credentialhub.exceptions;

import org.credentialhub.accounts.Account;
import org.credentialhub.accounts.Audit;
import org.credentialhub.store.Rollback;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Who works on an exception: a person takes open exceptions of their queue ("mine") or gives them back. Each
 * change is audited on the exception's result, so that it shows in the exception's history and the audit page.
 */
public final class Assignments {
    private final DataSource dataSource;

    public Assignments(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Assigns the given exceptions to the caller ({@code take}) or to nobody. Only exceptions the caller may see
     * and that are not resolved change; returns the ids changed.
     */
    public List<Long> assign(Account who, List<Long> exceptionIds, boolean take) throws SQLException {
        List<Long> changed = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    update result_exception e set assigned_to = ?, assigned_at = case when ? then now() end,
                           updated_at = now()
                    where e.exception_id = any (?) and e.status <> 'resolved' and (? or e.district_code = ?)
                      and e.assigned_to is distinct from ?
                    returning e.exception_id, e.result_id, e.district_code""")) {
                String to = take ? who.username() : null;
                ps.setString(1, to);
                ps.setBoolean(2, take);
                ps.setArray(3, c.createArrayOf("bigint", exceptionIds.toArray()));
                ps.setBoolean(4, who.isOps());
                ps.setString(5, who.districtCode());
                ps.setString(6, to);
                List<Object[]> audited = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        changed.add(rs.getLong(1));
                        audited.add(new Object[]{rs.getLong(1), rs.getLong(2), rs.getString(3)});
                    }
                }
                for (Object[] a : audited) {
                    Audit.record(c, who, "assign", "result", String.valueOf(a[1]), (String) a[2],
                            null, take ? Map.of("exception", a[0], "assigned_to", who.username()) : Map.of("exception", a[0]));
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                Rollback.after(c, e);
                throw e;
            }
        }
        return changed;
    }
}
