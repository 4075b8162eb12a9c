package org.credentialhub.bench;

import org.credentialhub.store.Database;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Which PostgreSQL a bench's hub uses. {@code ./hub bench}: the hub's own embedded one, started in the run's data
 * folder as {@code ./hub ingest} starts it. Tests: a new database per run on the server the test run already has
 * (user postgres, no password), so that a bench does not start a server of its own. Either way the baseline COPYs
 * into the same database the hub used.
 */
public final class BenchDb {
    private final Supplier<String> newDatabase;

    private BenchDb(Supplier<String> newDatabase) {
        this.newDatabase = newDatabase;
    }

    public static BenchDb embedded() {
        return new BenchDb(null);
    }

    /** A new database from {@code newDatabase} (a JDBC URL) for every run. */
    public static BenchDb on(Supplier<String> newDatabase) {
        return new BenchDb(newDatabase);
    }

    /** A database for one run: its JDBC URL, or null for an embedded one in the run's data folder. */
    String fresh() {
        return newDatabase == null ? null : newDatabase.get();
    }

    /** The hub's settings for that database (none for the embedded one). */
    static Map<String, String> hubSettings(String url) {
        return url == null ? Map.of() : Map.of("hub.db.url", url, "hub.db.user", "postgres", "hub.db.password", "");
    }

    /** Opens that database (again): the embedded one in {@code dataDir}, or the one at {@code url}. */
    static Database open(String url, Path dataDir) throws IOException {
        return url == null ? Database.open(null, null, null, dataDir, 0, 2) : Database.open(url, "postgres", "", dataDir, 0, 2);
    }
}
