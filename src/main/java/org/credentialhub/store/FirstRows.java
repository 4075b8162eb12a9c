package org.credentialhub.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A table's first rows written before its keys, indexes and foreign keys, which are then made again as the schema
 * defines them (read from the catalog): one sorted build per index instead of an insertion per row, and one join that
 * checks each foreign key instead of a look-up, and a lock, per row (a foreign key only where the table it names is the
 * transaction's own already). For a transaction that has taken the table empty ({@link #taken}) and writes many rows
 * into it: the roster's first bundle (sis.RosterPublisher: sis_user's key to student 3.0 s of a 5.5-s insert of 375,000
 * users, 0.3 s as one check), the first reporting load's pseudonyms, student dimensions and keyed facts
 * (reporting.ReportingLoad), and a large file's results, lineage and identities when they are the hub's first
 * (intake.Intake).
 */
public final class FirstRows {
    /**
     * Rows from which making the keys after the rows pays: at 90,000 students (the NC year's size) a first roster took
     * 7.97 and 8.02 s with 100,000 here, 7.32 and 7.40 s with 10,000 (sis_user 0.9 s -> 0.36 s).
     */
    public static final long KEYS_MADE_AFTER_ROWS = 10_000;

    private FirstRows() {
    }

    /** A statement that writes rows and says how many. */
    @FunctionalInterface
    public interface Insert {
        int run() throws SQLException;
    }

    /**
     * Takes {@code table} in {@code lock} ({@code lock table ... in <lock>}) for the rest of the transaction when it is
     * empty, and says so: true, and the table stays empty for others until this transaction ends. A table with rows,
     * or a lock taken {@code nowait} that another transaction holds: false, and nothing is held (a reporting load after
     * the first asks each time: it must not hold the tables it writes into as usual).
     */
    public static boolean taken(Connection c, String table, String lock) throws SQLException {
        String empty = "select not exists (select 1 from " + table + ")";
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery(empty)) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return false;
                }
            }
            Savepoint before = c.setSavepoint();
            try {
                st.execute("lock table " + table + " in " + lock);
            } catch (SQLException e) {
                if (!"55P03".equals(e.getSQLState())) {   // lock_not_available: someone reads the table now
                    throw e;
                }
                c.rollback(before);
                return false;
            }
            try (ResultSet rs = st.executeQuery(empty)) {
                rs.next();
                if (rs.getBoolean(1)) {
                    c.releaseSavepoint(before);
                    return true;
                }
            }
            c.rollback(before);   // rows came before the lock: let go of it again
            return false;
        }
    }

    /**
     * SQL condition on the foreign key {@code k}: the table it names is this transaction's own already (held access
     * exclusive, as the roster's first bundle holds the roster it empties), or the table itself. Dropping a foreign key
     * takes the table it names in that mode (its triggers there are removed): a first reporting load that made the
     * pseudonyms' foreign key again after their rows held every reader of the roster (matching, the console, the
     * exception queue) until it committed, 14 s of the NC year's load. Any other foreign key stays as it is, and checks
     * each row as it is written.
     */
    static final String OWN_ALREADY = "(k.confrelid = k.conrelid or exists (select 1 from pg_locks l"
            + " where l.locktype = 'relation' and l.pid = pg_backend_pid() and l.granted"
            + " and l.database = (select oid from pg_database where datname = current_database())"
            + " and l.relation = k.confrelid and l.mode = 'AccessExclusiveLock'))";

    /**
     * Fills an empty table ({@link #taken}) and only then makes its keys, indexes and foreign keys again. A key that
     * another table's foreign key references (the roster's) is kept: those foreign keys stand on it; and so is a
     * foreign key whose table is not this transaction's own already ({@link #OWN_ALREADY}). Inside the caller's
     * transaction, so a failure rolls them back with the rows. Readers of the table, and writers of a table a foreign
     * key made again names (the roster, for the users of its first bundle), wait until the transaction commits. The
     * table is emptied again in the transaction first ({@link #emptiedAgain}: with the empty tables that name it),
     * which lets a server without replicas (the embedded one, wal_level minimal) write its rows and indexes without WAL.
     *
     * @return the rows inserted
     */
    public static int insertBeforeKeys(Connection c, String table, Insert insert) throws SQLException {
        List<String> drop = new ArrayList<>();
        List<String> make = new ArrayList<>();
        List<String> foreignKeys = new ArrayList<>();
        String constraints = "select conname, pg_get_constraintdef(oid), contype = 'f' from pg_constraint k where conrelid = '"
                + table + "'::regclass and contype in ('p', 'u', 'f') and not exists (select 1 from pg_constraint r"
                + " where r.contype = 'f' and r.confrelid = k.conrelid and r.conindid = k.conindid)"
                + " and (contype <> 'f' or " + OWN_ALREADY + ") order by contype = 'f' desc, conname";
        String indexes = "select indexrelid::regclass::text, pg_get_indexdef(indexrelid) from pg_index i where indrelid = '"
                + table + "'::regclass and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)"
                + " order by 1";
        try (Statement st = c.createStatement()) {
            // foreign keys are dropped first and made last, once the keys and indexes they check with are there
            try (ResultSet rs = st.executeQuery(constraints)) {
                while (rs.next()) {
                    String name = quoted(rs.getString(1));
                    drop.add("alter table " + table + " drop constraint " + name);
                    (rs.getBoolean(3) ? foreignKeys : make).add("alter table " + table + " add constraint " + name + " "
                            + rs.getString(2));
                }
            }
            try (ResultSet rs = st.executeQuery(indexes)) {
                while (rs.next()) {
                    drop.add("drop index " + rs.getString(1));
                    make.add(rs.getString(2));
                }
            }
            make.addAll(foreignKeys);
            for (String d : drop) {
                st.execute(d);
            }
            emptiedAgain(c, table);
            int rows = insert.run();
            st.execute("set local maintenance_work_mem = '512MB'");
            for (String m : make) {
                st.execute(m);
            }
            return rows;
        }
    }

    /**
     * Empties the empty table again, in this transaction: on a server whose WAL no replica reads (the embedded one:
     * wal_level minimal) its rows and indexes are then written without WAL and synced at commit. Truncate refuses a
     * table other tables' foreign keys name unless they are emptied with it, however empty they are: so the roster is
     * emptied together with the tables that name it (the users, the matches, the pseudonyms) only when they are empty
     * too and no one holds them (taken without waiting); otherwise it is left as it is, its rows written with WAL.
     */
    private static void emptiedAgain(Connection c, String table) throws SQLException {
        List<String> tables = new ArrayList<>(List.of(table));
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select distinct conrelid::regclass::text from pg_constraint where contype"
                     + " = 'f' and confrelid = '" + table + "'::regclass and conrelid <> confrelid order by 1")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        EmptyTables.truncatedIfEmpty(c, tables);
    }

    private static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
