package org.credentialhub.sis;

import org.apache.commons.text.similarity.LevenshteinDistance;
import org.credentialhub.sis.OneRosterSpec.Col;
import org.credentialhub.sis.OneRosterSpec.Kind;

import java.util.List;
import java.util.Locale;

/**
 * Maps a file's header onto the columns of its OneRoster version: exact names, 1.0 names and other
 * spellings (with a warning), the extension columns the hub reads ({@code metadata.<anything>.economicallyDisadvantaged}
 * and the other program-participation flags of demographics.csv), other extension columns (ignored); an unknown or
 * repeated column is an error.
 */
final class HeaderColumns {
    private HeaderColumns() {
    }

    /** Maps the header onto the version's columns; returns the index of the last named column. */
    static int map(String[] header, List<Col> cols, int[] index, String file, String version,
                                  Problems problems) {
        int lastNamed = -1;
        for (int i = 0; i < header.length; i++) {
            String h = (i == 0 ? CsvFiles.stripBom(header[i]) : header[i]).trim();
            if (h.isEmpty()) {
                problems.error(file, 1, null, "column " + (i + 1) + " of the header has no name");
                continue;
            }
            lastNamed = i;
            if (h.startsWith("metadata.")) {
                int c = extension(cols, h);
                if (c >= 0 && index[c] >= 0) {
                    problems.error(file, 1, h, "a second column for " + cols.get(c).name()
                            + " (column " + (index[c] + 1) + " gives it already)");
                } else if (c >= 0) {
                    index[c] = i;
                }
                continue;   // other extension columns never matter
            }
            if (h.startsWith("ext_")) {
                continue;   // extension columns never matter
            }
            int c = indexOf(cols, h, false, false);
            if (c >= 0) {
                if (index[c] >= 0) {
                    problems.error(file, 1, h, "the column appears twice");
                } else {
                    index[c] = i;
                }
                continue;
            }
            c = indexOf(cols, h, true, false);
            if (c >= 0 && index[c] < 0) {
                problems.warning(file, 1, h, "is the OneRoster 1.0 name of " + cols.get(c).name() + "; read as that");
                index[c] = i;
                continue;
            }
            c = indexOf(cols, h, true, true);
            if (c < 0) {
                c = indexOf(cols, h, false, true);
            }
            if (c >= 0 && index[c] < 0) {
                problems.warning(file, 1, h, "read as " + cols.get(c).name() + " (the standard's spelling)");
                index[c] = i;
                continue;
            }
            String suggestion = closest(h, cols);
            problems.error(file, 1, h, "unknown column in OneRoster " + version + " " + file
                    + (suggestion == null ? "" : "; did you mean " + suggestion + "?")
                    + " (extension columns start with ext_ or metadata.)");
        }
        for (int i = 0; i < cols.size(); i++) {
            if (index[i] < 0 && !cols.get(i).required() && cols.get(i).kind() != Kind.PROGRAM) {
                problems.warning(file, 1, cols.get(i).name(), "missing column: read as empty");
            }
        }
        return lastNamed;
    }

    /** The program-participation column an extension column {@code metadata.<anything>.<name>} gives, or -1. */
    private static int extension(List<Col> cols, String h) {
        String last = h.substring(h.lastIndexOf('.') + 1);
        for (int i = 0; i < cols.size(); i++) {
            if (cols.get(i).kind() == Kind.PROGRAM
                    && cols.get(i).values().stream().anyMatch(n -> n.equalsIgnoreCase(last))) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(List<Col> cols, String h, boolean alias, boolean ignoreCase) {
        for (int i = 0; i < cols.size(); i++) {
            if (cols.get(i).kind() == Kind.PROGRAM) {
                continue;   // only ever an extension column
            }
            String n = alias ? cols.get(i).alias() : cols.get(i).name();
            if (n != null && (ignoreCase ? n.equalsIgnoreCase(h) : n.equals(h))) {
                return i;
            }
        }
        return -1;
    }

    private static String closest(String h, List<Col> cols) {
        LevenshteinDistance lev = new LevenshteinDistance(3);
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (Col c : cols) {
            if (c.kind() == Kind.PROGRAM) {
                continue;
            }
            int d = lev.apply(h.toLowerCase(Locale.ROOT), c.name().toLowerCase(Locale.ROOT));
            if (d >= 0 && d < bestD) {
                bestD = d;
                best = c.name();
            }
        }
        return best;
    }
}
