package org.credentialhub.matching;

/** What the matcher decided for one result row. */
public enum Outcome {
    /** Auto-match: the row belongs to {@link Decision#rosterId()}. */
    MATCH,
    /** A person must look at the listed candidates. */
    REVIEW,
    /** No roster student is a plausible match. */
    NONE
}
