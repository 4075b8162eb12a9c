package org.credentialhub.mapping;

import org.credentialhub.support.ConfigException;
import org.credentialhub.support.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A vendor layout, compiled from its mapping file: opens a file of that layout and turns each of its
 * records into a {@link CanonicalResult} or into the reasons it was rejected. Every mistake in the
 * file is reported at start-up with the file and the key ({@code mappings/x.yaml: fields.passed.true}).
 * Mapping checks what every layout shares (the fields, the attempt key, the file name); each format's
 * reader checks the keys only it takes ({@link SourceFormat}).
 */
public final class Mapping {
    static final Set<String> FORMATS = Set.of("delimited", "fixed-width", "xlsx", "json");
    private static final Set<CanonicalField> PERSONAL = Set.of(CanonicalField.STATE_STUDENT_ID,
            CanonicalField.FIRST_NAME, CanonicalField.LAST_NAME, CanonicalField.BIRTH_DATE, CanonicalField.EMAIL,
            CanonicalField.FULL_NAME, CanonicalField.NAME_HASH, CanonicalField.BIRTH_DATE_HASH);

    private final MappingSpec spec;
    private final Path file;
    private final Map<CanonicalField, FieldRule> rules = new EnumMap<>(CanonicalField.class);
    private final SourceFormat reader;
    private final boolean personalKey;
    /** Each attempt-key element's columns ({@link #alternatives}), worked out once: a record's key is built from them. */
    private final List<List<String>> keyColumns;
    /** The record-id column ({@code record-id}), kept so too, or null. */
    private final String recordId;
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
        for (SourceFormat.Kind kind : SourceFormat.KINDS) {
            kind.values().accept(where, source);
        }
        if (source.skipLines() != null && source.skipLines() < 0) {
            throw new ConfigException(where + ": source.skip-lines must be 0 or more");
        }
        SourceFormat.Kind own = null;
        for (SourceFormat.Kind kind : SourceFormat.KINDS) {
            if (kind.name().equals(format)) {
                own = kind;
                continue;
            }
            Object[] keyValues = kind.keys().apply(source);
            for (int i = 0; i + 1 < keyValues.length; i += 2) {
                if (keyValues[i + 1] != null) {
                    throw new ConfigException(where + ": source." + keyValues[i] + " is for " + kind.name() + " files, not " + format);
                }
            }
        }
        reader = own.settings().apply(where, source);
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
            if (!known.add(c.name())) {
                if (fileNameGroups.contains(c.name())) {
                    throw new ConfigException(at + ": column '" + c.name() + "' is also a group of source.file-name");
                }
                throw new ConfigException(at + ": column '" + c.name() + "' is listed twice");
            }
            reader.column(at, c);
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
            rules.put(field, new FieldRule(field, f, where + ": fields." + key));
        });
        // each attempt-key element's columns, kept as FieldRule keeps its column's name (a reader looks them up by
        // reference first)
        keyColumns = spec.attemptKey().stream()
                .map(element -> alternatives(element).stream().map(String::intern).toList()).toList();
        boolean personal = false;
        for (List<String> columns : keyColumns) {
            for (String k : columns) {
                if (!known.contains(k)) {
                    throw new ConfigException(where + ": attempt-key: '" + k + "' is not in source.columns");
                }
                for (FieldRule r : rules.values()) {
                    personal |= PERSONAL.contains(r.field) && k.equals(r.spec.column());
                }
            }
        }
        personalKey = personal;
        recordId = spec.recordId() == null ? null : spec.recordId().intern();
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
        if (CanonicalField.AWARD.stream().anyMatch(rules::containsKey)) {
            // a credit award names the state's credential it credits, and all of what the award is
            for (CanonicalField must : List.of(CanonicalField.CREDENTIAL_CODE, CanonicalField.INSTITUTION,
                    CanonicalField.PROGRAM, CanonicalField.CREDIT_HOURS)) {
                if (!rules.containsKey(must)) {
                    throw new ConfigException(where + ": fields." + must.key() + " is required in a credit-award mapping "
                            + "(one that maps institution, program or credit_hours)");
                }
            }
        }
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

    private static String keyPart(SourceRow row, List<String> columns) {
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

    /** True for a layout of postsecondary credit awards (it maps institution, program and credit_hours). */
    public boolean awards() {
        return rules.containsKey(CanonicalField.CREDIT_HOURS);
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
        RecordReader records = reader.open(in, check);
        return shared.isEmpty() ? records : new FileNameColumns(records, shared);
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
        for (FieldRule rule : rules.values()) {
            try {
                Object value = rule.read(row);
                if (value != null) {
                    v.put(rule.field, value);
                }
            } catch (FieldRule.InvalidValue e) {
                problems.add(new RowRejection(n, rule.name(), e.getMessage() + at));
            }
        }
        for (CanonicalField must : CanonicalField.AWARD) {
            // an award layout's award fields are required: a row without one is no award
            if (rules.containsKey(CanonicalField.CREDIT_HOURS) && !v.containsKey(must)
                    && problems.stream().noneMatch(p -> p.field().equals(rules.get(must).name()))) {
                problems.add(new RowRejection(n, rules.get(must).name(), "required value is missing" + at));
            }
        }
        if (v.get(CanonicalField.CREDIT_HOURS) instanceof BigDecimal h && (h.signum() <= 0 || h.compareTo(BigDecimal.valueOf(100)) >= 0)) {
            problems.add(new RowRejection(n, rules.get(CanonicalField.CREDIT_HOURS).name(),
                    "credit hours must be above 0 and below 100" + at));
        }
        Object attempted = v.get(CanonicalField.ATTEMPTED_AT);
        LocalDate attemptDay = attempted instanceof OffsetDateTime o ? o.toLocalDate() : (LocalDate) attempted;
        if (attemptDay != null && v.get(CanonicalField.HELD_UNTIL) == null
                && attemptDay.isAfter(FieldRule.today().plusDays(1))) {
            // a credential not yet valid is held (held_until), not refused; any other attempt in the future is
            problems.add(new RowRejection(n, rules.get(CanonicalField.ATTEMPTED_AT).name(),
                    "the attempt is dated in the future (later than " + FieldRule.today().plusDays(1) + ")" + at));
        }
        if (!problems.isEmpty()) {
            return new Outcome(null, problems);
        }
        StringBuilder key = new StringBuilder();
        for (List<String> columns : keyColumns) {
            if (!key.isEmpty()) {
                key.append('|');
            }
            key.append(keyPart(row, columns));
            for (String column : columns) {
                storable(row, column, problems, at);
            }
        }
        if (recordId != null) {
            storable(row, recordId, problems, at);
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
        String ref = recordId == null ? null : row.get(recordId);
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
                list(v.get(CanonicalField.STATUS_ENTRIES)),
                v.get(CanonicalField.CREDIT_HOURS) == null ? null : new CanonicalResult.Award(
                        (String) v.get(CanonicalField.INSTITUTION), (String) v.get(CanonicalField.PROGRAM),
                        (BigDecimal) v.get(CanonicalField.CREDIT_HOURS))), List.of());
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
}
