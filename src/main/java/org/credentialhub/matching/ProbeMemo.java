package org.credentialhub.matching;

import java.util.HashMap;

/**
 * One thread's memo of the facts a probe takes from sent names and places ({@link RosterIndex#probe(ResultRecord,
 * ProbeMemo)}), for one index: a batch sends the same names and schools again and again (200,000 rows of the matching
 * bench, 18,920 names), each normalised and looked up in the dictionaries once. Emptied when a map reaches
 * {@link #LIMIT} entries.
 */
final class ProbeMemo {
    static final int LIMIT = 1 << 16;
    private final HashMap<String, RosterIndex.NameFacts> first = new HashMap<>();
    private final HashMap<String, RosterIndex.NameFacts> last = new HashMap<>();
    private final HashMap<String, RosterIndex.PlaceFacts> schools = new HashMap<>();
    private final HashMap<String, Integer> districts = new HashMap<>();
    private RosterIndex.NameFacts noFirst;
    private RosterIndex.NameFacts noLast;
    private RosterIndex.PlaceFacts noSchool;

    RosterIndex.NameFacts first(String raw, RosterIndex ix) {
        if (raw == null) {
            return noFirst != null ? noFirst : (noFirst = ix.firstFacts(null));
        }
        RosterIndex.NameFacts f = first.get(raw);
        if (f == null) {
            f = ix.firstFacts(raw);
            bounded(first).put(raw, f);
        }
        return f;
    }

    RosterIndex.NameFacts last(String raw, RosterIndex ix) {
        if (raw == null) {
            return noLast != null ? noLast : (noLast = ix.lastFacts(null));
        }
        RosterIndex.NameFacts f = last.get(raw);
        if (f == null) {
            f = ix.lastFacts(raw);
            bounded(last).put(raw, f);
        }
        return f;
    }

    RosterIndex.PlaceFacts school(String raw, RosterIndex ix) {
        if (raw == null) {
            return noSchool != null ? noSchool : (noSchool = ix.schoolFacts(null));
        }
        RosterIndex.PlaceFacts f = schools.get(raw);
        if (f == null) {
            f = ix.schoolFacts(raw);
            bounded(schools).put(raw, f);
        }
        return f;
    }

    int district(String raw, RosterIndex ix) {
        if (raw == null) {
            return Probe.MISSING;
        }
        Integer c = districts.get(raw);
        if (c == null) {
            c = ix.districtCode(raw);
            bounded(districts).put(raw, c);
        }
        return c;
    }

    private static <V> HashMap<String, V> bounded(HashMap<String, V> m) {
        if (m.size() >= LIMIT) {
            m.clear();
        }
        return m;
    }
}
