package org.credentialhub.mapping;

import org.credentialhub.support.ConfigException;
import org.credentialhub.support.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A vendor layout, compiled from its mapping file: opens a file of that layout and turns each of its
 * records into a {@link CanonicalResult} or into the reasons it was rejected. Every mistake in the
 * file is reported at start-up with the file and the key ({@code mappings/x.yaml: fields.passed.true}).
 */
public final class Mapping {
    static final String ISO_OFFSET = "iso-offset-datetime";
    static final String ISO_DATE = "iso-date";
    static final Set<String> FORMATS = Set.of("delimited", "fixed-width", "xlsx", "json");
    private static final Set<CanonicalField> PERSONAL = Set.of(CanonicalField.STATE_STUDENT_ID,
            CanonicalField.FIRST_NAME, CanonicalField.LAST_NAME, CanonicalField.BIRTH_DATE, CanonicalField.EMAIL,
            CanonicalField.FULL_NAME, CanonicalField.NAME_HASH, CanonicalField.BIRTH_DATE_HASH);

    /** What "today" is for the future-date checks: UTC, one day of slack for the vendor's time zone. */
    private static final java.time.Clock TODAY = java.time.Clock.systemUTC();

    private final MappingSpec spec;
    private final Path file;
    private final Map<CanonicalField, Rule> rules = new EnumMap<>(CanonicalField.class);
    private final List<String> columns = new ArrayList<>();
    private final List<FixedWidthReader.Slot> slots = new ArrayList<>();
    private final Map<String, List<JsonReader.JsonPath>> jsonColumns = new LinkedHashMap<>();
    private final Set<String> allValueColumns = new HashSet<>();
    static final Set<String> STANDARDS = Set.of("open-badges-3", "clr-2");
    private final boolean personalKey;
    private final Pattern fileName;
    private final List<String> fileNameGroups = new ArrayList<>();

