package org.credentialhub.generate;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * How one vendor lays out its flat files (docs/vendor-layouts.md): its folder, the name a delivery gives a file,
 * the encoding, how a line's values are written, the header, a result's line and the trailer. A vendor is one of
 * these; {@link Feeds} writes the files of any of them.
 *
 * @param feed    the feed, as the ledger names it
 * @param folder  the feed's folder below the output
 * @param prefix  a file's name before its delivery date (or number)
 * @param dates   how the delivery date is written in the name (null: the files are numbered)
 * @param suffix  a file's name after the date
 * @param header  the header's values, for the delivery date
 * @param row     a result's values
 * @param trailer the trailer's values, for the number of results the delivery holds (null: no trailer)
 */
record FlatLayout(String feed, String folder, String prefix, DateTimeFormatter dates, String suffix,
                  Charset charset, boolean bom, Lines lines, Function<LocalDate, List<?>> header,
                  Function<Feeds.Line, List<?>> row, IntFunction<List<?>> trailer) {

    /** How the values of a line become text. */
    interface Lines {
        LineWriter open(Writer w) throws IOException;
    }

    /** Writes lines of values to one file. */
    interface LineWriter extends Closeable {
        void write(List<?> values) throws IOException;
    }

    /** CSV lines (quoted where needed). */
    static Lines csv(CSVFormat format) {
        return w -> {
            CSVPrinter p = new CSVPrinter(w, format);
            return new LineWriter() {
                @Override
                public void write(List<?> values) throws IOException {
                    p.printRecord(values);
                }

                @Override
                public void close() throws IOException {
                    p.close();
                }
            };
        };
    }

    /** The values joined by a separator, each line ended by {@code end}. */
    static Lines joined(String separator, String end) {
        return w -> new LineWriter() {
            @Override
            public void write(List<?> values) throws IOException {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < values.size(); i++) {
                    line.append(i == 0 ? "" : separator).append(values.get(i));
                }
                w.write(line.append(end).toString());
            }

            @Override
            public void close() throws IOException {
                w.close();
            }
        };
    }

    /** The name of the file delivered on a date. */
    String name(LocalDate date) {
        return prefix + date.format(dates) + suffix;
    }

    /** The name of a numbered file. */
    String name(int number) {
        return prefix + String.format("%05d", number) + suffix;
    }

    /** A re-sent file: the same file under the next day's name. */
    Path nextDay(Path file) {
        String n = file.getFileName().toString();
        return file.resolveSibling(name(LocalDate.parse(n.substring(prefix.length(), n.length() - suffix.length()), dates)
                .plusDays(1)));
    }
}
