package org.credentialhub.matching;

import java.time.LocalDate;

/**
 * One student of the state roster, as handed to {@link RosterIndex}.
 *
 * @param id          the roster's own numeric key (returned in decisions)
 * @param stateIdHash the state student ID as an opaque string, normally {@link org.credentialhub.support.Hmac#stateId(String)} of the raw ID;
 *                    compared by equality only; may be null
 * @param firstName   given name, may be null
 * @param lastName    surname, may be null
 * @param birthDate   birth date, may be null
 * @param school      school code or name, may be null
 * @param district    district code or name, may be null
 * @param stateIdNear the state ID's deletion neighbourhood as keyed hashes
 *                    ({@link org.credentialhub.support.Hmac#stateIdNear(String)}), for recognising IDs one digit off;
 *                    may be null
 */
public record RosterRecord(long id, String stateIdHash, String firstName, String lastName, LocalDate birthDate,
                           String school, String district, String stateIdNear) {

    /** A student without the ID's neighbourhood (IDs one digit off are then not recognised). */
    public RosterRecord(long id, String stateIdHash, String firstName, String lastName, LocalDate birthDate,
                        String school, String district) {
        this(id, stateIdHash, firstName, lastName, birthDate, school, district, null);
    }

    /** Never prints identifying values (FERPA-minimal). */
    @Override
    public String toString() {
        return "RosterRecord[id=" + id + "]";
    }
}
