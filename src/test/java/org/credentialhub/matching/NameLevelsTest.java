package org.credentialhub.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The name levels the matcher works out against the roster's dictionaries ({@link NameMemo}) are the levels of the
 * two texts by definition ({@link Comparisons#firstNameLevel(String, String)}, {@link Comparisons#lastNameLevel(String,
 * String)}), for every kind of comparison, straight and crosswise: the matcher tells two names the same text by their
 * dictionary codes instead of comparing their letters, and must say "exact" exactly when the texts are equal, also
 * where a sent first name is a roster surname (and the reverse).
 */
class NameLevelsTest {
    private static final int[] KINDS = {NameMemo.FIRST, NameMemo.LAST, NameMemo.FIRST_VS_LAST, NameMemo.LAST_VS_FIRST,
            NameMemo.LAST_AS_FIRST, NameMemo.FIRST_AS_LAST};

    @Test
    void levelsByCodeAreTheLevelsOfTheTexts() throws Exception {
        SyntheticRoster roster = SyntheticRoster.of(11);
        RosterIndex index = roster.index();
        List<ResultRecord> rows = roster.sentWith(SyntheticRoster.SWAPPED);
        RosterIndex.Scratch s = new RosterIndex.Scratch();
        NameMemo memo = new NameMemo();
        long compared = 0;
        long sameText = 0;
        long sameTextCrosswise = 0;
        for (ResultRecord r : rows) {
            Probe p = index.probe(r);
            if (p.first == null || p.last == null) {
                continue;
            }
            memo.reset();
            index.candidates(p, MatchSettings.defaults().maxBlockSize(), true, s);
            for (int kind : KINDS) {
                boolean sentFirst = kind == NameMemo.FIRST || kind == NameMemo.FIRST_VS_LAST
                        || kind == NameMemo.FIRST_AS_LAST;
                boolean rosterFirst = kind == NameMemo.FIRST || kind == NameMemo.LAST_VS_FIRST
                        || kind == NameMemo.LAST_AS_FIRST;
                boolean asFirst = kind == NameMemo.FIRST || kind == NameMemo.FIRST_VS_LAST
                        || kind == NameMemo.LAST_AS_FIRST;
                RosterIndex.NameDict d = rosterFirst ? index.firstDict : index.lastDict;
                String sent = sentFirst ? p.first : p.last;
                // the candidates' names, and the sent text's own code in that dictionary, if it has one
                int own = d.code(sent);
                for (int i = -1; i < s.count; i++) {
                    int code = i < 0 ? own : rosterFirst ? index.first(s.rows[i]) : index.last(s.rows[i]);
                    if (code < 0) {
                        continue;
                    }
                    String roster2 = d.values[code];
                    int expected = asFirst ? Comparisons.firstNameLevel(sent, roster2)
                            : Comparisons.lastNameLevel(sent, roster2);
                    String pair = "kind " + kind + ", code " + code;
                    assertEquals(expected, NameMemo.level(null, kind, code, p, index), pair);
                    assertEquals(expected, memo.level(kind, code, p, index), pair + " (remembered)");
                    compared++;
                    if (sent.equals(roster2)) {
                        sameText++;
                        sameTextCrosswise += sentFirst != rosterFirst ? 1 : 0;
                    }
                }
            }
        }
        assertTrue(compared > 100_000, "name pairs compared: " + compared);
        assertTrue(sameText > 1_000, "pairs of the same text: " + sameText);
        assertTrue(sameTextCrosswise > 100, "a sent name that is a roster name of the other kind: " + sameTextCrosswise);
    }
}
