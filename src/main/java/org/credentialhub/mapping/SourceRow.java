package org.credentialhub.mapping;

/** One record of a source file: its row number and its values by column name. */
public interface SourceRow {
    int rowNumber();

    /** The raw value of a column, or null when the record has no such column. */
    String get(String column);

    /** Why the record as a whole is malformed (wrong number of fields...), or null when it is not. */
    default String structuralProblem() {
        return null;
    }

    /** The part of the file the record is in (a workbook's sheet), or null for files of one part. */
    default String part() {
        return null;
    }

    /** The record's row within its part (a sheet's own row number); its row number for one-part files. */
    default int partRow() {
        return rowNumber();
    }

    /** Where the record is when its row number alone does not say it (a workbook's sheet and row), or null. */
    default String location() {
        return null;
    }

    /** A record of a one-part file: its row number, how a column's value is found, and what is wrong with it (or null). */
    static SourceRow of(int row, java.util.function.Function<String, String> values, String structuralProblem) {
        return new SourceRow() {
            @Override
            public int rowNumber() {
                return row;
            }

            @Override
            public String get(String column) {
                return values.apply(column);
            }

            @Override
            public String structuralProblem() {
                return structuralProblem;
            }

            @Override
            public String toString() {
                return "row " + row;
            }
        };
    }
}
