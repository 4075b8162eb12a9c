package org.credentialhub.matching;

import java.time.LocalDate;

/**
 * One vendor result row (an exam attempt) to be matched to a roster student.
 *
 * @param id           the caller's key for this row (echoed in {@link Decision#resultId()})
 * @param groupKey     attempt/group key for one-to-one assignment within a batch (e.g. vendor + exam + attempt date):
 *                     among rows with the same non-null group key, a roster student can be auto-matched at most once.
 *                     Null means the row takes part in no such constraint.
 * @param stateIdHash  state student ID as an opaque string (same hashing as the roster); may be null
 * @param firstName    may be null
 * @param lastName     may be null
 * @param birthDate    may be null
 * @param school       may be null
 * @param district     may be null
 * @param candidateKey the vendor's own candidate id, looked up in the {@link Crosswalk} (tier 3); may be null
 * @param stateIdNear  the sent state ID's deletion neighbourhood as keyed hashes
 *                     ({@link org.credentialhub.support.Hmac#stateIdNear(String)}); may be null (then an ID one digit
 *                     off is recognised only when it lands on another student's ID)
 */
public record ResultRecord(long id, String groupKey, String stateIdHash, String firstName, String lastName,
                           LocalDate birthDate, String school, String district, String candidateKey,
                           String stateIdNear) {

    /** The same row under another id. */
    public ResultRecord withId(long newId) {
        return new ResultRecord(newId, groupKey, stateIdHash, firstName, lastName, birthDate, school, district,
                candidateKey, stateIdNear);
    }

    /** A result row without the ID's neighbourhood. */
    public ResultRecord(long id, String groupKey, String stateIdHash, String firstName, String lastName,
                        LocalDate birthDate, String school, String district, String candidateKey) {
        this(id, groupKey, stateIdHash, firstName, lastName, birthDate, school, district, candidateKey, null);
    }

    /** A result row without vendor candidate key. */
    public ResultRecord(long id, String groupKey, String stateIdHash, String firstName, String lastName,
                        LocalDate birthDate, String school, String district) {
        this(id, groupKey, stateIdHash, firstName, lastName, birthDate, school, district, null, null);
    }

    /** Never prints identifying values (FERPA-minimal). */
    @Override
    public String toString() {
        return "ResultRecord[id=" + id + "]";
    }
}
