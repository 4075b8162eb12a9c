package org.credentialhub.matching;

import java.util.HashMap;
import java.util.function.BiFunction;

/**
 * One thread's memo of the facts a probe takes from sent names and places ({@link RosterIndex#probe(ResultRecord,
 * ProbeMemo)}), for one index: a batch sends the same names and schools again and again (200,000 rows of the matching
 * bench, 18,920 names), each normalised and looked up in the dictionaries once. Emptied when a map reaches
 * {@link #LIMIT} entries. {@link #NONE} keeps nothing: each fact computed when asked (a probe made on its own).
 */
final class ProbeMemo {
    static final int LIMIT = 1 << 16;
    /** A memo that keeps nothing (no state: any thread may use it). */
    static final ProbeMemo NONE = new ProbeMemo(false);

    private final boolean keeps;
    // (a text not sent is the key null, which a HashMap keeps as any other)
    private final HashMap<String, RosterIndex.NameFacts> first = new HashMap<>();
    private final HashMap<String, RosterIndex.NameFacts> last = new HashMap<>();
    private final HashMap<String, RosterIndex.PlaceFacts> schools = new HashMap<>();
    private final HashMap<String, Integer> districts = new HashMap<>();

    ProbeMemo() {
        this(true);
    }

    private ProbeMemo(boolean keeps) {
        this.keeps = keeps;
    }

    RosterIndex.NameFacts first(String raw, RosterIndex ix) {
        return fact(first, raw, ix, RosterIndex::firstFacts);
    }

    RosterIndex.NameFacts last(String raw, RosterIndex ix) {
        return fact(last, raw, ix, RosterIndex::lastFacts);
    }

    RosterIndex.PlaceFacts school(String raw, RosterIndex ix) {
        return fact(schools, raw, ix, RosterIndex::schoolFacts);
    }

    int district(String raw, RosterIndex ix) {
        return fact(districts, raw, ix, RosterIndex::districtCode);
    }

    /** The fact of {@code raw} kept in {@code kept}, else computed (and kept, unless this memo keeps nothing). */
    private <V> V fact(HashMap<String, V> kept, String raw, RosterIndex ix, BiFunction<RosterIndex, String, V> compute) {
        if (!keeps) {
            return compute.apply(ix, raw);
        }
        V v = kept.get(raw);
        if (v == null) {
            if (kept.size() >= LIMIT) {
                kept.clear();
            }
            v = compute.apply(ix, raw);
            kept.put(raw, v);
        }
        return v;
    }
}
