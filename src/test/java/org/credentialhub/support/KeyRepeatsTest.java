package org.credentialhub.support;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whether a file's attempt keys may repeat: a repeat is always seen, distinct keys are told apart. */
class KeyRepeatsTest {

    @Test
    void aRepeatedKeyAnywhereInAMillionIsSeenAndDistinctKeysAreNot() {
        KeyRepeats distinct = new KeyRepeats();
        KeyRepeats repeated = new KeyRepeats();
        for (int i = 0; i < 1_000_000; i++) {
            String key = "NC" + (1_000_000 + i) + "|00101-NC";
            distinct.add(key);
            repeated.add(key);
        }
        repeated.add("NC1654321|00101-NC");
        assertFalse(distinct.mayRepeat(), "a million distinct keys");
        assertTrue(repeated.mayRepeat(), "one key given twice, far apart");
    }

    @Test
    void keysThatDifferByOneCharacterOrTheirOrderHashApartAndMissingKeysAreOneKey() {
        assertNotEquals(KeyRepeats.hash("ab"), KeyRepeats.hash("ba"));
        assertNotEquals(KeyRepeats.hash("NC1001|00101-NC"), KeyRepeats.hash("NC1001|00102-NC"));
        assertNotEquals(KeyRepeats.hash(""), KeyRepeats.hash("\0"));
        KeyRepeats keys = new KeyRepeats();
        keys.add(null);
        keys.add("x");
        assertFalse(keys.mayRepeat());
        keys.add(null);
        assertTrue(keys.mayRepeat(), "rows without a key are one attempt, as distinct on groups them");
        assertFalse(new KeyRepeats().mayRepeat(), "no rows");
    }

    @Test
    void keysAddedAfterTheQuestionAreCheckedWithTheEarlierOnes() {
        KeyRepeats keys = new KeyRepeats();
        for (int i = 0; i < 100_000; i++) {
            keys.add("enr-" + i);
        }
        assertFalse(keys.mayRepeat());
        assertFalse(keys.mayRepeat(), "asked again");
        keys.add("enr-100000");
        assertFalse(keys.mayRepeat(), "a new key after the question");
        keys.add("enr-0");
        assertTrue(keys.mayRepeat(), "the first key again, after the question");
        assertTrue(keys.mayRepeat(), "and it stays so");
    }
}
