package org.credentialhub.store;

import org.credentialhub.runtime.Settings;
import org.credentialhub.support.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded PostgreSQL runs with the memory for pages and the WAL between checkpoints the hub gives it
 * ({@link Database.Embedded}: {@code hub.db.embedded.shared-buffers}, {@code hub.db.embedded.max-wal-size}), not
 * PostgreSQL's defaults of 128 MB and 1 GB, with which a large delivery's publishing checkpointed every few seconds;
 * a value PostgreSQL would not read is refused, naming the setting, before a server is started.
 */
class EmbeddedServerSettingsTest {

    @Test
    void theEmbeddedServerTakesTheHubsDefaultsOrTheConfiguredAmounts(@TempDir Path dir) throws Exception {
        try (Database db = Database.open(null, null, null, dir.resolve("defaults"), 0, 2)) {
            assertEquals("512MB", show(db, "shared_buffers"));
            assertEquals("4GB", show(db, "max_wal_size"));
        }
        try (Database db = Database.open(null, null, null, dir.resolve("configured"), 0, 2,
                new Database.Embedded("256MB", "2GB"))) {
            assertEquals("256MB", show(db, "shared_buffers"));
            assertEquals("2GB", show(db, "max_wal_size"));
        }
    }

    @Test
    void settingsReadTheAmountsAndRefuseOnesPostgresWouldNotRead() {
        assertEquals(Database.Embedded.DEFAULTS, Settings.standalone(Map.of()).embeddedDatabase());
        assertEquals(new Database.Embedded("64MB", "4GB"),
                Settings.standalone(Map.of("hub.db.embedded.shared-buffers", "64MB")).embeddedDatabase());
        assertEquals(new Database.Embedded("512MB", "16GB"),
                Settings.standalone(Map.of("hub.db.embedded.max-wal-size", "16GB")).embeddedDatabase());
        for (String bad : new String[] {"lots", "512", "512 MB", "0MB", "-1GB", "512mb", "1.5GB"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> Settings.standalone(Map.of("hub.db.embedded.max-wal-size", bad)).embeddedDatabase(), bad);
            assertTrue(e.getMessage().contains("hub.db.embedded.max-wal-size") && e.getMessage().contains("max_wal_size"),
                    e.getMessage());
        }
    }

    private static String show(Database db, String setting) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("show " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
