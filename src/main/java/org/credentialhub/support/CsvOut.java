package org.credentialhub.support;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Every CSV the hub writes for people (the exception queue export, report tables, report traces): RFC 4180
 * through commons-csv (CRLF, quoted only where needed) with spreadsheet formulas defused. A cell that a
 * spreadsheet would run ({@code = + - @}, tab or CR first) gets a leading apostrophe, unless it is a plain
 * number such as {@code -12}, {@code 1,234} or {@code -2.5%}.
 */
public final class CsvOut {
    public static final CSVFormat FORMAT = CSVFormat.RFC4180;

    private static final Pattern PLAIN_NUMBER = Pattern.compile("-?[\\d.,]+%?");

    private final StringBuilder out = new StringBuilder();
    private final CSVPrinter printer;

    public CsvOut() {
        try {
            printer = new CSVPrinter(out, FORMAT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds one record; null cells are empty. */
    public CsvOut row(Iterable<?> cells) {
        List<String> safe = new ArrayList<>();
        for (Object c : cells) {
            safe.add(defuse(c == null ? "" : String.valueOf(c)));
        }
        try {
            printer.printRecord(safe);
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // a StringBuilder does not fail
        }
        return this;
    }

    /** Adds one record. */
    public CsvOut row(Object... cells) {
        return row(Arrays.asList(cells));
    }

    @Override
    public String toString() {
        return out.toString();
    }

    /** The cell as a spreadsheet shows it, never as a formula it runs. */
    public static String defuse(String cell) {
        if (!cell.isEmpty() && "=+-@\t\r".indexOf(cell.charAt(0)) >= 0 && !PLAIN_NUMBER.matcher(cell).matches()) {
            return "'" + cell;
        }
        return cell;
    }
}
