package org.credentialhub.sis;

/**
 * One problem found in a OneRoster bundle: where (file, line, column) and what, never the offending value
 * when it may be personal data. An {@code error} refuses the whole bundle; a {@code warning} records how the
 * hub read something that was not quite standard but unambiguous.
 *
 * @param line the file's line (1 = header), 0 for the file as a whole
 */
public record Problem(Severity severity, String file, int line, String column, String message) {

    public enum Severity { ERROR, WARNING }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** {@code file:column} as recorded in {@code delivery_problem.field}. */
    public String field() {
        return column == null ? file : file + ":" + column;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(severity == Severity.ERROR ? "error: " : "warning: ");
        sb.append(file == null ? "bundle" : file);
        if (line > 0) {
            sb.append(" line ").append(line);
        }
        if (column != null) {
            sb.append(" column ").append(column);
        }
        return sb.append(": ").append(message).toString();
    }
}
