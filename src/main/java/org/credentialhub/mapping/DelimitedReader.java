package org.credentialhub.mapping;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.credentialhub.support.ConfigException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads CSV, TSV and pipe files: RFC 4180 quoting (or none), any line ending, a byte-order mark skipped,
 * a header line checked against the layout's columns (or positional columns without one), and an
 * optional trailer record that counts the detail records.
 */
final class DelimitedReader implements RecordReader {
    private final MappingSpec.Source source;
    private final TextInput input;
    private final CSVParser parser;
    private final Iterator<CSVRecord> records;
    private final Map<String, Integer> index = new HashMap<>();
    private final int width;
    private final MappingSpec.Trailer trailer;
    private Long trailerCount;
    private long trailerRow;

    DelimitedReader(InputStream raw, MappingSpec.Source source, List<String> expected) throws IOException, FileRejectedException {
        this.source = source;
        this.trailer = source.trailer();
        input = TextInput.open(raw, source.encoding());
        String delimiter = source.delimiter() == null ? "," : source.delimiter();
        CSVFormat.Builder format = CSVFormat.RFC4180.builder()
                .setDelimiter(delimiter)
                .setIgnoreEmptyLines(true)
                .setTrim(false);
        format.setQuote(source.quote() == null || source.quote().isEmpty() ? null : source.quote().charAt(0));
        parser = CSVParser.builder().setReader(input.reader()).setFormat(format.get()).get();
        records = parser.iterator();
        int skip = source.skipLines() == null ? 0 : source.skipLines();
        for (int i = 0; i < skip && hasNext(); i++) {
            nextRecord();
        }
        if (!hasNext()) {
            throw new FileRejectedException("the file is empty: no header line and no rows");
        }
        if (!Boolean.FALSE.equals(source.header())) {
            CSVRecord header = nextRecord();
            List<String> names = new ArrayList<>();
            for (String h : header) {
                names.add(h.strip());
            }
            checkNamedOnce(names, expected, "");
            Set<String> missing = new LinkedHashSet<>(expected);
            names.forEach(missing::remove);
            Set<String> unknown = new LinkedHashSet<>(names);
            expected.forEach(unknown::remove);
            unknown.remove("");
            if ("ignore".equals(source.extraColumns())) {
                unknown.clear();
            }
            if (!missing.isEmpty() || !unknown.isEmpty()) {
                throw headerDrift(missing, unknown);
            }
            for (int i = 0; i < names.size(); i++) {
                index.putIfAbsent(names.get(i).intern(), i);   // (as FieldRule keeps its column's name)
            }
            width = names.size();
        } else {
            for (int i = 0; i < expected.size(); i++) {
                index.put(expected.get(i).intern(), i);
            }
            width = expected.size();
        }
    }

    /**
     * A header that names a column twice is refused: which copy holds the value cannot be known (the
     * second one would be silently ignored). Only the layout's columns count: a column that
     * {@code extra-columns: ignore} passes over may repeat. {@code where} prefixes the message (a sheet).
     */
    static void checkNamedOnce(List<String> names, List<String> layout, String where) throws FileRejectedException {
        Set<String> seen = new java.util.HashSet<>();
        for (String n : names) {
            if (layout.contains(n) && !seen.add(n)) {
                throw new FileRejectedException(where + "the header names column '" + n + "' twice");
            }
        }
    }

    static FileRejectedException headerDrift(Set<String> missing, Set<String> unknown) {
        StringBuilder why = new StringBuilder("header drift:");
        if (!missing.isEmpty()) {
            why.append(" missing column(s) ").append(String.join(", ", missing)).append(';');
        }
        if (!unknown.isEmpty()) {
            why.append(" unknown column(s) ").append(String.join(", ", unknown)).append(';');
        }
        return new FileRejectedException(why.substring(0, why.length() - 1));
    }

    private boolean hasNext() throws FileRejectedException {
        try {
            return records.hasNext();
        } catch (UncheckedIOException e) {
            throw unreadable(e);
        }
    }

    private CSVRecord nextRecord() throws FileRejectedException {
        try {
            return records.next();
        } catch (UncheckedIOException e) {
            throw unreadable(e);
        }
    }

    private FileRejectedException unreadable(UncheckedIOException e) {
        // the record being read when the error came: the one after the last complete record
        long row = parser.getRecordNumber() + 1;
        FileRejectedException enc = TextInput.undecodable(e, "row " + row);
        if (enc != null) {
            return enc;
        }
        return new FileRejectedException("the file cannot be parsed at row " + row
                + ": " + e.getCause().getClass().getSimpleName() + " (unbalanced quotes?)");
    }

    @Override
    public SourceRow next() throws FileRejectedException {
        if (!hasNext()) {
            return null;
        }
        CSVRecord record = nextRecord();
        int row = (int) record.getRecordNumber();
        if (trailerCount != null) {
            throw new FileRejectedException("record " + row + " follows the trailer record (line " + trailerRow + ")");
        }
        if (trailer != null && record.size() >= 1 && trailer.tag().equals(record.get(0).strip())) {
            trailerRow = row;
            int f = trailer.countField() == null ? 2 : trailer.countField();
            String count = record.size() >= f ? record.get(f - 1).strip() : "";
            try {
                trailerCount = Long.parseLong(count);
            } catch (NumberFormatException e) {
                throw new FileRejectedException("the trailer record (line " + row + ") has no record count in field " + f);
            }
            return next();
        }
        String structural = record.size() == width ? null
                : "the row has " + record.size() + " fields; the " + (index.isEmpty() ? "layout" : "header")
                + " has " + width;
        return SourceRow.of(row, column -> {
            Integer i = index.get(column);
            return i == null || i >= record.size() ? null : record.get(i);
        }, structural);
    }

    @Override
    public void finish(int detailRows) throws FileRejectedException {
        input.finish(Boolean.TRUE.equals(source.endsWithNewline()));
        checkTrailer(trailer, trailerCount, detailRows);
    }

    static void checkTrailer(MappingSpec.Trailer trailer, Long count, int detailRows) throws FileRejectedException {
        if (trailer == null) {
            return;
        }
        if (count == null) {
            if (!Boolean.FALSE.equals(trailer.required())) {
                throw new FileRejectedException("the file was cut short: its trailer record (" + trailer.tag() + ") is missing");
            }
            return;
        }
        if (count != detailRows) {
            throw new FileRejectedException("the trailer counts " + count + " detail record(s) but the file holds "
                    + detailRows + " (cut short or padded)");
        }
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }

    /** The keys of {@code source} only delimited files take, name then value. */
    static Object[] keys(MappingSpec.Source source) {
        return new Object[] {"delimiter", source.delimiter(), "quote", source.quote()};
    }

    static void checkValues(String where, MappingSpec.Source source) {
        if (source.delimiter() != null && source.delimiter().length() != 1) {
            throw new ConfigException(where + ": source.delimiter must be one character (\"\\t\" for tab)");
        }
    }

    /** A delimited layout's settings: its trailer counts in a field, its columns are names. */
    static SourceFormat settings(String where, MappingSpec.Source source) {
        if (source.trailer() != null && source.trailer().count() != null) {
            throw new ConfigException(where + ": source.trailer.count is for fixed-width files; use count-field");
        }
        return SourceFormat.byName("delimited", columns -> in -> new DelimitedReader(in, source, columns));
    }
}
