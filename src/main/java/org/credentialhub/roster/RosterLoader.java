package org.credentialhub.roster;

import org.credentialhub.store.CopyWriter;
import org.credentialhub.support.Hmac;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;

/**
 * Writes roster students (the SIS's view of who is enrolled where) with COPY; state student IDs are
 * stored only as keyed hashes. A student already on the roster (same ID) is updated.
 */
public final class RosterLoader {

    /** One student as the SIS knows them. */
    public record Student(String stateId, String firstName, String lastName, LocalDate birthDate,
                          String districtCode, String schoolCode) {
    }

    private final DataSource dataSource;
    private final Hmac hmac;

    public RosterLoader(DataSource dataSource, Hmac hmac) {
        this.dataSource = dataSource;
        this.hmac = hmac;
    }

    public long load(Iterable<Student> students) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("create temp table stage_student (like student including defaults) on commit drop");
            }
            long rows;
            try (CopyWriter copy = new CopyWriter(c, "stage_student", "state_id_hash", "first_name", "last_name",
                    "birth_date", "district_code", "school_code", "state_id_near")) {
                for (Student s : students) {
                    copy.value(hmac.stateId(s.stateId())).value(s.firstName()).value(s.lastName())
                            .value(s.birthDate()).value(s.districtCode()).value(s.schoolCode())
                            .value(hmac.stateIdNear(s.stateId())).endRow();
                }
                rows = copy.finish();
            }
            try (Statement st = c.createStatement()) {
                st.executeUpdate("""
                        insert into student (state_id_hash, first_name, last_name, birth_date, district_code, school_code,
                                             state_id_near)
                        select distinct on (state_id_hash) state_id_hash, first_name, last_name, birth_date,
                               district_code, school_code, state_id_near
                        from stage_student where state_id_hash is not null
                        on conflict (state_id_hash) do update set
                            first_name = excluded.first_name, last_name = excluded.last_name,
                            birth_date = excluded.birth_date, district_code = excluded.district_code,
                            school_code = excluded.school_code, state_id_near = excluded.state_id_near,
                            updated_at = now()""");
            }
            c.commit();
            return rows;
        }
    }
}
