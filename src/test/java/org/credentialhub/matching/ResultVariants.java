package org.credentialhub.matching;

/** Result rows varied for the matching tests: the same row with other names (swapped, one left out). */
final class ResultVariants {
    private ResultVariants() {
    }

    /** {@code r} with first name {@code first} and last name {@code last} (null: not sent), all else the same. */
    static ResultRecord withNames(ResultRecord r, String first, String last) {
        return new ResultRecord(r.id(), r.groupKey(), r.stateIdHash(), first, last, r.birthDate(), r.school(),
                r.district(), r.candidateKey(), r.stateIdNear());
    }
}
