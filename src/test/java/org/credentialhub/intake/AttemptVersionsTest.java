package org.credentialhub.intake;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a re-delivered attempt names another person or exam (synthetic names, no database). */
class AttemptVersionsTest {
    private static final LocalDate BORN = LocalDate.of(2007, 5, 1);

    private static boolean changes(String idA, String firstA, String lastA, LocalDate birthA, String examA,
                                   String idB, String firstB, String lastB, LocalDate birthB, String examB) {
        return AttemptVersions.changes(idA, firstA, lastA, birthA, examA, idB, firstB, lastB, birthB, examB);
    }

    @Test
    void anotherPersonOrExamIsANewVersion() {
        assertTrue(changes("h1", "Ana", "Pena", BORN, "X1", "h2", "Cara", "Lopez", LocalDate.of(2007, 11, 23), "X1"));
        assertTrue(changes(null, "Ana", "Pena", BORN, "X1", null, "Cara", "Lopez", null, "X1"), "names alone");
        assertTrue(changes(null, "Ana", "Pena", BORN, "X1", null, "Ana", "Pena", LocalDate.of(2009, 2, 17), "X1"),
                "birth date alone");
        assertTrue(changes(null, "Ana", "Pena", BORN, "X1", null, "Ana", "Pena", BORN, "X2"), "another exam");
        assertTrue(changes("h1", null, null, null, "X1", "h2", null, null, null, "X1"), "only IDs to compare");
        assertTrue(changes(null, "Ana", "Pena", BORN, "X1", null, "Zoe", "Pena", BORN, "X1"), "a twin");
    }

    @Test
    void theSamePersonCorrectedIsTheSameVersion() {
        assertFalse(changes(null, "ANA", "PEÑA", BORN, "X1", "h1", "Ana", "Pena", BORN, "X1"), "case, accents, ID filled in");
        assertFalse(changes("h9", "Ana", "Pena", BORN, "X1", "h1", "Ana", "Pena", BORN, "X1"), "a mistyped ID fixed");
        assertFalse(changes(null, "Pena", "Ana", BORN, "X1", null, "Ana", "Pena", BORN, "X1"), "swapped names");
        assertFalse(changes(null, "Bob", "Smith", BORN, "X1", null, "Robert", "Smith", BORN, "X1"), "nickname");
        assertFalse(changes(null, "Ana", "Pnea", BORN, "X1", null, "Ana", "Pena", BORN, "X1"), "a typo");
        // a short surname with two letters swapped scores 0.60 by Jaro-Winkler; one typing mistake is still the same
        // person (seen at full scale: an ID filled in and "Rya" fixed to "Ray" was held as another person)
        assertFalse(changes(null, "Emma", "Rya", BORN, "X1", "h1", "Emma", "Ray", BORN, "X1"), "short surname, swap");
        assertFalse(changes(null, "Ian", "Cole", BORN, "X1", null, "Ina", "Cole", BORN, "X1"), "short first name, swap");
        assertFalse(changes(null, "Ana", "Pena", LocalDate.of(2007, 1, 5), "X1", null, "Ana", "Pena", BORN, "X1"),
                "day and month swapped");
        assertFalse(changes(null, "Ana", "Pena", BORN.plusYears(1), "X1", null, "Ana", "Pena", BORN, "X1"), "year off");
        assertFalse(changes(null, "Ana", "Pena", null, "X1", null, "Ana", "Pena", BORN, "X1"), "birth date added");
    }
}
