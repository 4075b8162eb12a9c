package org.credentialhub.mapping;

import org.credentialhub.support.ConfigException;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How one canonical field of a mapping ({@code fields.<key>}) is read from its column: its keys checked when the
 * mapping is loaded, then each record's value cut, crosswalked, parsed and checked, or refused with the reason.
 */
final class FieldRule {
    static final String ISO_OFFSET = "iso-offset-datetime";
    static final String ISO_DATE = "iso-date";
    /** What "today" is for the future-date checks: UTC, one day of slack for the vendor's time zone. */
    static final java.time.Clock TODAY = java.time.Clock.systemUTC();
    /** The last day {@link #today} gave. */
    private static volatile LocalDate today;

    /**
     * Today in UTC ({@link #TODAY}): what {@code LocalDate.now(TODAY)} gives, the date made again only when the day
     * changed (each record's dates are checked against it: the clock and its zone's rules read for each took 2 % of a
     * large file's mapping).
     */
    static LocalDate today() {
        long day = Math.floorDiv(TODAY.millis(), 86_400_000L);
        LocalDate t = today;
        if (t == null || t.toEpochDay() != day) {
            t = LocalDate.ofEpochDay(day);
            today = t;
        }
        return t;
    }

    /** A value that does not fit its field; the message says why. */
    static final class InvalidValue extends Exception {
        InvalidValue(String message) {
            super(message, null, false, false);
        }
    }

    private static final List<String> TRUE = List.of("true", "yes", "y", "1");
    private static final List<String> FALSE = List.of("false", "no", "n", "0");

    final CanonicalField field;
    final MappingSpec.FieldSpec spec;
    /**
     * The column read and the salt's column (null: none), as the one string of their text the JVM keeps: a reader's
     * header names are kept so too, so that looking a column up by name compares two references, not two texts.
     */
    private final String column;
    private final String salt;
    final boolean required;
    final boolean blankWhenInvalid;
    final Pattern pattern;
    final List<DateTimeFormatter> dateFormats = new ArrayList<>();
    /** Each format's fixed shape, read first without its formatter ({@link FixedShapeDates}), or null. */
    final List<FixedShapeDates> dateShapes = new ArrayList<>();
    final boolean isoOffset;
    final List<String> trueList;
    final List<String> falseList;
    final Set<String> trueValues = new HashSet<>();
    final Set<String> falseValues = new HashSet<>();

    FieldRule(CanonicalField field, MappingSpec.FieldSpec spec, String where) {
        this.field = field;
        this.spec = spec;
        this.column = spec.column() == null ? null : spec.column().intern();
        this.salt = spec.salt() == null ? null : spec.salt().intern();
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
                    dateFormats.add(formatter(f));
                    dateShapes.add(FixedShapeDates.of(f));
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
                read(SourceRow.of(0, name -> null, null));
            } catch (InvalidValue e) {
                throw new ConfigException(where + ".value: '" + spec.value() + "' " + e.getMessage());
            }
        }
    }

    String name() {
        return spec.column() != null ? spec.column() : field.key();
    }

    Object read(SourceRow row) throws InvalidValue {
        String raw = spec.value() != null ? spec.value() : row.get(column);
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
                case HASH -> hashed(value, salt == null ? null : row.get(salt));
            };
        } catch (NumberFormatException e) {
            return invalid("not a number");
        } catch (InvalidValue e) {
            return invalid(e.getMessage());
        }
    }

    /** The formatter of a mapping's date format ({@code iso-date} or a pattern): strict, a missing month or day 1. */
    static DateTimeFormatter formatter(String format) {
        return ISO_DATE.equals(format) ? DateTimeFormatter.ISO_LOCAL_DATE
                : new java.time.format.DateTimeFormatterBuilder()
                .appendPattern(format.replace("yyyy", "uuuu"))
                .parseDefaulting(java.time.temporal.ChronoField.MONTH_OF_YEAR, 1)
                .parseDefaulting(java.time.temporal.ChronoField.DAY_OF_MONTH, 1)
                .toFormatter(Locale.ROOT)
                .withResolverStyle(ResolverStyle.STRICT);
    }

    private Object date(String value) throws InvalidValue {
        if (isoOffset) {
            try {
                return FixedShapeDates.isoOffsetDateTime(value);
            } catch (DateTimeParseException e) {
                // try the other formats
            }
        }
        for (int i = 0; i < dateFormats.size(); i++) {
            FixedShapeDates shape = dateShapes.get(i);
            LocalDate fixed = shape == null ? null : shape.read(value);
            if (fixed != null) {
                return fixed;
            }
            try {
                return LocalDate.parse(value, dateFormats.get(i));
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
        if (field == CanonicalField.BIRTH_DATE && day.isAfter(today().plusDays(1))) {
            throw new InvalidValue("the birth is dated in the future (later than " + today().plusDays(1) + ")");
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
