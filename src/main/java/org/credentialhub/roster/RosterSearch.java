package org.credentialhub.roster;

import org.credentialhub.accounts.Account;
import org.credentialhub.store.Rows;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Finding students on the roster for a district's decision: its own district's students only (ops: all). */
public final class RosterSearch {
    private RosterSearch() {
    }

    /**
     * At most 50 students whose state ID hashes to {@code stateIdHash}, or whose last name or first name
     * begins with the given lower-case prefix, by name.
     */
    public static List<Map<String, Object>> search(DataSource ds, Account caller, String stateIdHash,
                                                   String lastNamePrefix, String firstNamePrefix) throws SQLException {
        List<Object> p = new ArrayList<>();
        p.add(stateIdHash);
        p.add(lastNamePrefix + "%");
        p.add(firstNamePrefix + "%");
        p.add(caller.isOps());
        p.add(caller.districtCode());
        return Rows.list(ds, """
                select s.student_id, s.first_name, s.last_name, s.birth_date::text as birth_date, s.school_code,
                       sc.name as school_name, s.district_code
                from student s left join school sc on sc.school_code = s.school_code
                where (s.state_id_hash = ? or lower(s.last_name) like ? or lower(s.first_name) like ?)
                  and (? or s.district_code = ?)
                order by s.last_name, s.first_name limit 50""", p);
    }
}
