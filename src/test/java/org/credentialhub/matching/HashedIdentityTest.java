package org.credentialhub.matching;

import org.credentialhub.support.Hmac;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole names split as the matcher compares them; salted identity hashes compared against candidates' values. */
class HashedIdentityTest {

    @Test
    void wholeNamesSplitIntoFirstAndLast() {
        assertArrayEquals(new String[] {"Ana", "Peña"}, Names.split("Ana Peña"));
        assertArrayEquals(new String[] {"Ana", "Peña"}, Names.split("Peña, Ana"));
        assertArrayEquals(new String[] {"Ana", "de la Cruz"}, Names.split("Ana María de la Cruz"));
        assertArrayEquals(new String[] {"Marcus", "Whitfield"}, Names.split("Marcus J Whitfield Jr."));
        assertArrayEquals(new String[] {null, "Whitfield"}, Names.split("Whitfield"));
        assertArrayEquals(new String[2], Names.split("  "));
    }

    @Test
    void aSaltedHashIsTheSpecsSha256OfValueAndSalt() {
        // sha256("Ana Peña" + "s5"), as the OB 3.0 spec forms identityHash; computed here independently
        String expected = org.credentialhub.mapping.LayoutFiles.sha256("Ana Peña" + "s5");
        assertEquals(expected, Hmac.SaltedHash.of("Ana Peña", "s5"));
        Hmac.SaltedHash h = Hmac.SaltedHash.parse(expected, "s5");
        assertTrue(h.matches("Ana Peña"));
        assertFalse(h.matches("Ana Pena"));
        assertTrue(HashedIdentity.nameAgrees(h, "ANA", "PEÑA"), "the roster's case does not matter");
        assertTrue(HashedIdentity.nameAgrees(Hmac.SaltedHash.parse(Hmac.SaltedHash.of("pena, ana", "x"), "x"), "Ana", "Peña"));
        assertTrue(HashedIdentity.birthAgrees(Hmac.SaltedHash.parse(Hmac.SaltedHash.of("05/01/2007", "x"), "x"),
                LocalDate.of(2007, 5, 1)));
        assertNull(Hmac.SaltedHash.parse("sha256$abc", "s"), "too short to be a SHA-256");
        assertFalse(Hmac.SaltedHash.isIdentityHash("Ana Peña"));
        assertEquals("SaltedHash", h.toString(), "never prints the hash");
    }

    @Test
    void hashedNameAndBirthDateThatContradictTheIdDistrustIt() {
        RosterIndex index = RosterIndex.build(List.of(
                new RosterRecord(1, "idA", "Ana", "Peña", LocalDate.of(2007, 5, 1), "s1", "d1"),
                new RosterRecord(2, "idB", "Marcus", "Whitfield", LocalDate.of(2008, 2, 14), "s1", "d1")));
        Map<Long, RosterRecord> plain = Map.of(
                1L, new RosterRecord(1, null, "Ana", "Peña", LocalDate.of(2007, 5, 1), null, null),
                2L, new RosterRecord(2, null, "Marcus", "Whitfield", LocalDate.of(2008, 2, 14), null, null));
        List<ResultRecord> batch = new ArrayList<>(List.of(
                new ResultRecord(10, null, "idA", null, null, null, null, null),
                new ResultRecord(11, null, "idA", null, null, null, null, null),
                new ResultRecord(12, null, "idA", null, null, null, null, null)));
        Map<Long, HashedIdentity.Sent> sent = Map.of(
                10L, sent("Marcus Whitfield", "2008-02-14"),
                11L, sent("Ana Peña", "2007-05-01"),
                12L, sent("Anna Pena", "2007-05-01"));
        HashedIdentity.Counts c = HashedIdentity.resolve(index, batch, sent, 2000, ids -> plain);
        assertEquals(new HashedIdentity.Counts(3, 2, 1), c);
        assertNull(batch.get(0).stateIdHash(), "another student's name and birth date: the ID is not trusted");
        assertEquals("Ana", batch.get(1).firstName());
        assertEquals(LocalDate.of(2007, 5, 1), batch.get(1).birthDate());
        assertNull(batch.get(2).firstName(), "a name that does not agree is not taken");
        assertEquals(LocalDate.of(2007, 5, 1), batch.get(2).birthDate(), "the birth date corroborates the ID");
    }

    private static HashedIdentity.Sent sent(String name, String birth) {
        return HashedIdentity.Sent.of(Hmac.SaltedHash.of(name, "n"), "n", Hmac.SaltedHash.of(birth, "b"), "b");
    }
}
