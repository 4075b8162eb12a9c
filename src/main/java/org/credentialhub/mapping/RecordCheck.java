package org.credentialhub.mapping;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * Checks the records of a JSON source that are verifiable credentials of a standard (a mapping's
 * {@code source.standard}) before they are mapped: one source record may stand for several credentials (a CLR
 * wraps achievement credentials), and each gets a verdict. A refused credential is a row rejection with the
 * reason; an accepted one adds the verdict's columns ({@link #COLUMNS}) to its record for the mapping to read.
 * The implementation lives in {@code org.credentialhub.standards}.
 */
public interface RecordCheck {
    /** {@code verification}: valid, expired, not-yet-valid or revoked. */
    String VERIFICATION = "verification";
    /** {@code heldUntil}: when a credential not yet valid becomes valid (ISO offset date-time), else blank. */
    String HELD_UNTIL = "heldUntil";
    /** {@code statusEntries}: the credential's status entries the hub re-checks, one a line, else blank. */
    String STATUS_ENTRIES = "statusEntries";
    List<String> COLUMNS = List.of(VERIFICATION, HELD_UNTIL, STATUS_ENTRIES);

    /** The credentials one source record stands for, in order, each with its verdict. */
    List<Checked> check(JsonNode record);

    /**
     * One credential and what the check found.
     *
     * @param credential the credential the mapping's paths read
     * @param rejection  why it is refused (no personal data), or null
     * @param columns    the verdict's columns ({@link #COLUMNS})
     * @param location   where it sits when the record's number alone does not say it (a CLR's wrapped credential), or null
     */
    record Checked(JsonNode credential, String rejection, Map<String, String> columns, String location) {
        public static Checked refused(JsonNode credential, String why, String location) {
            return new Checked(credential, why, Map.of(), location);
        }
    }

    /** Gives a feed's check: the feed's policy (proofs, keys) applied to the standard its mapping names. */
    interface Factory {
        RecordCheck forFeed(String feed, String standard);
    }
}
