package org.credentialhub.mapping;

import org.credentialhub.support.ConfigException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads fixed-width files: columns by position (1-based, inclusive), optionally a record type at a
 * fixed place that tells header, detail and trailer records apart, optionally a title line whose
 * titles must sit at their columns' starts.
 */
final class FixedWidthReader implements RecordReader {
    /** A column's place, 0-based start and exclusive end. */
    record Slot(String name, int from, int to) {
    }

    private final MappingSpec.Source source;
    private final TextInput input;
    private final BufferedReader lines;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final int minLength;
    /** Where the layout's last column ends: a detail record with anything but spaces past it is too long. */
    private final int maxLength;
    private final boolean quarantineLongLines;
    private final Slot tag;
    private final Slot trailerCount;
    private int lineNumber;
    private boolean headerSeen;
    private Long trailerValue;
    private int trailerLine;

    FixedWidthReader(InputStream raw, MappingSpec.Source source, List<Slot> columns) throws IOException, FileRejectedException {
        this.source = source;
        columns.forEach(s -> slots.put(s.name(), s));
        minLength = columns.stream().mapToInt(Slot::from).max().orElse(0) + 1;
        tag = source.recordTag() == null ? null : slot("record-tag", source.recordTag());
        maxLength = Math.max(columns.stream().mapToInt(Slot::to).max().orElse(0), tag == null ? 0 : tag.to());
        quarantineLongLines = "quarantine".equals(source.overLongLines());
        trailerCount = source.trailer() == null || source.trailer().count() == null ? null
                : slot("trailer", source.trailer().count());
        input = TextInput.open(raw, source.encoding());
        lines = new BufferedReader(input.reader(), 1 << 16);
        int skip = source.skipLines() == null ? 0 : source.skipLines();
        for (int i = 0; i < skip; i++) {
            if (readLine() == null) {
                break;
            }
        }
        if (Boolean.TRUE.equals(source.header())) {
            String titles = readLine();
            if (titles == null) {
                throw new FileRejectedException("the file is empty: no title line and no records");
            }
            checkTitles(titles);
        }
    }

    static Slot slot(String name, MappingSpec.Position p) {
        int from = p.start() - 1;
        int to = p.end() != null ? p.end() : p.start() + p.length() - 1;
        return new Slot(name, from, to);
    }

