package org.credentialhub.sis;

import org.credentialhub.store.Database;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the OneRoster import tests share: a {@link SisTestDb} of the class's own, opened before its tests and closed
 * after them, its folder, database and importer, and one-value queries on the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OneRosterTestCase {
    private final String name;
    SisTestDb sis;
    Path dir;
    Database db;
    OneRosterImport importer;

    OneRosterTestCase(String name) {
        this.name = name;
    }

    @BeforeAll
    void openSis() throws Exception {
        sis = SisTestDb.open(name);
        dir = sis.dir;
        db = sis.db;
        importer = sis.importer;
    }

    @AfterAll
    void closeSis() throws Exception {
        sis.close();
    }

    /** Runs a statement (or several) on the database. */
    void execute(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** The first column of the query's first row, as a number. */
    long count(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The first column of the query's first row, or null without a row. */
    String string(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** Edits a bundle's file line by line (UTF-8): {@code edit} changes the list of its lines, the header first. */
    static void editLines(Path file, Consumer<List<String>> edit) throws java.io.IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        edit.accept(lines);
        Files.write(file, lines);
    }
}
