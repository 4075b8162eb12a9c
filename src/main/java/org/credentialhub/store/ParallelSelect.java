package org.credentialhub.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@code insert into <table> (<columns>) select ...} whose select is run by PostgreSQL's parallel workers. PostgreSQL
 * plans no statement that writes rows in parallel, except {@code create table ... as}: so the select fills a temporary
 * table first (its sort or join shared among the workers, the leader gathering their rows), and the rows are then
 * inserted from it as they are, in its order. Worth it where the select's own work (a sort of hundreds of thousands of
 * rows, a large join) outweighs writing its rows twice: the reporting load's earned and course-earned facts (the NC
 * year's first load, psql alternating: the earned facts 1.75-2.14 s as one statement, 1.08-1.37 s so; docs/performance.md,
 * session 59). Parallel workers see the transaction's own rows and tables, and the statement is inside the caller's
 * transaction as before.
 */
public final class ParallelSelect {
    /** The temporary table the select's rows go through (dropped once inserted, and at the transaction's end anyway). */
    private static final String ROWS = "parallel_select_rows";
    private static final Pattern INSERT = Pattern.compile("\\s*insert into ([a-z_.]+) \\(([^()]*)\\)\\s*(.*)",
            Pattern.DOTALL | Pattern.CASE_INSENSITIVE);

    private ParallelSelect() {
    }

    /**
     * Runs {@code insertSelect} ({@code insert into <table> (<columns>)} and a select, no {@code on conflict} or
     * {@code returning}) with the select run in parallel; {@code args} are its parameters, in order. Returns the rows
     * inserted.
     */
    public static int insert(Connection c, String insertSelect, Object... args) throws SQLException {
        Matcher m = INSERT.matcher(insertSelect);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an insert of a select's rows: " + insertSelect.strip().lines()
                    .findFirst().orElse(""));
        }
        Rows.update(c, "create temp table " + ROWS + " on commit drop as " + m.group(3), args);
        int rows = Rows.update(c, "insert into " + m.group(1) + " (" + m.group(2) + ") select * from " + ROWS);
        Rows.update(c, "drop table " + ROWS);
        return rows;
    }
}
