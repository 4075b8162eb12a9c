package org.credentialhub.support;

import org.credentialhub.dropbox.SftpUpload;
import org.credentialhub.runtime.HubRuntime;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A whole hub for a test: its own database on the test run's one PostgreSQL ({@link SharedPostgres}), SFTP drop box
 * on a free port, HTTP on a free port, data in a temporary folder. Nothing is mocked.
 */
public final class TestHub implements AutoCloseable {
    public static final String CERTEXAM_PASSWORD = "test-certexam-password";

    public final HubRuntime runtime;
    public final Path dataDir;
    public final int httpPort;

    private final String sharedDb;

    private TestHub(HubRuntime runtime, Path dataDir, int httpPort, String sharedDb) {
        this.sharedDb = sharedDb;
        this.runtime = runtime;
        this.dataDir = dataDir;
        this.httpPort = httpPort;
    }

    public static TestHub start(Map<String, String> extra) throws Exception {
        Path dataDir = Files.createTempDirectory("hub-test");
        int http = freePort();
        Map<String, String> props = new HashMap<>();
        props.put("hub.data.dir", dataDir.toString());
        props.put("camel.server.port", String.valueOf(http));
        props.put("camel.server.host", "127.0.0.1");
        props.put("camel.management.port", String.valueOf(freePort()));
        props.put("hub.sftp.port", String.valueOf(freePort()));
        props.put("hub.sftp.bind", "127.0.0.1");
        props.put("hub.sftp.password.certexam", CERTEXAM_PASSWORD);
        props.put("hub.identity.hmac-key", "test-key-0123456789abcdef");
        props.put("hub.reporting.cron", "0/2 * * * * ?");
        props.put("hub.sftp.poll-override", "1s");
        // a test's upload is whole at once: a file is taken once it is a second old (production: 2 s)
        props.put("hub.sftp.read-lock-min-age", "1s");
        // the accounts' password hashes at a small cost: the suite signs in a few hundred times (OWASP's cost took
        // 0.1-0.6 s of CPU a hash with the suite's quick JIT); SecurityTest checks the hub stores hashes at this cost
        props.put("hub.web.password.argon2.memory-kb", "64");
        props.put("hub.web.password.argon2.iterations", "1");
        props.putAll(extra);
        String sharedDb = null;
        if (!props.containsKey("hub.db.url")) {
            // a database of its own on the test run's one PostgreSQL (set hub.db.url, even blank, to choose another)
            sharedDb = SharedPostgres.newDatabase();
            props.put("hub.db.url", sharedDb);
            props.put("hub.db.user", "postgres");
            props.put("hub.db.password", "");
        }
        HubRuntime runtime = new HubRuntime(props).start();
        return new TestHub(runtime, dataDir, http, sharedDb);
    }

    /** The SFTP password {@link #sftpFeeds} gives a feed's account. */
    public static String feedPassword(String feed) {
        return "pw-" + feed;
    }

    /** Properties for {@link #start}: each feed an SFTP account (password {@link #feedPassword}), its inbox polled every 500 ms. */
    public static Map<String, String> sftpFeeds(Iterable<String> feeds) {
        Map<String, String> props = new HashMap<>();
        for (String f : feeds) {
            props.put("hub.sftp.password." + f, feedPassword(f));
            props.put("hub.sftp.poll." + f, "500");
        }
        return props;
    }

    /**
     * Drops a file in the inbox of a feed of {@link #sftpFeeds} over SFTP and waits for its acknowledgement in the
     * outbox: the acknowledgement's text.
     */
    public String dropAndAwaitAck(String feed, String name, byte[] content, Duration timeout) throws Exception {
        try (SftpUpload sftp = new SftpUpload("127.0.0.1", sftpPort(), feed, feedPassword(feed))) {
            sftp.put("inbox/" + name, content);
            String[] ack = new String[1];
            await("the acknowledgement of " + name, timeout, () -> {
                if (!sftp.list("outbox").contains(name + ".ack.json")) {
                    return false;
                }
                ack[0] = new String(sftp.get("outbox/" + name + ".ack.json"), StandardCharsets.UTF_8);
                return ack[0].trim().endsWith("}");
            });
            return ack[0];
        }
    }

    /** A free port for a server a test starts (see {@link org.credentialhub.runtime.Ports}). */
    public static int freePort() throws IOException {
        return org.credentialhub.runtime.Ports.free();
    }

    public DataSource db() {
        return runtime.services().database.dataSource();
    }

    public int sftpPort() {
        return runtime.services().dropBox.port();
    }

    public long count(String sql) throws SQLException {
        try (Connection c = db().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Runs one statement (a test's set-up of what a crash left behind): the rows it changed. */
    public int execute(String sql) throws SQLException {
        try (Connection c = db().getConnection(); Statement st = c.createStatement()) {
            return st.executeUpdate(sql);
        }
    }

    public List<Map<String, Object>> rows(String sql) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = db().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= n; i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                }
                out.add(row);
            }
        }
        return out;
    }

    /** Polls until the condition holds (or fails the test after the timeout). */
    public static void await(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (Boolean.TRUE.equals(condition.call())) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
    }

    @Override
    public void close() throws Exception {
        runtime.close();
        SharedPostgres.drop(sharedDb);
        Fixtures.deleteTree(dataDir);
    }
}