    private Mapping(MappingSpec spec, Path file) {
        this.spec = spec;
        this.file = file;
        String where = file.toString();
        MappingSpec.Source source = spec.source();
        String format = source.format();
        if (!FORMATS.contains(format)) {
            throw new ConfigException(where + ": source.format '" + format + "' is not one of " + FORMATS);
        }
        if (source.encoding() != null && !Charset.isSupported(source.encoding())) {
            throw new ConfigException(where + ": source.encoding '" + source.encoding() + "' is not a known character set");
        }
        if (source.columns() == null || source.columns().isEmpty()) {
            throw new ConfigException(where + ": source.columns must list the columns of the layout");
        }
        if (source.extraColumns() != null && !Set.of("reject", "ignore").contains(source.extraColumns())) {
            throw new ConfigException(where + ": source.extra-columns: '" + source.extraColumns() + "' is not reject or ignore");
        }
        if (source.overLongLines() != null && !Set.of("reject", "quarantine").contains(source.overLongLines())) {
            throw new ConfigException(where + ": source.over-long-lines: '" + source.overLongLines() + "' is not reject or quarantine");
        }
        if (source.hiddenSheets() != null && !Set.of("skip", "quarantine").contains(source.hiddenSheets())) {
            throw new ConfigException(where + ": source.hidden-sheets: '" + source.hiddenSheets() + "' is not skip or quarantine");
        }
        if (source.delimiter() != null && source.delimiter().length() != 1) {
            throw new ConfigException(where + ": source.delimiter must be one character (\"\\t\" for tab)");
        }
        if (source.skipLines() != null && source.skipLines() < 0) {
            throw new ConfigException(where + ": source.skip-lines must be 0 or more");
        }
        onlyFor(where, format, "delimited", "delimiter", source.delimiter(), "quote", source.quote());
        onlyFor(where, format, "fixed-width", "record-tag", source.recordTag(), "detail-tag", source.detailTag(),
                "header-record", source.headerRecord());
        onlyFor(where, format, "xlsx", "sheets", source.sheets(), "header-row", source.headerRow(),
                "hidden-sheets", source.hiddenSheets());
        onlyFor(where, format, "fixed-width", "over-long-lines", source.overLongLines());
        onlyFor(where, format, "json", "records", source.records(), "standard", source.standard());
        if (source.standard() != null && !STANDARDS.contains(source.standard())) {
            throw new ConfigException(where + ": source.standard '" + source.standard() + "' is not one of " + STANDARDS);
        }
        if (source.trailer() != null) {
            if ("delimited".equals(format)) {
                if (source.trailer().count() != null) {
                    throw new ConfigException(where + ": source.trailer.count is for fixed-width files; use count-field");
                }
            } else if ("fixed-width".equals(format)) {
                if (source.recordTag() == null) {
                    throw new ConfigException(where + ": source.trailer needs source.record-tag (where the record type sits)");
                }
                if (source.trailer().count() == null) {
                    throw new ConfigException(where + ": source.trailer.count: where the record count sits ({start, end})");
                }
                position(where + ": source.trailer.count", source.trailer().count());
            } else {
                throw new ConfigException(where + ": source.trailer is for delimited and fixed-width files");
            }
        }
        if (source.recordTag() != null) {
            position(where + ": source.record-tag", source.recordTag());
        }
        if (source.headerRow() != null && source.headerRow() < 1) {
            throw new ConfigException(where + ": source.header-row is 1-based");
        }
        Set<String> known = new HashSet<>();
        if (source.fileName() != null) {
            try {
                fileName = Pattern.compile(source.fileName());
            } catch (RuntimeException e) {
                throw new ConfigException(where + ": source.file-name: not a regular expression: " + e.getMessage());
            }
            java.util.regex.Matcher g = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>").matcher(source.fileName());
            while (g.find()) {
                fileNameGroups.add(g.group(1));
                known.add(g.group(1));
            }
        } else {
            fileName = null;
        }
        if (source.standard() != null) {
            known.addAll(RecordCheck.COLUMNS);   // the check's verdict (RecordCheck)
        }
        for (int i = 0; i < source.columns().size(); i++) {
            MappingSpec.Column c = source.columns().get(i);
            String at = where + ": source.columns[" + i + "]";
            if (c.name() == null || c.name().isBlank()) {
                throw new ConfigException(at + ".name is missing");
            }
            if (RecordCheck.COLUMNS.contains(c.name()) && source.standard() != null) {
                throw new ConfigException(at + ": column '" + c.name() + "' is the standard's verdict; give it another name");
            }
            if (Boolean.TRUE.equals(c.all()) && !"json".equals(format)) {
                throw new ConfigException(at + " (" + c.name() + "): all is for json columns");
            }
            if (Boolean.TRUE.equals(c.all())) {
                allValueColumns.add(c.name());
            }
            if (!known.add(c.name())) {
                if (fileNameGroups.contains(c.name())) {
                    throw new ConfigException(at + ": column '" + c.name() + "' is also a group of source.file-name");
                }
                throw new ConfigException(at + ": column '" + c.name() + "' is listed twice");
            }
            columns.add(c.name());
            switch (format) {
                case "fixed-width" -> {
                    if (c.start() == null || (c.end() == null) == (c.length() == null)) {
                        throw new ConfigException(at + " (" + c.name() + "): a fixed-width column needs start and end (or length)");
                    }
                    slots.add(FixedWidthReader.slot(c.name(), position(at, new MappingSpec.Position(c.start(), c.end(), c.length()))));
                }
                case "json" -> {
                    List<String> paths = c.path() == null || c.path().isEmpty() ? List.of(c.name()) : c.path();
                    List<JsonReader.JsonPath> compiled = new ArrayList<>();
                    for (String p : paths) {
                        try {
                            compiled.add(new JsonReader.JsonPath(p));
                        } catch (IllegalArgumentException e) {
                            throw new ConfigException(at + ".path: '" + p + "': " + e.getMessage());
                        }
                    }
                    jsonColumns.put(c.name(), compiled);
                }
                default -> {
                    if (c.start() != null || c.end() != null || c.length() != null || c.path() != null) {
                        throw new ConfigException(at + " (" + c.name() + "): start/end/length are for fixed-width "
                                + "files, path for json; a " + format + " column is just its name");
                    }
                }
            }
        }
        spec.fields().forEach((key, f) -> {
            CanonicalField field = CanonicalField.byKey(key).orElseThrow(() -> new ConfigException(
                    where + ": fields." + key + ": not a canonical field; use one of " + keys()));
            if (f == null) {
                throw new ConfigException(where + ": fields." + key + ": needs column or value");
            }
            if ((f.column() == null) == (f.value() == null)) {
                throw new ConfigException(where + ": fields." + key + ": give either column or value");
            }
            if (f.column() != null && !known.contains(f.column())) {
                throw new ConfigException(where + ": fields." + key + ".column: '" + f.column()
                        + "' is not in source.columns");
            }
            if (f.salt() != null && !known.contains(f.salt())) {
                throw new ConfigException(where + ": fields." + key + ".salt: '" + f.salt()
                        + "' is not in source.columns");
            }
            rules.put(field, new Rule(field, f, where + ": fields." + key));
        });
        boolean personal = false;
        for (String element : spec.attemptKey()) {
            for (String k : alternatives(element)) {
                if (!known.contains(k)) {
                    throw new ConfigException(where + ": attempt-key: '" + k + "' is not in source.columns");
                }
                for (Rule r : rules.values()) {
                    personal |= PERSONAL.contains(r.field) && k.equals(r.spec.column());
                }
            }
        }
        personalKey = personal;
        if (spec.recordId() != null && !known.contains(spec.recordId())) {
            throw new ConfigException(where + ": record-id: '" + spec.recordId() + "' is not in source.columns");
        }
        if (!rules.containsKey(CanonicalField.EXAM_CODE) && !rules.containsKey(CanonicalField.CREDENTIAL_CODE)) {
            throw new ConfigException(where + ": fields.exam_code (or fields.credential_code) is required in every mapping");
        }
        for (CanonicalField must : List.of(CanonicalField.ATTEMPTED_AT, CanonicalField.PASSED)) {
            if (!rules.containsKey(must)) {
                throw new ConfigException(where + ": fields." + must.key() + " is required in every mapping");
            }
        }
    }

