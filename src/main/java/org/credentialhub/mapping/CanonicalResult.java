package org.credentialhub.mapping;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;

/**
 * One attempt as the hub understands it, whatever layout it came in.
 *
 * @param row        the record's row in the source (header included), for lineage and acknowledgements
 * @param attemptKey the feed's natural key of the attempt (a re-delivery of the same attempt updates it)
 * @param sourceRef  the record's own id in its source (API records), or null
 * @param nameHash   the whole name as the vendor hashed it with a salt, or null
 * @param birthDateHash the birth date as the vendor hashed it with a salt, or null
 * @param examIds    further identifiers of what was earned, any of which the catalog may know (may be empty)
 * @param heldUntil  a credential not yet valid: counted from this time on; or null
 * @param statusEntries the credential's status entries the hub re-checks (may be empty)
 * @param award      a postsecondary credit award's institution, program and credit hours (award layouts), or null
 */
public record CanonicalResult(
        int row,
        String attemptKey,
        String vendorCandidateId,
        String stateStudentId,
        String firstName,
        String lastName,
        String email,
        LocalDate birthDate,
        String districtCode,
        String schoolCode,
        String schoolName,
        String examCode,
        String examName,
        LocalDate attemptedOn,
        OffsetDateTime attemptedAt,
        boolean passed,
        BigDecimal score,
        String certificateNumber,
        String credentialCode,
        boolean revoked,
        boolean pending,
        String evidenceFile,
        String sourceRef,
        Hashed nameHash,
        Hashed birthDateHash,
        java.util.List<String> examIds,
        OffsetDateTime heldUntil,
        java.util.List<String> statusEntries,
        Award award) {

    /** What a credit award adds to a result: who awarded the credit, in which program, how many credit hours. */
    public record Award(String institution, String program, BigDecimal creditHours) { }

    /** An identity hash as sent ({@code sha256$<hex>}) and its salt (may be null). Never printed. */
    public record Hashed(String hash, String salt) {
        @Override
        public String toString() {
            return "Hashed";
        }
    }
}
