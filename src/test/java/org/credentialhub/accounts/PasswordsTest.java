package org.credentialhub.accounts;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Argon2id hashes at the configured cost; a stored hash verifies at its own cost, whatever the configured one is. */
class PasswordsTest {

    @Test
    void newHashesTakeTheConfiguredCostAndTheDefaultIsOwasps() {
        Passwords byDefault = Passwords.configured((key, fallback) -> fallback);
        assertTrue(byDefault.hash("a long passphrase").startsWith("$argon2id$v=19$m=19456,t=2,p=1$"));
        assertFalse(byDefault.belowRecommendation());
        Map<String, Integer> set = Map.of("hub.web.password.argon2.memory-kb", 64, "hub.web.password.argon2.iterations", 1);
        Passwords cheap = Passwords.configured((key, fallback) -> set.getOrDefault(key, fallback));
        assertTrue(cheap.hash("a long passphrase").startsWith("$argon2id$v=19$m=64,t=1,p=1$"));
        assertTrue(cheap.belowRecommendation());
    }

    @Test
    void aStoredHashVerifiesAtItsOwnCost() {
        Passwords cheap = new Passwords(64, 1, 1);
        // stored at OWASP's cost, checked by a hub configured with another
        String strong = Passwords.owasp().hash("correct horse battery");
        assertTrue(cheap.verify("correct horse battery", strong));
        assertFalse(cheap.verify("correct horse batterY", strong));
        String weak = cheap.hash("correct horse battery");
        assertTrue(cheap.verify("correct horse battery", weak));
        assertFalse(cheap.verify("correct horse batterY", weak));
        assertFalse(cheap.verify("correct horse battery", null));
        assertFalse(cheap.verify("correct horse battery", "$2a$10$notargon"));
    }

    @Test
    void owaspsEquivalentCostsAreNotBelowItAndLessIs() {
        for (int[] mt : new int[][]{{47104, 1}, {19456, 2}, {12288, 3}, {9216, 4}, {7168, 5}}) {
            assertFalse(new Passwords(mt[0], mt[1], 1).belowRecommendation(), mt[0] + "/" + mt[1]);
        }
        assertTrue(new Passwords(19456, 1, 1).belowRecommendation());
        assertTrue(new Passwords(4096, 10, 1).belowRecommendation());
    }

    @Test
    void anImpossibleCostNamesTheSettings() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Passwords(4, 1, 1));
        assertTrue(e.getMessage().contains("hub.web.password.argon2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Passwords(64, 0, 1));
        assertEquals(16, Passwords.generate().length());
    }
}
