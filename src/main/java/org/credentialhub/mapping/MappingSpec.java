package org.credentialhub.mapping;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.LinkedHashMap;
import java.util.List;

/**
 * A mapping file ({@code mappings/<layout>.yaml}) as written: how a vendor layout is read and how its
 * columns become the canonical result. See {@code mappings/README.md} for every key.
 */
public record MappingSpec(
        @JsonProperty(required = true) String layout,
        String description,
        @JsonProperty(required = true) Source source,
        @JsonProperty(value = "attempt-key", required = true) List<String> attemptKey,
        @JsonProperty(required = true) LinkedHashMap<String, FieldSpec> fields) {

    /**
     * @param format    {@code delimited} (more kinds arrive with later layouts)
     * @param encoding  character set of the file (a UTF-8 byte-order mark is always skipped)
     * @param delimiter field separator: "," "\t" "|"
     * @param quote     quote character, or blank for none
     * @param header    whether the first line holds the column names
     * @param columns   the expected columns; a file whose header lacks one or adds one is quarantined
     */
    public record Source(
            @JsonProperty(required = true) String format,
            String encoding,
            String delimiter,
            String quote,
            Boolean header,
            List<String> columns) {
    }

    /**
     * @param column   the source column the field is read from
     * @param format   date/time pattern (java.time), or {@code iso-offset-datetime}
     * @param required a blank value rejects the row
     * @param trueValues  values meaning true (booleans), compared without case
     * @param falseValues values meaning false
     * @param pattern  a regular expression the value must match
     * @param invalid  what a value that does not fit does: {@code reject} the row (default) or {@code blank} the field
     * @param map      a crosswalk of source values to canonical values
     */
    public record FieldSpec(
            @JsonProperty(required = true) String column,
            String format,
            Boolean required,
            @JsonProperty("true") List<String> trueValues,
            @JsonProperty("false") List<String> falseValues,
            String pattern,
            String invalid,
            LinkedHashMap<String, String> map) {
    }
}
