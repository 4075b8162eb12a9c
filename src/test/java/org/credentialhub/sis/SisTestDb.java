package org.credentialhub.sis;

import org.credentialhub.support.Fixtures;
import org.credentialhub.support.SharedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.credentialhub.store.Database;
import org.credentialhub.support.Hmac;

/** A database of its own on the test run's PostgreSQL with a OneRoster importer on it, for the SIS tests. */
final class SisTestDb implements AutoCloseable {
    static final Hmac HMAC = new Hmac("test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8));

    final Path dir;
    final Database db;
    final OneRosterImport importer;

    private SisTestDb(Path dir, Database db) {
        this.dir = dir;
        this.db = db;
        this.importer = new OneRosterImport(db.dataSource(), HMAC, 7, OneRosterImport.defaultStateIdTypes());
    }

    static SisTestDb open(String name) throws Exception {
        Path dir = Files.createTempDirectory(name);
        return new SisTestDb(dir, SharedPostgres.open(dir, 2));
    }

    @Override
    public void close() throws Exception {
        db.close();
        Fixtures.deleteTree(dir);
    }
}
