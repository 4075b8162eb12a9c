package org.credentialhub.mapping;

import java.util.Arrays;
import java.util.Optional;

/** The fields of the canonical result that a mapping can fill, with the type each one holds. */
public enum CanonicalField {
    VENDOR_CANDIDATE_ID(Type.TEXT),
    STATE_STUDENT_ID(Type.TEXT),
    FIRST_NAME(Type.TEXT),
    LAST_NAME(Type.TEXT),
    EMAIL(Type.TEXT),
    BIRTH_DATE(Type.DATE),
    DISTRICT_CODE(Type.TEXT),
    SCHOOL_CODE(Type.TEXT),
    SCHOOL_NAME(Type.TEXT),
    EXAM_CODE(Type.TEXT),
    EXAM_NAME(Type.TEXT),
    ATTEMPTED_AT(Type.DATE_OR_DATETIME),
    PASSED(Type.BOOLEAN),
    SCORE(Type.DECIMAL),
    CERTIFICATE_NUMBER(Type.TEXT),
    /** The state catalog's credential code, when the source names it itself (district entry). */
    CREDENTIAL_CODE(Type.TEXT),
    /** True when the source withdraws the result (a revoked badge): the result is retracted. */
    REVOKED(Type.BOOLEAN),
    /**
     * True while the source has awarded the result but it is not final yet (a badge the student has not
     * accepted): kept as an attempt, counted once a later delivery says it is no longer pending.
     */
    PENDING(Type.BOOLEAN),
    /** District entry: the name of the evidence file uploaded with the row. */
    EVIDENCE_FILE(Type.TEXT);

    public enum Type { TEXT, DATE, DATE_OR_DATETIME, BOOLEAN, DECIMAL }

    private final Type type;

    CanonicalField(Type type) {
        this.type = type;
    }

    public Type type() {
        return type;
    }

    public String key() {
        return name().toLowerCase();
    }

    public static Optional<CanonicalField> byKey(String key) {
        return Arrays.stream(values()).filter(f -> f.key().equals(key)).findFirst();
    }
}
