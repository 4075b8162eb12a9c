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
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A vendor layout, compiled from its mapping file: opens a file of that layout and turns each of its
 * records into a {@link CanonicalResult} or into the reasons it was rejected.
 */
public final class Mapping {
    private static final String ISO_OFFSET = "iso-offset-datetime";

    private final MappingSpec spec;
    private final Path file;
    private final Map<CanonicalField, Rule> rules = new EnumMap<>(CanonicalField.class);
    private final List<String> columns;

    private Mapping(MappingSpec spec, Path file) {
        this.spec = spec;
        this.file = file;
        String where = file.toString();
        MappingSpec.Source source = spec.source();
        if (!"delimited".equals(source.format())) {
            throw new ConfigException(where + ": source.format '" + source.format() + "' is not supported (delimited)");
        }
        if (source.encoding() != null && !Charset.isSupported(source.encoding())) {
            throw new ConfigException(where + ": source.encoding '" + source.encoding() + "' is not a known character set");
        }
        if (source.columns() == null || source.columns().isEmpty()) {
            throw new ConfigException(where + ": source.columns must list the columns of the layout");
        }
        columns = List.copyOf(source.columns());
        Set<String> known = new HashSet<>(columns);
        spec.fields().forEach((key, f) -> {
            CanonicalField field = CanonicalField.byKey(key).orElseThrow(() -> new ConfigException(
                    where + ": fields." + key + ": not a canonical field; use one of " + keys()));
            if (!known.contains(f.column())) {
                throw new ConfigException(where + ": fields." + key + ".column: '" + f.column()
                        + "' is not in source.columns");
            }
            rules.put(field, new Rule(field, f, where + ": fields." + key));
        });
        for (String k : spec.attemptKey()) {
            if (!known.contains(k)) {
                throw new ConfigException(where + ": attempt-key: '" + k + "' is not in source.columns");
            }
        }
        for (CanonicalField must : List.of(CanonicalField.EXAM_CODE, CanonicalField.ATTEMPTED_AT, CanonicalField.PASSED)) {
            if (!rules.containsKey(must)) {
                throw new ConfigException(where + ": fields." + must.key() + " is required in every mapping");
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

    /** Opens a file of this layout; a file whose structure is wrong is rejected whole. */
    public RecordReader open(InputStream in) throws IOException, FileRejectedException {
        return new DelimitedReader(in, spec.source(), columns);
    }

    /** Result of mapping one record: either a canonical result or the reasons it was rejected. */
    public record Outcome(CanonicalResult result, List<RowRejection> rejections) {
        public boolean accepted() {
            return result != null;
        }
    }

    public Outcome apply(SourceRow row) {
        int n = row.rowNumber();
        String structural = row.structuralProblem();
        if (structural != null) {
            return new Outcome(null, List.of(new RowRejection(n, "*", structural)));
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
                problems.add(new RowRejection(n, rule.spec.column(), e.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            return new Outcome(null, problems);
        }
        StringBuilder key = new StringBuilder();
        for (String k : spec.attemptKey()) {
            if (!key.isEmpty()) {
                key.append('|');
            }
            String part = row.get(k);
            key.append(part == null ? "" : part.trim());
        }
        Object when = v.get(CanonicalField.ATTEMPTED_AT);
        OffsetDateTime at = when instanceof OffsetDateTime odt ? odt : null;
        LocalDate on = at != null ? at.toLocalDate() : (LocalDate) when;
        return new Outcome(new CanonicalResult(n, key.toString(),
                (String) v.get(CanonicalField.VENDOR_CANDIDATE_ID),
                (String) v.get(CanonicalField.STATE_STUDENT_ID),
                (String) v.get(CanonicalField.FIRST_NAME),
                (String) v.get(CanonicalField.LAST_NAME),
                (String) v.get(CanonicalField.EMAIL),
                (LocalDate) v.get(CanonicalField.BIRTH_DATE),
                (String) v.get(CanonicalField.DISTRICT_CODE),
                (String) v.get(CanonicalField.SCHOOL_CODE),
                (String) v.get(CanonicalField.SCHOOL_NAME),
                (String) v.get(CanonicalField.EXAM_CODE),
                (String) v.get(CanonicalField.EXAM_NAME),
                on, at,
                (Boolean) v.get(CanonicalField.PASSED),
                (BigDecimal) v.get(CanonicalField.SCORE),
                (String) v.get(CanonicalField.CERTIFICATE_NUMBER)), List.of());
    }

    private static final class InvalidValue extends Exception {
        InvalidValue(String message) {
            super(message, null, false, false);
        }
    }

    /** How one canonical field is read from its column. */
    private static final class Rule {
        final CanonicalField field;
        final MappingSpec.FieldSpec spec;
        final boolean required;
        final boolean blankWhenInvalid;
        final Pattern pattern;
        final DateTimeFormatter dateFormat;
        final boolean isoOffset;
        final Set<String> trueValues = new HashSet<>();
        final Set<String> falseValues = new HashSet<>();

        Rule(CanonicalField field, MappingSpec.FieldSpec spec, String where) {
            this.field = field;
            this.spec = spec;
            boolean mustHave = field == CanonicalField.EXAM_CODE || field == CanonicalField.ATTEMPTED_AT
                    || field == CanonicalField.PASSED;
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
            CanonicalField.Type type = field.type();
            if (type == CanonicalField.Type.DATE || type == CanonicalField.Type.DATE_OR_DATETIME) {
                if (spec.format() == null) {
                    throw new ConfigException(where + ".format: a date field needs a format (e.g. yyyy-MM-dd"
                            + (type == CanonicalField.Type.DATE_OR_DATETIME ? " or " + ISO_OFFSET : "") + ")");
                }
                isoOffset = ISO_OFFSET.equals(spec.format());
                if (isoOffset && type == CanonicalField.Type.DATE) {
                    throw new ConfigException(where + ".format: " + ISO_OFFSET + " is for attempted_at only");
                }
                try {
                    dateFormat = isoOffset ? null : DateTimeFormatter.ofPattern(spec.format().replace("yyyy", "uuuu"), Locale.ROOT)
                            .withResolverStyle(ResolverStyle.STRICT);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(where + ".format: not a date pattern: " + e.getMessage());
                }
            } else {
                dateFormat = null;
                isoOffset = false;
                if (spec.format() != null) {
                    throw new ConfigException(where + ".format: only date fields take a format");
                }
            }
            if (type == CanonicalField.Type.BOOLEAN) {
                if (spec.trueValues() == null || spec.falseValues() == null) {
                    throw new ConfigException(where + ": a boolean field needs 'true' and 'false' value lists");
                }
                spec.trueValues().forEach(t -> trueValues.add(t.toLowerCase(Locale.ROOT)));
                spec.falseValues().forEach(f -> falseValues.add(f.toLowerCase(Locale.ROOT)));
            }
        }

        Object read(SourceRow row) throws InvalidValue {
            String raw = row.get(spec.column());
            String value = raw == null ? null : raw.strip();
            if (value != null && spec.map() != null && spec.map().containsKey(value)) {
                value = spec.map().get(value);
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
                    case TEXT -> value;
                    case DATE, DATE_OR_DATETIME -> isoOffset ? OffsetDateTime.parse(value) : LocalDate.parse(value, dateFormat);
                    case BOOLEAN -> bool(value);
                    case DECIMAL -> new BigDecimal(value);
                };
            } catch (DateTimeParseException e) {
                return invalid("not a valid date in the format " + spec.format());
            } catch (NumberFormatException e) {
                return invalid("not a number");
            } catch (InvalidValue e) {
                return invalid(e.getMessage());
            }
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
            throw new InvalidValue("not one of " + spec.trueValues() + " / " + spec.falseValues());
        }
    }
}
