package org.credentialhub.matching;

/** A result row prepared for comparison against one roster index (normalised values, dictionary codes). */
final class Probe {
    /** Code meaning "value present but not in the roster dictionary". */
    static final int UNKNOWN = -2;
    /** Code meaning "value missing". */
    static final int MISSING = -1;

    String first;
    String last;
    int firstCode;
    int lastCode;
    /** The names' letters ({@link Comparisons#letters}) and nickname groups ({@link Names#nicknameGroups}). */
    long firstLetters;
    long lastLetters;
    long[] firstNick;
    long[] lastNick;
    /** The first name's code among the roster's last names, and the last name's among its first names (names swapped). */
    int firstAsLastCode;
    int lastAsFirstCode;
    /**
     * Bounds of the first and last name's weight against a roster name that is not the sent one, for the weights
     * {@link #otherBoundsOf} (set by {@link MatchWeights#nameBound} when first needed).
     */
    double firstOtherBound;
    double lastOtherBound;
    MatchWeights otherBoundsOf;
    long firstPh;
    long lastPh;
    int dob;
    /** {@link #dob} as packed decimal digits ({@link Comparisons#bcd}). */
    int dobBcd;
    int school;
    /** The sent school, normalised ({@link Names#normalizePlace}), or null: compared for one typing mistake. */
    String schoolValue;
    /** {@link #schoolValue} packed for comparison ({@link Comparisons#packSchool}). */
    long schoolPacked;
    int district;
    long idFp;
    /** The sent ID's deletion neighbourhood as sent ({@link org.credentialhub.support.Hmac#stateIdNear}), or null. */
    String nearText;
    private long[] near;
    private boolean nearParsed;

    /**
     * The sent ID's deletion neighbourhood (keyed hashes by position), or null; parsed when first read (most rows
     * with an ID are decided by it without looking for IDs one edit away). Read by one thread.
     */
    long[] near() {
        if (!nearParsed) {
            near = StateIdIndex.parseNear(nearText);
            nearParsed = true;
        }
        return near;
    }
}
