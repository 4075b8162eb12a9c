package org.credentialhub.mapping;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A date or date-time read without its formatter ({@link FixedShapeDates}) is the one the formatter reads, and every
 * value the formatter reads in the fixed shape is read so: random values of each shape, days that exist and days that
 * do not (months 00-19, days 00-39, 29 February of leap and other years), times and offsets in and out of range,
 * and values of other shapes.
 */
class FixedShapeDatesTest {

    @Test
    void aDateOfItsFormatsShapeIsTheDayItsFormatterReads() {
        Random random = new Random(44);
        for (String format : List.of("yyyy-MM-dd", FieldRule.ISO_DATE, "MM/dd/yyyy", "yyyyMMdd", "dd.MM.yyyy")) {
            FixedShapeDates shape = FixedShapeDates.of(format);
            assertNotNull(shape, format);
            DateTimeFormatter formatter = FieldRule.formatter(format);
            String pattern = FieldRule.ISO_DATE.equals(format) ? "yyyy-MM-dd" : format;
            int read = 0;
            for (int i = 0; i < 20_000; i++) {
                String value = pattern.replace("yyyy", year(random)).replace("MM", two(random, 20))
                        .replace("dd", two(random, 40));
                if (random.nextInt(20) == 0) {   // another shape: a character changed, added or dropped
                    value = mangled(random, value);
                }
                LocalDate expected = parsed(value, formatter);
                LocalDate fixed = shape.read(value);
                if (expected != null && value.length() == pattern.length()) {
                    assertEquals(expected, fixed, format + " " + value);
                    read++;
                } else if (fixed != null) {
                    assertEquals(expected, fixed, format + " " + value);
                }
            }
            assertTrue(read > 5_000, format + ": " + read + " days read");
        }
        for (String format : List.of("M/d/yyyy", "yy-MM-dd", "yyyy-MMM-dd", "'on' yyyy-MM-dd", "yyyy-MM", "dd-MM-yyyy-dd")) {
            assertNull(FixedShapeDates.of(format), format);
        }
    }

    @Test
    void anIsoDateTimeWithAnOffsetIsTheOneTheParserReads() {
        Random random = new Random(45);
        int read = 0;
        for (int i = 0; i < 50_000; i++) {
            String value = year(random) + "-" + two(random, 14) + "-" + two(random, 34) + "T" + two(random, 26) + ":"
                    + two(random, 62) + ":" + two(random, 62)
                    + switch (random.nextInt(4)) {
                        case 0 -> "Z";
                        case 1 -> "+" + two(random, 20) + ":" + two(random, 62);
                        default -> "-" + two(random, 20) + ":" + two(random, 62);
                    };
            if (random.nextInt(20) == 0) {
                value = mangled(random, value);
            }
            OffsetDateTime expected;
            try {
                expected = OffsetDateTime.parse(value);
            } catch (DateTimeParseException e) {
                expected = null;
            }
            OffsetDateTime either;
            try {
                either = FixedShapeDates.isoOffsetDateTime(value);
            } catch (DateTimeParseException e) {
                either = null;
            }
            assertEquals(expected, either, value);   // what the parser reads, and refuses, whatever the shape
            OffsetDateTime fixed = FixedShapeDates.isoOffset(value);
            if (fixed != null || (expected != null && (value.length() == 20 || value.length() == 25)
                    && value.charAt(10) == 'T' && (value.endsWith("Z") || value.length() == 25))) {
                assertEquals(expected, fixed, value);
                read += fixed != null ? 1 : 0;
            }
        }
        assertTrue(read > 5_000, read + " date-times read");
    }

    private static LocalDate parsed(String value, DateTimeFormatter formatter) {
        try {
            return LocalDate.parse(value, formatter);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** A year, mostly of this century, now and then a leap year's or year 0's. */
    private static String year(Random random) {
        int y = switch (random.nextInt(10)) {
            case 0 -> random.nextInt(10_000);
            case 1 -> 4 * random.nextInt(2500);
            default -> 1990 + random.nextInt(40);
        };
        return String.format("%04d", y);
    }

    private static String two(Random random, int below) {
        return String.format("%02d", random.nextInt(below));
    }

    private static String mangled(Random random, String value) {
        int at = random.nextInt(value.length());
        String other = String.valueOf("0123456789-/.:T+Z x".charAt(random.nextInt(19)));
        return switch (random.nextInt(3)) {
            case 0 -> value.substring(0, at) + other + value.substring(at + 1);
            case 1 -> value.substring(0, at) + other + value.substring(at);
            default -> value.substring(0, at) + value.substring(at + 1);
        };
    }
}
