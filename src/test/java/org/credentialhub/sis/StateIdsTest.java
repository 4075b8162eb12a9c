package org.credentialhub.sis;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A state student ID is a {@code userIds} entry whose type is one of the state's, compared in lower case and by its
 * letters and digits alone, else the {@code identifier}.
 */
class StateIdsTest {
    private final StateIds ids = new StateIds(OneRosterImport.defaultStateIdTypes());

    @Test
    void aTypeIsComparedInLowerCaseByItsLettersAndDigits() {
        for (String type : List.of("state", "State ID", "STATE-ID", "ssid", "state_student_id", " State.Identifier ")) {
            assertEquals("123", of("{LDAP:9},{" + type + ":123}", "L1"), type);
        }
        for (String type : List.of("district", "statex", "st ate x", "ÉTAT")) {
            assertEquals("L1", of("{" + type + ":123}", "L1"), type);
        }
        assertEquals(null, of("{district:4}", ""));
    }

    private String of(String userIds, String identifier) {
        return ids.of(userIds, identifier, "users.csv", 2, new Problems());
    }
}
