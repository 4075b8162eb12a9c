package org.credentialhub.sis;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A first load loads its largest tables' rows before their keys, indexes and foreign keys, then makes them again
 * (RosterPublisher.insertBeforeKeys): here from one staged row instead of 100,000. The tables end with the schema's
 * own definitions, checked and enforced, and the next bulk takes the usual path.
 */
class OneRosterFirstLoadTest extends OneRosterTestCase {
    private static final List<String> TABLES = List.of("sis_user", "sis_enrollment", "sis_demographics");

    OneRosterFirstLoadTest() {
        super("oneroster-first-load");
    }

    @Test
    void theFirstRowsComeBeforeTheKeysWhichEndAsTheSchemaDefinesThem() throws Exception {
        OneRosterImport firstRowsFirst = new OneRosterImport(db.dataSource(), SisTestDb.HMAC, 7,
                OneRosterImport.defaultStateIdTypes(), 1);
        Path bulk = dir.resolve("bulk");
        SyntheticBundle.write(bulk, 200, 3, 5);
        List<String> schema = definitions();
        List<String> oids = oids();

        Verdict first = firstRowsFirst.importBundle(bulk);
        assertTrue(first.accepted(), () -> first.problems().toString());
        assertEquals(schema, definitions(), "the same keys, indexes and foreign keys, all checked");
        List<String> remade = oids();
        for (int i = 0; i < oids.size(); i++) {
            assertNotEquals(oids.get(i), remade.get(i), "made again after the rows: " + schema.get(i));
        }
        assertEquals(200, count("select count(*) from sis_user where student_id is not null"));
        assertEquals(600, count("select count(*) from sis_enrollment"));
        assertEquals(200, count("select count(*) from sis_demographics"));
        // the foreign key made again holds: a user of no student is refused
        SQLException refused = assertThrows(SQLException.class, () -> execute(
                "update sis_user set student_id = -1 where sourced_id = 'usr-7'"));
        assertTrue(refused.getMessage().contains("sis_user_student_id_fkey"), refused.getMessage());

        // the tables have rows now: the next bulk upserts them, and the keys stay as they are
        SyntheticBundle.write(dir.resolve("again"), 200, 3, 6);
        Verdict again = firstRowsFirst.importBundle(dir.resolve("again"));
        assertTrue(again.accepted(), () -> again.problems().toString());
        assertEquals(remade, oids());
        assertEquals(schema, definitions());
    }

    /** Every key, index and foreign key of the tables, as defined, with whether it is checked. */
    private List<String> definitions() throws SQLException {
        return column("""
                select conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated
                from pg_constraint where conrelid::regclass::text in ('sis_user', 'sis_enrollment', 'sis_demographics')
                  and contype in ('p', 'u', 'f')
                union all
                select pg_get_indexdef(indexrelid) || ' ' || indisvalid from pg_index
                where indrelid::regclass::text in ('sis_user', 'sis_enrollment', 'sis_demographics')
                order by 1""");
    }

    private List<String> oids() throws SQLException {
        return column("""
                select oid::text from (
                  select conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated as d, oid
                  from pg_constraint where conrelid::regclass::text in ('sis_user', 'sis_enrollment', 'sis_demographics')
                    and contype in ('p', 'u', 'f')
                  union all
                  select pg_get_indexdef(indexrelid) || ' ' || indisvalid, indexrelid from pg_index
                  where indrelid::regclass::text in ('sis_user', 'sis_enrollment', 'sis_demographics')) x
                order by d""");
    }

    private List<String> column(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        assertTrue(out.size() >= TABLES.size() + 2, out.toString());
        return out;
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
