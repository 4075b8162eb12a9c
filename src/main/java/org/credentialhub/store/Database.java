package org.credentialhub.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The hub's one store. Uses the PostgreSQL named by {@code HUB_DB_URL} when set; otherwise starts a
 * private PostgreSQL in the data folder (embedded defaults). Either way the schema is brought up to
 * date with Flyway before anything else touches it (a new embedded cluster copied from this build's
 * template, {@link ClusterTemplate}, is up to date already: migrated by exactly these migrations).
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final EmbeddedPostgres embedded;
    private final HikariDataSource dataSource;
    private final String jdbcUrl;

    private Database(EmbeddedPostgres embedded, HikariDataSource dataSource, String jdbcUrl) {
        this.embedded = embedded;
        this.dataSource = dataSource;
        this.jdbcUrl = jdbcUrl;
    }

    /**
     * How a new embedded cluster sorts and compares text: byte order ("C"). initdb would otherwise take the machine's
     * locale (C.UTF-8 here), whose comparisons go through the C library's collation for every sort and every b-tree
     * key of text (state ID hashes, sourcedIds), without PostgreSQL's abbreviated keys: the roster's insert of 375,000
     * students took 6.4-7.0 s instead of 9.2-11.3 s (docs/performance.md, session 31). The order is the same for valid
     * UTF-8 (C.UTF-8 sorts by code point, which UTF-8's bytes keep) and no longer the machine's choice; character
     * classes (upper, lower) stay UTF-8's. A cluster made before keeps its own.
     */
    public static EmbeddedPostgres.Builder clusterLocale(EmbeddedPostgres.Builder builder) {
        return builder.setLocaleConfig("lc-collate", LC_COLLATE);
    }

    private static final String LC_COLLATE = "C";

    /** initdb's options beyond zonky's own (a template of an empty cluster is made with them: {@link ClusterTemplate}). */
    private static final String INITDB_OPTIONS = "lc-collate=" + LC_COLLATE;

    /**
     * What the embedded server may take ({@code hub.db.embedded.*}; a server named by {@code hub.db.url} is its
     * administrator's): {@code sharedBuffers}, the pages it keeps in its own memory ({@code shared_buffers}), and
     * {@code maxWalSize}, the WAL it writes before a checkpoint is due ({@code max_wal_size}), each as PostgreSQL reads
     * an amount ({@code 512MB}). PostgreSQL's defaults, 128 MB and 1 GB, are sized for a machine that runs many
     * things: a large delivery's publishing (1,000,000 results, their lineage and identities: about 1.4 GB of WAL and
     * as much in pages) then wrote its own pages out as it went and set off a checkpoint every few seconds ("checkpoints
     * are occurring too frequently"), each followed by whole-page images in the WAL (docs/performance.md, session 53).
     * More WAL between checkpoints is more to replay after a crash (at most about {@code maxWalSize}), and more room
     * on disk for {@code pg_wal}.
     */
    public record Embedded(String sharedBuffers, String maxWalSize) {
        private static final java.util.regex.Pattern AMOUNT = java.util.regex.Pattern.compile("[1-9][0-9]{0,8}(kB|MB|GB|TB)");

        /** The embedded server's settings where none are configured. */
        public static final Embedded DEFAULTS = new Embedded("512MB", "4GB");

        public Embedded {
            amount("shared_buffers", sharedBuffers);
            amount("max_wal_size", maxWalSize);
        }

        /**
         * {@code value} when it is a whole amount with a unit PostgreSQL reads (kB, MB, GB, TB), else an error naming
         * {@code setting} (the server's setting, or the hub's key that gives it).
         */
        public static String amount(String setting, String value) {
            if (value == null || !AMOUNT.matcher(value).matches()) {
                throw new IllegalArgumentException(setting + ": '" + value
                        + "' is not a whole amount with a unit (kB, MB, GB or TB, e.g. 512MB)");
            }
            return value;
        }
    }

    /**
     * @param url      JDBC URL of an external database, or blank to start the embedded one
     * @param dataDir  where the embedded database keeps its files
     * @param port     port of the embedded database (0: any free port)
     */
    public static Database open(String url, String user, String password, Path dataDir, int port, int poolSize)
            throws IOException {
        return open(url, user, password, dataDir, port, poolSize, Embedded.DEFAULTS);
    }

    /**
     * {@link #open(String, String, String, Path, int, int)} with what the embedded server may take ({@code server}; not
     * read when {@code url} names a server).
     */
    public static Database open(String url, String user, String password, Path dataDir, int port, int poolSize,
                                Embedded server) throws IOException {
        EmbeddedPostgres embedded = null;
        String jdbcUrl = url;
        boolean migrated = false;
        if (url == null || url.isBlank()) {
            Path pgDir = dataDir.resolve("postgres");
            Files.createDirectories(pgDir);
            Integer running = runningPort(pgDir);
            if (running != null) {
                // the hub (another process) runs the embedded database: use it
                return open("jdbc:postgresql://localhost:" + running + "/postgres", "postgres", "", dataDir, 0, poolSize,
                        server);
            }
            EmbeddedPostgres.Builder builder = clusterLocale(EmbeddedPostgres.builder())
                    .setDataDirectory(pgDir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("max_connections", "100")
                    .setServerConfig("fsync", "on")
                    // a commit is on disk when it returns (the embedded server's default is off): the hub acknowledges
                    // deliveries on commits, and a database killed a moment later must not lose one
                    .setServerConfig("synchronous_commit", "on")
                    // no replica reads this server's WAL (it is the hub's own, on one node): a table made or emptied in
                    // a transaction is then written without WAL and synced at commit (a first roster's tables, their
                    // keys made after the rows: sis.RosterPublisher), and the WAL carries only what recovery needs
                    .setServerConfig("wal_level", "minimal")
                    .setServerConfig("max_wal_senders", "0")
                    .setServerConfig("shared_buffers", server.sharedBuffers())
                    .setServerConfig("max_wal_size", server.maxWalSize());
            // a port below the kernel's ephemeral range (Ports): the database's start is not lost to an outgoing connection
            builder.setPort(port > 0 ? port : org.credentialhub.runtime.Ports.free());
            // a new data folder gets the empty cluster of this build (initdb's files, the schema migrated by exactly
            // these migrations: nothing for Flyway to do) as a copy when one is kept, else it is made and a copy kept
            // for the next new folder
            ClusterTemplate template = ClusterTemplate.isNew(pgDir) ? ClusterTemplate.of(INITDB_OPTIONS) : null;
            boolean copied = template != null && template.copyInto(pgDir);
            migrated = copied;
            embedded = builder.start();
            if (template != null && !copied) {
                migrate(embedded.getPostgresDatabase());
                embedded.close();
                template.keep(pgDir);
                embedded = builder.start();
                migrated = true;
            }
            jdbcUrl = embedded.getJdbcUrl("postgres", "postgres");
            user = "postgres";
            password = "";
            LOG.info("Started the embedded PostgreSQL on port {} (data in {})", embedded.getPort(), pgDir);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("hub");
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        HikariDataSource ds = new HikariDataSource(config);
        if (!migrated) {
            migrate(ds);
        }
        return new Database(embedded, ds, jdbcUrl);
    }

    /** Brings the schema up to date: the migrations in {@code db/migration} (the same ones {@link ClusterTemplate} keys). */
    private static void migrate(javax.sql.DataSource ds) {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    }

    /** The port of a live PostgreSQL that another process runs in this data folder, if any. */
    static Integer runningPort(Path pgDir) {
        Path pid = pgDir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pid)) {
            return null;
        }
        try {
            java.util.List<String> lines = Files.readAllLines(pid);
            long processId = Long.parseLong(lines.get(0).trim());
            if (lines.size() < 4 || ProcessHandle.of(processId).map(ProcessHandle::isAlive).orElse(false) == false) {
                return null;
            }
            return Integer.parseInt(lines.get(3).trim());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** JDBC URL without credentials, for banners and health. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() throws IOException {
        dataSource.close();
        if (embedded != null) {
            embedded.close();
        }
    }
}
