package org.credentialhub.sis;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one import's publishing changed, per table: how many rows it wrote or deleted (whether the table's planner
 * statistics are stale: {@link org.credentialhub.store.PlannerStatistics#analyzeIfStale}) and whether the source lost
 * rows there (rows other files' unchanged lines refer to: {@link RosterChecks}).
 */
final class TableChanges {
    private final Map<String, Long> rows = new HashMap<>();
    private final Set<String> lost = new HashSet<>();
    private final Set<String> firstRows = new HashSet<>();

    /** Rows of the table written or deleted. */
    void rows(String table, long n) {
        rows.merge(table, n, Long::sum);
    }

    long rows(String table) {
        return rows.getOrDefault(table, 0L);
    }

    /** The source lost rows of the table (deleted, or gone from a bulk file). */
    void lost(String table) {
        lost.add(table);
    }

    boolean lostRows(String table) {
        return lost.contains(table);
    }

    /** The table's first rows were the file's, published whole: every row the table has is one of the file's. */
    void firstRows(String table) {
        firstRows.add(table);
    }

    boolean hasOnlyTheFilesRows(String table) {
        return firstRows.contains(table);
    }
}
