package org.credentialhub.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.List;

/**
 * Tables a transaction empties again before it writes their first rows: on a server whose WAL no replica reads (the
 * embedded one: {@code wal_level minimal}) the rows and indexes of a table emptied (TRUNCATE) in the transaction are
 * written without WAL and synced at commit. Emptied only when they hold nothing (no reader loses a row it could see)
 * and no other transaction holds any of them at the moment (taken without waiting); they stay taken until the
 * transaction ends, so a reader that comes later waits for the first rows rather than reads none.
 */
public final class EmptyTables {
    private EmptyTables() {
    }

    /**
     * Empties the tables again in {@code c}'s transaction when every one of them holds no row; true when it did. False,
     * with none of them taken and the transaction going on, when one holds a row, another transaction holds one
     * (lock_not_available), or a table not given names one by a foreign key (TRUNCATE refuses it unless that table is
     * emptied with it: give those too).
     */
    public static boolean truncatedIfEmpty(Connection c, List<String> tables) throws SQLException {
        Savepoint before = c.setSavepoint();
        try (Statement st = c.createStatement()) {
            st.execute("lock table " + String.join(", ", tables) + " in access exclusive mode nowait");
            StringBuilder empty = new StringBuilder("select true");
            for (String t : tables) {
                empty.append(" and not exists (select 1 from ").append(t).append(")");
            }
            try (ResultSet rs = st.executeQuery(empty.toString())) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    c.rollback(before);   // (the tables let go again)
                    return false;
                }
            }
            st.execute("truncate " + String.join(", ", tables));
        } catch (SQLException e) {
            // lock_not_available: someone holds one now; feature_not_supported: a foreign key of a table not given names one
            if (!"55P03".equals(e.getSQLState()) && !"0A000".equals(e.getSQLState())) {
                throw e;
            }
            c.rollback(before);
            return false;
        }
        c.releaseSavepoint(before);
        return true;
    }
}
