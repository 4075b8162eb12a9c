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
     * At most 50 students whose state ID hashes to {@code stateIdHash}, or whose names the query gives: "Last, First"
     * (last name first), "First Last" (either way round), or one word (either name); names match by prefix,
     * case-insensitively; by name.
     */
    public static List<Map<String, Object>> search(DataSource ds, Account caller, String stateIdHash, String query)
            throws SQLException {
        List<Object> p = new ArrayList<>();
        p.add(stateIdHash);
        String last;
        String first;
        String lower = query.toLowerCase(java.util.Locale.ROOT).trim();
        if (lower.contains(",")) {
            last = lower.substring(0, lower.indexOf(',')).trim();
            first = lower.substring(lower.indexOf(',') + 1).trim();
        } else {
            String[] words = lower.split("\\s+");
            first = words.length > 1 ? String.join(" ", java.util.Arrays.copyOf(words, words.length - 1)) : "";
            last = words[words.length - 1];
        }
        String l = like(last);
        String fi = like(first);
        String nameMatch;
        if (first.isEmpty() || last.isEmpty()) {
            String one = first.isEmpty() ? l : fi;
            p.add(one);
            p.add(one);
            nameMatch = "lower(s.last_name) like ? or lower(s.first_name) like ?";
        } else {
            p.add(l);
            p.add(fi);
            nameMatch = "(lower(s.last_name) like ? and lower(s.first_name) like ?)";
            if (!lower.contains(",")) {
                p.add(fi);
                p.add(l);
                nameMatch += " or (lower(s.last_name) like ? and lower(s.first_name) like ?)";
            }
        }
        p.add(caller.isOps());
        p.add(caller.districtCode());
        return Rows.list(ds, "select s.student_id, s.first_name, s.last_name, s.birth_date::text as birth_date,"
                + " s.school_code, sc.name as school_name, s.district_code"
                + " from student s left join school sc on sc.school_code = s.school_code"
                + " where (s.state_id_hash = ? or " + nameMatch + ") and (? or s.district_code = ?)"
                + " order by s.last_name, s.first_name limit 50", p);
    }

    private static String like(String prefix) {
        return prefix.replace("\\", "").replace("%", "").replace("_", "\\_") + "%";
    }
}
