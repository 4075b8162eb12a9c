package org.credentialhub.mapping;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.LinkedHashMap;
import java.util.List;

/**
 * A mapping file ({@code mappings/<layout>.yaml}) as written: how a vendor layout is read and how its
 * columns become the canonical result. {@code mappings/README.md} describes every key.
 */
public record MappingSpec(
        @JsonProperty(required = true) String layout,
        String description,
        @JsonProperty(required = true) Source source,
        @JsonProperty(value = "attempt-key", required = true) List<String> attemptKey,
        @JsonProperty("record-id") String recordId,
        @JsonProperty(required = true) LinkedHashMap<String, FieldSpec> fields) {

    /**
     * How the file is read.
     *
     * @param format          {@code delimited}, {@code fixed-width}, {@code xlsx} or {@code json}
     * @param encoding        character set of a text file (a UTF-8 byte-order mark is always skipped)
     * @param delimiter       delimited: field separator ("," "\t" "|")
     * @param quote           delimited: quote character, or blank for none
     * @param header          delimited: the first line holds the column names (default true);
     *                        fixed-width: the first line holds column titles, each at its column's start (default false)
     * @param columns         the layout's columns: names (delimited, xlsx), names with positions (fixed-width),
     *                        names with JSON paths (json)
     * @param extraColumns    a header with columns the mapping does not list: {@code reject} the file (default) or {@code ignore}
     * @param skipLines       lines (or rows) before the header or the first record: titles and the like
     * @param endsWithNewline the last record must end with a line break; a file that does not was cut short
     * @param trailer         the trailer record that closes the file and counts its detail records
     * @param recordTag       fixed-width: where the record type sits
     * @param detailTag       fixed-width: the record type of detail records
     * @param headerRecord    fixed-width: the header record that opens the file
     * @param sheets          xlsx: the sheets to read (default: every sheet)
     * @param headerRow       xlsx: the row (1-based) of the column names on every sheet (default 1)
     * @param records         json: the dotted path of the array of records (default: the document itself), or
     *                        several top-level keys whose arrays are read one after the other, in the document's order
     *                        ({@code $} among them: a document with none of the keys is itself the records)
     * @param fileName        a regular expression the file name must match; its named groups
     *                        ({@code (?<district>\\d+)}) are columns every record of the file shares
     * @param overLongLines   fixed-width: a detail record with text past the layout's last column: {@code reject}
     *                        the row (default) or {@code quarantine} the file
     * @param hiddenSheets    xlsx: a hidden sheet the mapping does not list by name: {@code skip} it with a
     *                        warning (default) or {@code quarantine} the file
     * @param standard        json: the records are verifiable credentials of a standard the hub checks before
     *                        mapping them ({@code open-badges-3}, {@code clr-2}: {@link RecordCheck}); the check's
     *                        verdict adds the columns {@link RecordCheck#COLUMNS}
     */
    public record Source(
            @JsonProperty(required = true) String format,
            String encoding,
            String delimiter,
            String quote,
            Boolean header,
            List<Column> columns,
            @JsonProperty("extra-columns") String extraColumns,
            @JsonProperty("skip-lines") Integer skipLines,
            @JsonProperty("ends-with-newline") Boolean endsWithNewline,
            Trailer trailer,
            @JsonProperty("record-tag") Position recordTag,
            @JsonProperty("detail-tag") String detailTag,
            @JsonProperty("header-record") HeaderRecord headerRecord,
            List<String> sheets,
            @JsonProperty("header-row") Integer headerRow,
            @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> records,
            @JsonProperty("file-name") String fileName,
            @JsonProperty("over-long-lines") String overLongLines,
            @JsonProperty("hidden-sheets") String hiddenSheets,
            String standard) {
    }

    /**
     * A column of the layout. Written as its name alone ({@code examCode}) or with its place:
     * {@code {name: testCode, start: 72, end: 79}} (fixed-width, 1-based, inclusive; or {@code length}),
     * {@code {name: examCode, path: credentialSubject.achievement.humanCode}} (json; a list of paths
     * takes the first that has a value; {@code all: true} takes every value of every path, one a line, for a
     * list field such as {@code exam_ids}).
     */
    public record Column(@JsonProperty(required = true) String name, Integer start, Integer end, Integer length,
                         List<String> path, Boolean all) {
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static Column named(String name) {
            return new Column(name, null, null, null, null, null);
        }

        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        public Column(@JsonProperty(value = "name", required = true) String name, @JsonProperty("start") Integer start,
                      @JsonProperty("end") Integer end, @JsonProperty("length") Integer length,
                      @JsonProperty("path") List<String> path, @JsonProperty("all") Boolean all) {
            this.name = name;
            this.start = start;
            this.end = end;
            this.length = length;
            this.path = path;
            this.all = all;
        }
    }

    /** A place in a fixed-width record, 1-based and inclusive ({@code end} or {@code length}). */
    public record Position(@JsonProperty(required = true) Integer start, Integer end, Integer length) {
    }

    /**
     * @param tag        delimited: the first field of the trailer line ({@code TRL}); fixed-width: its record type
     * @param countField delimited: the field (1-based) holding the number of detail records
     * @param count      fixed-width: where the number of detail records sits
     * @param required   a file without its trailer was cut short (default true)
     */
    public record Trailer(@JsonProperty(required = true) String tag, @JsonProperty("count-field") Integer countField,
                          Position count, Boolean required) {
    }

    /** @param tag the header record's type; @param required a file that does not open with it is refused (default true) */
    public record HeaderRecord(@JsonProperty(required = true) String tag, Boolean required) {
    }

    /**
     * @param column      the source column the field is read from
     * @param value       a constant instead of a column
     * @param defaultValue the value used when the column is blank
     * @param format      date patterns (java.time; the first that fits wins), {@code iso-offset-datetime} or {@code iso-date}
     * @param required    a blank value rejects the row
     * @param trueValues  values meaning true (booleans), compared without case
     * @param falseValues values meaning false
     * @param pattern     a regular expression the value must match
     * @param invalid     what a value that does not fit does: {@code reject} the row (default) or {@code blank} the field
     * @param map         a crosswalk of source values to canonical values
     * @param split       a separator that cuts the value into parts ({@code ","} for {@code Last, First})
     * @param part        the part (1-based) the field takes
     * @param salt        hashed fields ({@code name_hash}, {@code birth_date_hash}): the column holding the salt
     */
    public record FieldSpec(
            String column,
            String value,
            @JsonProperty("default") String defaultValue,
            List<String> format,
            Boolean required,
            @JsonProperty("true") List<String> trueValues,
            @JsonProperty("false") List<String> falseValues,
            String pattern,
            String invalid,
            LinkedHashMap<String, String> map,
            String split,
            Integer part,
            String salt) {
    }
}
