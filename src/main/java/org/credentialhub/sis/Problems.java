package org.credentialhub.sis;

import java.util.ArrayList;
import java.util.List;

/** The problems found in one bundle; keeps the first {@link #MAX_STORED}, counts them all. */
final class Problems {
    static final int MAX_STORED = 10_000;

    private final List<Problem> list = new ArrayList<>();
    private long count;
    private long errors;

    void error(String file, int line, String column, String message) {
        add(new Problem(Problem.Severity.ERROR, file, line, column, message));
    }

    void warning(String file, int line, String column, String message) {
        add(new Problem(Problem.Severity.WARNING, file, line, column, message));
    }

    void add(Problem p) {
        count++;
        if (p.isError()) {
            errors++;
        }
        if (list.size() < MAX_STORED) {
            list.add(p);
        }
    }

    /** Adds another list's problems after this one's (its stored ones, and the count of those it did not keep). */
    void addAll(Problems other) {
        for (Problem p : other.list) {
            add(p);
        }
        long storedErrors = other.list.stream().filter(Problem::isError).count();
        count += other.count - other.list.size();
        errors += other.errors - storedErrors;
    }

    boolean hasErrors() {
        return errors > 0;
    }

    long errorCount() {
        return errors;
    }

    long count() {
        return count;
    }

    List<Problem> list() {
        return list;
    }
}