    private void checkTitles(String line) throws FileRejectedException {
        Map<Integer, String> titleAt = new LinkedHashMap<>();
        int i = 0;
        while (i < line.length()) {
            while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < line.length() && !Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                titleAt.put(start, line.substring(start, i));
            }
        }
        Set<String> missing = new LinkedHashSet<>();
        Set<String> unknown = new LinkedHashSet<>(titleAt.values());
        for (Slot s : slots.values()) {
            if (s.name().equals(titleAt.get(s.from()))) {
                unknown.remove(s.name());
            } else {
                missing.add(s.name());
            }
        }
        if ("ignore".equals(source.extraColumns())) {
            unknown.clear();
        }
        if (!missing.isEmpty() || !unknown.isEmpty()) {
            throw DelimitedReader.headerDrift(missing, unknown);
        }
    }

    private String readLine() throws FileRejectedException {
        try {
            String line = lines.readLine();
            if (line != null) {
                lineNumber++;
            }
            return line;
        } catch (IOException e) {
            // the line being read when the error came: the one after the last complete line
            FileRejectedException enc = TextInput.undecodable(e, "line " + (lineNumber + 1));
            throw enc != null ? enc : new FileRejectedException("the file cannot be read at line " + (lineNumber + 1));
        }
    }

    private static String cut(String line, Slot s) {
        if (s.from() >= line.length()) {
            return "";
        }
        return line.substring(s.from(), Math.min(s.to(), line.length()));
    }

    @Override
    public SourceRow next() throws FileRejectedException {
        while (true) {
            String line = readLine();
            if (line == null) {
                return null;
            }
            if (line.isBlank()) {
                continue;
            }
            int row = lineNumber;
            if (trailerValue != null) {
                throw new FileRejectedException("line " + row + " follows the trailer record (line " + trailerLine + ")");
            }
            String type = tag == null ? null : cut(line, tag).strip();
            MappingSpec.HeaderRecord header = source.headerRecord();
            if (header != null && !headerSeen) {
                if (header.tag().equals(type)) {
                    headerSeen = true;
                    continue;
                }
                if (!Boolean.FALSE.equals(header.required())) {
                    throw new FileRejectedException("the file does not open with its header record (" + header.tag() + ")");
                }
                headerSeen = true;
            }
            if (source.trailer() != null && type != null && source.trailer().tag().equals(type)) {
                trailerLine = row;
                String count = trailerCount == null ? "" : cut(line, trailerCount).strip();
                try {
                    trailerValue = Long.parseLong(count);
                } catch (NumberFormatException e) {
                    throw new FileRejectedException("the trailer record (line " + row + ") has no record count");
                }
                continue;
            }
            String problem = null;
            if (source.detailTag() != null && !source.detailTag().equals(type)) {
                problem = "unknown record type (expected " + source.detailTag() + ")";
            } else if (line.length() < minLength) {
                problem = "the record has " + line.length() + " characters; the layout needs at least " + minLength;
            } else if (line.length() > maxLength && !line.substring(maxLength).isBlank()) {
                problem = "the record has " + line.length() + " characters; the layout ends at column " + maxLength
                        + " (the rest would be dropped)";
                if (quarantineLongLines) {
                    throw new FileRejectedException("line " + row + ": " + problem);
                }
            }
            String structural = problem;
            return SourceRow.of(row, column -> {
                Slot s = slots.get(column);
                return s == null ? null : cut(line, s);
            }, structural);
        }
    }

    @Override
    public void finish(int detailRows) throws FileRejectedException {
        if (lineNumber == 0) {
            throw new FileRejectedException("the file is empty: no records");
        }
        input.finish(Boolean.TRUE.equals(source.endsWithNewline()));
        if (source.headerRecord() != null && !headerSeen && !Boolean.FALSE.equals(source.headerRecord().required())) {
            throw new FileRejectedException("the file does not open with its header record (" + source.headerRecord().tag() + ")");
        }
        DelimitedReader.checkTrailer(source.trailer(), trailerValue, detailRows);
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }

    static List<Slot> slots(List<MappingSpec.Column> columns) {
        List<Slot> out = new ArrayList<>();
        for (MappingSpec.Column c : columns) {
            out.add(slot(c.name(), new MappingSpec.Position(c.start(), c.end(), c.length())));
        }
        return out;
    }

    /** The keys of {@code source} only fixed-width files take, name then value. */
    static Object[] keys(MappingSpec.Source source) {
        return new Object[] {"record-tag", source.recordTag(), "detail-tag", source.detailTag(),
                "header-record", source.headerRecord(), "over-long-lines", source.overLongLines()};
    }

    static void checkValues(String where, MappingSpec.Source source) {
        if (source.overLongLines() != null && !Set.of("reject", "quarantine").contains(source.overLongLines())) {
            throw new ConfigException(where + ": source.over-long-lines: '" + source.overLongLines() + "' is not reject or quarantine");
        }
    }

    /** A fixed-width layout's settings: the record type and trailer count by position, each column a slot. */
    static SourceFormat settings(String where, MappingSpec.Source source) {
        if (source.trailer() != null) {
            if (source.recordTag() == null) {
                throw new ConfigException(where + ": source.trailer needs source.record-tag (where the record type sits)");
            }
            if (source.trailer().count() == null) {
                throw new ConfigException(where + ": source.trailer.count: where the record count sits ({start, end})");
            }
            position(where + ": source.trailer.count", source.trailer().count());
        }
        if (source.recordTag() != null) {
            position(where + ": source.record-tag", source.recordTag());
        }
        List<Slot> slots = new ArrayList<>();
        return new SourceFormat() {
            @Override
            public void column(String at, MappingSpec.Column c) {
                if (Boolean.TRUE.equals(c.all())) {
                    throw new ConfigException(at + " (" + c.name() + "): all is for json columns");
                }
                if (c.start() == null || (c.end() == null) == (c.length() == null)) {
                    throw new ConfigException(at + " (" + c.name() + "): a fixed-width column needs start and end (or length)");
                }
                slots.add(slot(c.name(), position(at, new MappingSpec.Position(c.start(), c.end(), c.length()))));
            }

            @Override
            public RecordReader open(InputStream in, RecordCheck check) throws IOException, FileRejectedException {
                return new FixedWidthReader(in, source, slots);
            }
        };
    }

    private static MappingSpec.Position position(String where, MappingSpec.Position p) {
        if (p.start() == null || p.start() < 1) {
            throw new ConfigException(where + ".start: a 1-based position is required");
        }
        if ((p.end() == null) == (p.length() == null)) {
            throw new ConfigException(where + ": give end or length");
        }
        int end = p.end() != null ? p.end() : p.start() + p.length() - 1;
        if (end < p.start()) {
            throw new ConfigException(where + ": ends before it starts");
        }
        return p;
    }
}