    /** Keys (name, value pairs) that only one format takes. */
    private static void onlyFor(String where, String format, String wanted, Object... keyValues) {
        if (!format.equals(wanted)) {
            for (int i = 0; i + 1 < keyValues.length; i += 2) {
                if (keyValues[i] != null && keyValues[i + 1] != null) {
                    throw new ConfigException(where + ": source." + keyValues[i] + " is for " + wanted + " files, not " + format);
                }
            }
        }
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

    private static String keys() {
        List<String> k = new ArrayList<>();
        for (CanonicalField f : CanonicalField.values()) {
            k.add(f.key());
        }
        return String.join(", ", k);
    }

    public static Mapping load(Path file) {
        MappingSpec spec = Yaml.read(file, MappingSpec.class);
        return new Mapping(spec, file);
    }

    public String layout() {
        return spec.layout();
    }

    public Path file() {
        return file;
    }

    /** An attempt-key element {@code A|B} names alternatives: the first column that is not blank. */
    private static List<String> alternatives(String element) {
        return java.util.Arrays.stream(element.split("\\|")).map(String::strip).toList();
    }

    private static String keyPart(SourceRow row, String element) {
        List<String> columns = alternatives(element);
        for (int i = 0; i < columns.size(); i++) {
            String value = row.get(columns.get(i));
            if (value != null && !value.isBlank()) {
                // which alternative was used is part of the key: an ID never equals a name by accident
                return columns.size() == 1 ? value.strip() : i + ":" + value.strip().toLowerCase(java.util.Locale.ROOT);
            }
        }
        return "";
    }

    public String format() {
        return spec.source().format();
    }

    /** The standard whose credentials the records are ({@code source.standard}), or null. */
    public String standard() {
        return spec.source().standard();
    }

    /**
     * True when the attempt key holds personal data (a state ID, names, a birth date): the hub then
     * stores only a keyed hash of it.
     */
    public boolean attemptKeyIsPersonal() {
        return personalKey;
    }

    /** Opens a file of this layout; a file whose structure is wrong is rejected whole. */
    public RecordReader open(InputStream in) throws IOException, FileRejectedException {
        return open(in, null);
    }

    /** Opens a file of this layout delivered under the given name (which a {@code file-name} pattern checks). */
    public RecordReader open(InputStream in, String name) throws IOException, FileRejectedException {
        return open(in, name, null);
    }

    /**
     * Opens a file of this layout delivered under the given name, each record checked first as a credential of
     * the layout's standard (null: unchecked; a layout that names a standard is then read without its verdict).
     */
    public RecordReader open(InputStream in, String name, RecordCheck check) throws IOException, FileRejectedException {
        MappingSpec.Source source = spec.source();
        Map<String, String> shared = new java.util.HashMap<>();
        if (fileName != null) {
            java.util.regex.Matcher m = name == null ? null : fileName.matcher(name);
            if (m == null || !m.matches()) {
                throw new FileRejectedException("the file name does not follow the layout (" + source.fileName() + ")");
            }
            for (String g : fileNameGroups) {
                shared.put(g, m.group(g));
            }
        }
        RecordReader reader = switch (source.format()) {
            case "fixed-width" -> new FixedWidthReader(in, source, slots);
            case "xlsx" -> new XlsxReader(in, source, columns);
            case "json" -> new JsonReader(in, source, jsonColumns, allValueColumns, check);
            default -> new DelimitedReader(in, source, columns);
        };
        return shared.isEmpty() ? reader : new FileNameColumns(reader, shared);
    }

    /** Adds the file name's named groups as columns of every record. */
    private record FileNameColumns(RecordReader reader, Map<String, String> shared) implements RecordReader {
        @Override
        public SourceRow next() throws IOException, FileRejectedException {
            SourceRow row = reader.next();
            if (row == null) {
                return null;
            }
            return new SourceRow() {
                @Override
                public int rowNumber() {
                    return row.rowNumber();
                }

                @Override
                public String get(String column) {
                    String v = shared.get(column);
                    return v != null ? v : row.get(column);
                }

                @Override
                public String structuralProblem() {
                    return row.structuralProblem();
                }

                @Override
                public String location() {
                    return row.location();
                }

                @Override
                public String part() {
                    return row.part();
                }

                @Override
                public int partRow() {
                    return row.partRow();
                }
            };
        }

        @Override
        public void finish(int detailRows) throws FileRejectedException {
            reader.finish(detailRows);
        }

        @Override
        public List<String> warnings() {
            return reader.warnings();
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }

    /** Result of mapping one record: either a canonical result or the reasons it was rejected. */
    public record Outcome(CanonicalResult result, List<RowRejection> rejections) {
        public boolean accepted() {
            return result != null;
        }
    }

    public Outcome apply(SourceRow row) {
        int n = row.rowNumber();
        String at = row.location() == null ? "" : " (" + row.location() + ")";
        String structural = row.structuralProblem();
        if (structural != null) {
            return new Outcome(null, List.of(new RowRejection(n, "*", structural + at)));
        }
        List<RowRejection> problems = new ArrayList<>(0);
        Map<CanonicalField, Object> v = new EnumMap<>(CanonicalField.class);
        for (Rule rule : rules.values()) {
            try {
                Object value = rule.read(row);
                if (value != null) {
                    v.put(rule.field, value);
                }
            } catch (InvalidValue e) {
                problems.add(new RowRejection(n, rule.name(), e.getMessage() + at));
            }
        }
        Object attempted = v.get(CanonicalField.ATTEMPTED_AT);
        LocalDate attemptDay = attempted instanceof OffsetDateTime o ? o.toLocalDate() : (LocalDate) attempted;
        if (attemptDay != null && v.get(CanonicalField.HELD_UNTIL) == null
                && attemptDay.isAfter(LocalDate.now(TODAY).plusDays(1))) {
            // a credential not yet valid is held (held_until), not refused; any other attempt in the future is
            problems.add(new RowRejection(n, rules.get(CanonicalField.ATTEMPTED_AT).name(),
                    "the attempt is dated in the future (later than " + LocalDate.now(TODAY).plusDays(1) + ")" + at));
        }
        if (!problems.isEmpty()) {
            return new Outcome(null, problems);
        }
        StringBuilder key = new StringBuilder();
        for (String element : spec.attemptKey()) {
            if (!key.isEmpty()) {
                key.append('|');
            }
            key.append(keyPart(row, element));
            for (String column : alternatives(element)) {
                storable(row, column, problems, at);
            }
        }
        if (spec.recordId() != null) {
            storable(row, spec.recordId(), problems, at);
        }
        if (problems.isEmpty() && !personalKey && StorableValue.key(key.toString()) != null) {
            problems.add(new RowRejection(n, "attempt-key", StorableValue.key(key.toString()) + at));
        }
        if (!problems.isEmpty()) {
            return new Outcome(null, problems);
        }
        Object when = v.get(CanonicalField.ATTEMPTED_AT);
        OffsetDateTime odt = when instanceof OffsetDateTime o ? o : null;
        LocalDate on = odt != null ? odt.toLocalDate() : (LocalDate) when;
        String ref = spec.recordId() == null ? null : row.get(spec.recordId());
        String first = (String) v.get(CanonicalField.FIRST_NAME);
        String last = (String) v.get(CanonicalField.LAST_NAME);
        if (first == null && last == null && v.get(CanonicalField.FULL_NAME) != null) {
            String[] split = org.credentialhub.matching.Names.split((String) v.get(CanonicalField.FULL_NAME));
            first = split[0];
            last = split[1];
        }
        return new Outcome(new CanonicalResult(n, key.toString(),
                (String) v.get(CanonicalField.VENDOR_CANDIDATE_ID),
                (String) v.get(CanonicalField.STATE_STUDENT_ID),
                first,
                last,
                (String) v.get(CanonicalField.EMAIL),
                (LocalDate) v.get(CanonicalField.BIRTH_DATE),
                (String) v.get(CanonicalField.DISTRICT_CODE),
                (String) v.get(CanonicalField.SCHOOL_CODE),
                (String) v.get(CanonicalField.SCHOOL_NAME),
                (String) v.get(CanonicalField.EXAM_CODE),
                (String) v.get(CanonicalField.EXAM_NAME),
                on, odt,
                (Boolean) v.get(CanonicalField.PASSED),
                (BigDecimal) v.get(CanonicalField.SCORE),
                (String) v.get(CanonicalField.CERTIFICATE_NUMBER),
                (String) v.get(CanonicalField.CREDENTIAL_CODE),
                Boolean.TRUE.equals(v.get(CanonicalField.REVOKED)),
                Boolean.TRUE.equals(v.get(CanonicalField.PENDING)),
                (String) v.get(CanonicalField.EVIDENCE_FILE),
                ref == null || ref.isBlank() ? null : ref.strip(),
                (CanonicalResult.Hashed) v.get(CanonicalField.NAME_HASH),
                (CanonicalResult.Hashed) v.get(CanonicalField.BIRTH_DATE_HASH),
                list(v.get(CanonicalField.EXAM_IDS)),
                v.get(CanonicalField.HELD_UNTIL) instanceof OffsetDateTime h ? h
                        : v.get(CanonicalField.HELD_UNTIL) instanceof LocalDate d ? d.atStartOfDay().atOffset(java.time.ZoneOffset.UTC) : null,
                list(v.get(CanonicalField.STATUS_ENTRIES))), List.of());
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Object value) {
        return value == null ? List.of() : (List<String>) value;
    }

    /** A column that goes to the tables as read (attempt key, record id) must be storable text too. */
    private void storable(SourceRow row, String column, List<RowRejection> problems, String at) {
        String value = row.get(column);
        String problem = value == null ? null : StorableValue.text(value.strip());
        if (problem != null && problems.stream().noneMatch(p -> p.field().equals(column))) {
            problems.add(new RowRejection(row.rowNumber(), column, problem + at));
        }
    }

    private static final class InvalidValue extends Exception {
        InvalidValue(String message) {
            super(message, null, false, false);
        }
    }

    /** How one canonical field is read from its column. */
    private static final class Rule {
        private static final List<String> TRUE = List.of("true", "yes", "y", "1");
        private static final List<String> FALSE = List.of("false", "no", "n", "0");

        final CanonicalField field;
        final MappingSpec.FieldSpec spec;
        final boolean required;
        final boolean blankWhenInvalid;
        final Pattern pattern;
        final List<DateTimeFormatter> dateFormats = new ArrayList<>();
        final boolean isoOffset;
        final List<String> trueList;
        final List<String> falseList;
        final Set<String> trueValues = new HashSet<>();
        final Set<String> falseValues = new HashSet<>();

        Rule(CanonicalField field, MappingSpec.FieldSpec spec, String where) {
            this.field = field;
            this.spec = spec;
            boolean mustHave = field == CanonicalField.EXAM_CODE || field == CanonicalField.ATTEMPTED_AT
                    || field == CanonicalField.PASSED || field == CanonicalField.CREDENTIAL_CODE;
            this.required = mustHave || Boolean.TRUE.equals(spec.required());
            if (spec.invalid() != null && !Set.of("reject", "blank").contains(spec.invalid())) {
                throw new ConfigException(where + ".invalid: '" + spec.invalid() + "' is not reject or blank");
            }
            this.blankWhenInvalid = "blank".equals(spec.invalid());
            try {
                this.pattern = spec.pattern() == null ? null : Pattern.compile(spec.pattern());
            } catch (RuntimeException e) {
                throw new ConfigException(where + ".pattern: not a regular expression: " + e.getMessage());
            }
            if ((spec.split() == null) != (spec.part() == null)) {
                throw new ConfigException(where + ": split and part go together (split: \",\", part: 1)");
            }
            if (spec.part() != null && spec.part() < 1) {
                throw new ConfigException(where + ".part is 1-based");
            }
            CanonicalField.Type type = field.type();
            List<String> formats = spec.format() == null ? List.of() : spec.format();
            if (type == CanonicalField.Type.DATE || type == CanonicalField.Type.DATE_OR_DATETIME) {
                if (formats.isEmpty()) {
                    throw new ConfigException(where + ".format: a date field needs a format (e.g. yyyy-MM-dd"
                            + (type == CanonicalField.Type.DATE_OR_DATETIME ? " or " + ISO_OFFSET : "") + ")");
                }
                isoOffset = formats.contains(ISO_OFFSET);
                if (isoOffset && type == CanonicalField.Type.DATE) {
                    throw new ConfigException(where + ".format: " + ISO_OFFSET + " is for attempted_at only");
                }
                for (String f : formats) {
                    if (ISO_OFFSET.equals(f)) {
                        continue;
                    }
                    try {
                        dateFormats.add(ISO_DATE.equals(f) ? DateTimeFormatter.ISO_LOCAL_DATE
                                : new java.time.format.DateTimeFormatterBuilder()
                                .appendPattern(f.replace("yyyy", "uuuu"))
                                .parseDefaulting(java.time.temporal.ChronoField.MONTH_OF_YEAR, 1)
                                .parseDefaulting(java.time.temporal.ChronoField.DAY_OF_MONTH, 1)
                                .toFormatter(Locale.ROOT)
                                .withResolverStyle(ResolverStyle.STRICT));
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(where + ".format: '" + f + "' is not a date pattern: " + e.getMessage());
                    }
                }
            } else {
                isoOffset = false;
                if (!formats.isEmpty()) {
                    throw new ConfigException(where + ".format: only date fields take a format");
                }
            }
            if (spec.salt() != null && type != CanonicalField.Type.HASH) {
                throw new ConfigException(where + ".salt: only hashed fields (name_hash, birth_date_hash) take a salt column");
            }
            if (type == CanonicalField.Type.BOOLEAN) {
                if ((spec.trueValues() == null) != (spec.falseValues() == null)) {
                    throw new ConfigException(where + ": a boolean field gives both 'true' and 'false' value lists (or neither)");
                }
                trueList = spec.trueValues() == null ? TRUE : spec.trueValues();
                falseList = spec.falseValues() == null ? FALSE : spec.falseValues();
                trueList.forEach(t -> trueValues.add(t.toLowerCase(Locale.ROOT)));
                falseList.forEach(f -> falseValues.add(f.toLowerCase(Locale.ROOT)));
                for (String t : trueValues) {
                    if (falseValues.contains(t)) {
                        throw new ConfigException(where + ": '" + t + "' is both a true and a false value");
                    }
                }
            } else {
                trueList = falseList = null;
                if (spec.trueValues() != null || spec.falseValues() != null) {
                    throw new ConfigException(where + ": only boolean fields take 'true' and 'false' value lists");
                }
            }
            if (spec.value() != null) {
                try {
                    read(name -> null);
                } catch (InvalidValue e) {
                    throw new ConfigException(where + ".value: '" + spec.value() + "' " + e.getMessage());
                }
            }
        }

        String name() {
            return spec.column() != null ? spec.column() : field.key();
        }

        Object read(java.util.function.Function<String, String> row) throws InvalidValue {
            String raw = spec.value() != null ? spec.value() : row.apply(spec.column());
            String value = raw == null ? null : raw.strip();
            if (value != null && spec.split() != null) {
                String[] parts = value.split(Pattern.quote(spec.split()), -1);
                value = spec.part() <= parts.length ? parts[spec.part() - 1].strip() : null;
            }
            if (value != null && spec.map() != null && spec.map().containsKey(value)) {
                value = spec.map().get(value);
            }
            if ((value == null || value.isEmpty()) && spec.defaultValue() != null) {
                value = spec.defaultValue();
            }
            if (value == null || value.isEmpty()) {
                if (required) {
                    throw new InvalidValue("required value is missing");
                }
                return null;
            }
            try {
                if (pattern != null && !pattern.matcher(value).matches()) {
                    throw new InvalidValue("does not match the expected pattern " + pattern.pattern());
                }
                return switch (field.type()) {
                    case TEXT -> storable(value, StorableValue.text(value));
                    case TEXT_LIST -> textList(value);
                    case DATE, DATE_OR_DATETIME -> checkedDate(date(value));
                    case BOOLEAN -> bool(value);
                    case DECIMAL -> decimal(value);
                    case HASH -> hashed(value, spec.salt() == null ? null : row.apply(spec.salt()));
                };
            } catch (NumberFormatException e) {
                return invalid("not a number");
            } catch (InvalidValue e) {
                return invalid(e.getMessage());
            }
        }

        Object read(SourceRow row) throws InvalidValue {
            return read(row::get);
        }

        private Object date(String value) throws InvalidValue {
            if (isoOffset) {
                try {
                    return OffsetDateTime.parse(value);
                } catch (DateTimeParseException e) {
                    // try the other formats
                }
            }
            for (DateTimeFormatter f : dateFormats) {
                try {
                    return LocalDate.parse(value, f);
                } catch (DateTimeParseException e) {
                    // next format
                }
            }
            if (isoOffset && dateFormats.isEmpty() && value.length() > 10) {
                try {
                    // a local date-time without offset still says which day
                    return LocalDateTime.parse(value).toLocalDate();
                } catch (DateTimeParseException e) {
                    // fall through
                }
            }
            throw new InvalidValue("not a valid date in the format " + String.join(" or ", spec.format()));
        }

        /** One value a line (a json column with {@code all: true}); each must be storable text. */
        private Object textList(String value) throws InvalidValue {
            List<String> list = new ArrayList<>();
            for (String line : value.split("\n")) {
                String item = line.strip();
                if (!item.isEmpty() && !list.contains(item)) {
                    storable(item, StorableValue.text(item));
                    list.add(item);
                }
            }
            return list.isEmpty() ? null : List.copyOf(list);
        }

        private Object storable(Object value, String problem) throws InvalidValue {
            if (problem != null) {
                throw new InvalidValue(problem);
            }
            return value;
        }

        /** An identity hash ({@code sha256$<hex>}) with its salt; the salt goes to the tables as read, so it is checked too. */
        private Object hashed(String value, String salt) throws InvalidValue {
            if (!org.credentialhub.support.Hmac.SaltedHash.isIdentityHash(value)) {
                throw new InvalidValue("is not an identity hash (sha256$ and 64 hex digits, or md5$ and 32)");
            }
            String s = salt == null || salt.isEmpty() ? null : salt;
            if (s != null && StorableValue.text(s) != null) {
                throw new InvalidValue("its salt " + StorableValue.text(s));
            }
            return new CanonicalResult.Hashed(value.strip(), s);
        }

        private Object decimal(String value) throws InvalidValue {
            String v = value.toLowerCase(Locale.ROOT);
            if (v.contains("nan") || v.contains("inf")) {
                throw new InvalidValue("not a finite number");
            }
            BigDecimal d = new BigDecimal(value);
            return storable(d, StorableValue.decimal(d));
        }

        /** A date the tables can hold; an attempt or a birth after tomorrow (UTC: any time zone's today) is refused. */
        private Object checkedDate(Object parsed) throws InvalidValue {
            LocalDate day = parsed instanceof OffsetDateTime o ? o.toLocalDate() : (LocalDate) parsed;
            String problem = StorableValue.date(day);
            if (problem != null) {
                throw new InvalidValue(problem);
            }
            if (field == CanonicalField.BIRTH_DATE && day.isAfter(LocalDate.now(TODAY).plusDays(1))) {
                throw new InvalidValue("the birth is dated in the future (later than " + LocalDate.now(TODAY).plusDays(1) + ")");
            }
            return parsed;
        }

        private Object invalid(String why) throws InvalidValue {
            if (blankWhenInvalid && !required) {
                return null;
            }
            throw new InvalidValue(why);
        }

        private Boolean bool(String value) throws InvalidValue {
            String v = value.toLowerCase(Locale.ROOT);
            if (trueValues.contains(v)) {
                return Boolean.TRUE;
            }
            if (falseValues.contains(v)) {
                return Boolean.FALSE;
            }
            throw new InvalidValue("not one of " + trueList + " / " + falseList);
        }
    }
}
