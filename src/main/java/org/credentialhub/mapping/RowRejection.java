package org.credentialhub.mapping;

/**
 * Why one row was not taken: its row number, the source field, and a reason that never repeats the
 * value itself (it may be personal data).
 */
public record RowRejection(int row, String field, String reason) {
}
