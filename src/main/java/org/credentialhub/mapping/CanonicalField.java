package org.credentialhub.mapping;

import java.util.Arrays;
import java.util.Optional;

/** The fields of the canonical result that a mapping can fill, with the type each one holds. */
public enum CanonicalField {
    VENDOR_CANDIDATE_ID(Type.TEXT),
    STATE_STUDENT_ID(Type.TEXT),
    FIRST_NAME(Type.TEXT),
    LAST_NAME(Type.TEXT),
    /**
     * The whole name in one value ({@code Ana Peña}, {@code Peña, Ana}; an Open Badges identifier of type name): split
     * into first and last name ({@code matching.Names#split}) where the mapping gives no first or last name.
     */
    FULL_NAME(Type.TEXT),
    EMAIL(Type.TEXT),
    BIRTH_DATE(Type.DATE),
    /** The whole name as a vendor hashed it with a salt (Open Badges {@code hashed: true}): see {@link Type#HASH}. */
    NAME_HASH(Type.HASH),
    /** The birth date (ISO {@code yyyy-MM-dd}) as a vendor hashed it with a salt: see {@link Type#HASH}. */
    BIRTH_DATE_HASH(Type.HASH),
    DISTRICT_CODE(Type.TEXT),
    SCHOOL_CODE(Type.TEXT),
    SCHOOL_NAME(Type.TEXT),
    EXAM_CODE(Type.TEXT),
    EXAM_NAME(Type.TEXT),
    /**
     * Further identifiers of what was earned, any of which the state catalog may know (an Open Badges achievement's
     * id, alignment target codes and URLs, a CTDL CTID): the catalog's credential is the first that it knows, after
     * the exam code. One value a line (a json column with {@code all: true}).
     */
    EXAM_IDS(Type.TEXT_LIST),
    /** A credential not yet valid: kept, not counted until this time, then counted (as its attempt date says). */
    HELD_UNTIL(Type.DATE_OR_DATETIME),
    /** The credential's status entries (revocation lists) the hub re-checks: {@code org.credentialhub.standards}. */
    STATUS_ENTRIES(Type.TEXT_LIST),
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
    EVIDENCE_FILE(Type.TEXT),
    /**
     * A postsecondary credit award (a layout that maps these three is an award layout; docs/mappings.md): the
     * institution that awarded the credit, its program, and the credit hours awarded for {@code credential_code}.
     */
    INSTITUTION(Type.TEXT),
    PROGRAM(Type.TEXT),
    CREDIT_HOURS(Type.DECIMAL);

    /** The fields of a credit award, all required in an award layout. */
    public static final java.util.Set<CanonicalField> AWARD = java.util.EnumSet.of(INSTITUTION, PROGRAM, CREDIT_HOURS);

    /**
     * {@code HASH}: an identity hash, {@code sha256$<hex>} (or {@code md5$<hex>}) of the value followed by the salt
     * that the field's {@code salt} column holds; compared by hashing the roster candidates' values the same way.
     */
    public enum Type { TEXT, TEXT_LIST, DATE, DATE_OR_DATETIME, BOOLEAN, DECIMAL, HASH }

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
