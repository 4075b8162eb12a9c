package org.credentialhub.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The test run's one PostgreSQL (issue 14): a real embedded server started once per test JVM, on which every hub
 * and store under test gets a database of its own, created from a template that Flyway has already migrated
 * ({@code create database ... template}, a file copy of a few milliseconds instead of an initdb, a server start and
 * every migration per test). Tests about the embedded database itself (its start, a restart, an outage, another
 * process using it) keep starting their own.
 */
public final class SharedPostgres {
    private static final String TEMPLATE = "hub_template";
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static EmbeddedPostgres server;

    private SharedPostgres() {
    }

    /** A new database, its schema up to date: the JDBC URL (user postgres, no password). */
    public static synchronized String newDatabase() {
        try {
            if (server == null) {
                server = org.credentialhub.store.Database.clusterLocale(EmbeddedPostgres.builder())
                        .setDataDirectory(Files.createTempDirectory("hub-test-postgres"))
                        .setCleanDataDirectory(true)
                        .setPort(org.credentialhub.runtime.Ports.free())
                        .setServerConfig("max_connections", "400")
                        // a test database outlives no crash: durability is what the outage and crash tests check,
                        // on their own servers
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        server.close();
                    } catch (IOException ignored) {
                        // the JVM is going anyway
                    }
                }));
                execute("create database " + TEMPLATE);
                Flyway.configure().dataSource(server.getJdbcUrl("postgres", TEMPLATE), "postgres", "")
                        .locations("classpath:db/migration").load().migrate();
            }
            String name = "hub_" + NEXT.incrementAndGet();
            // a file copy of the template's folder (PostgreSQL 15+ otherwise writes every page of it through the WAL):
            // 42-55 ms a database instead of 86-209 ms on an idle server, and the suite makes dozens
            execute("create database " + name + " template " + TEMPLATE + " strategy = file_copy");
            return server.getJdbcUrl("postgres", name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test database: " + e.getMessage(), e);
        }
    }

    /** {@link #newDatabase()}, with the test's own tables made in it first ({@code ddl}: one or more statements). */
    public static String newDatabase(String ddl) {
        String url = newDatabase();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "postgres", "");
             java.sql.Statement st = c.createStatement()) {
            st.execute(ddl);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot make a test's tables: " + e.getMessage(), e);
        }
        return url;
    }

    /** A connection to a new database of the test run's PostgreSQL, its schema up to date (no store, no pool). */
    public static java.sql.Connection connect() throws SQLException {
        return java.sql.DriverManager.getConnection(newDatabase(), "postgres", "");
    }

    /** A store on a new database of the test run's PostgreSQL (the data folder holds nothing of the database). */
    public static org.credentialhub.store.Database open(java.nio.file.Path dataDir, int poolSize) throws IOException {
        return org.credentialhub.store.Database.open(newDatabase(), "postgres", "", dataDir, 0, poolSize);
    }

    /** Drops a database {@link #newDatabase} made (its connections closed or not), freeing its disk. */
    public static synchronized void drop(String jdbcUrl) {
        if (server == null || jdbcUrl == null) {
            return;
        }
        String name = jdbcUrl.replaceAll(".*/([^/?]+)(\\?.*)?$", "$1");
        if (!name.startsWith("hub_") || name.equals(TEMPLATE)) {
            return;
        }
        try {
            execute("drop database if exists " + name + " with (force)");
        } catch (SQLException e) {
            // left for the server's temporary folder to take with it
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
