package org.credentialhub.mapping;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads CSV, TSV and pipe files: RFC 4180 quoting (or none), any line ending, a byte-order mark skipped. */
final class DelimitedReader implements RecordReader {
    private final CSVParser parser;
    private final Iterator<CSVRecord> records;
    private final Map<String, Integer> index = new HashMap<>();
    private final int width;

    DelimitedReader(InputStream raw, MappingSpec.Source source, List<String> expected) throws IOException, FileRejectedException {
        Charset charset = Charset.forName(source.encoding() == null ? "UTF-8" : source.encoding());
        InputStream in = skipBom(new BufferedInputStream(raw, 1 << 16));
        InputStreamReader reader = new InputStreamReader(in, charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT));
        String delimiter = source.delimiter() == null ? "," : source.delimiter();
        CSVFormat.Builder format = CSVFormat.RFC4180.builder()
                .setDelimiter(delimiter)
                .setIgnoreEmptyLines(true)
                .setTrim(false);
        format.setQuote(source.quote() == null || source.quote().isEmpty() ? null : source.quote().charAt(0));
        parser = CSVParser.builder().setReader(reader).setFormat(format.get()).get();
        records = parser.iterator();
        if (!hasNext()) {
            throw new FileRejectedException("the file is empty: no header line and no rows");
        }
        CSVRecord header = nextRecord();
        List<String> names = new ArrayList<>();
        for (String h : header) {
            names.add(h.trim());
        }
        Set<String> missing = new LinkedHashSet<>(expected);
        names.forEach(missing::remove);
        Set<String> unknown = new LinkedHashSet<>(names);
        expected.forEach(unknown::remove);
        if (!missing.isEmpty() || !unknown.isEmpty()) {
            StringBuilder why = new StringBuilder("header drift:");
            if (!missing.isEmpty()) {
                why.append(" missing column(s) ").append(String.join(", ", missing)).append(';');
            }
            if (!unknown.isEmpty()) {
                why.append(" unknown column(s) ").append(String.join(", ", unknown)).append(';');
            }
            throw new FileRejectedException(why.substring(0, why.length() - 1));
        }
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
        width = names.size();
    }

    private static InputStream skipBom(BufferedInputStream in) throws IOException {
        in.mark(3);
        byte[] b = in.readNBytes(3);
        if (!(b.length == 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF)) {
            in.reset();
        }
        return in;
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
        if (e.getCause() instanceof CharacterCodingException) {
            return new FileRejectedException("the file is not in its declared encoding (after record "
                    + parser.getRecordNumber() + ")");
        }
        return new FileRejectedException("the file cannot be parsed after record " + parser.getRecordNumber()
                + ": " + e.getCause().getClass().getSimpleName() + " (unbalanced quotes?)");
    }

    @Override
    public SourceRow next() throws FileRejectedException {
        if (!hasNext()) {
            return null;
        }
        CSVRecord record = nextRecord();
        int row = (int) record.getRecordNumber();
        return new SourceRow() {
            @Override
            public int rowNumber() {
                return row;
            }

            @Override
            public String get(String column) {
                Integer i = index.get(column);
                return i == null || i >= record.size() ? null : record.get(i);
            }

            @Override
            public String structuralProblem() {
                return record.size() == width ? null
                        : "the row has " + record.size() + " fields; the header has " + width;
            }

            @Override
            public String toString() {
                return "row " + row;
            }
        };
    }

    int width() {
        return width;
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
