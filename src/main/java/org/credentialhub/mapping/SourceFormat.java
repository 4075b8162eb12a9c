package org.credentialhub.mapping;

import org.credentialhub.support.ConfigException;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One source format's share of a mapping file, as its reader checks it: the keys of {@code source} that only
 * that format takes, and the layout's columns as the format places them; opens a file of the format. Each
 * reader makes its own ({@code DelimitedReader.settings(where, source)} and the like); {@link Mapping} keeps
 * what every format shares.
 */
interface SourceFormat {

    /** Takes column {@code c} of {@code source.columns} (its name already checked); refuses keys the format does not take. */
    void column(String at, MappingSpec.Column c);

    /** Opens a file of the format with the columns taken so far. */
    RecordReader open(InputStream in, RecordCheck check) throws IOException, FileRejectedException;

    /**
     * A format as its reader describes it.
     *
     * @param name     the value of {@code source.format}
     * @param keys     the keys of {@code source} only this format takes, name then value
     * @param values   checks the values of those keys that stand alone; run for every mapping, whatever its format
     * @param settings checks the rest of the format's keys and starts its settings, for a mapping of this format
     */
    record Kind(String name, Function<MappingSpec.Source, Object[]> keys,
                BiConsumer<String, MappingSpec.Source> values,
                BiFunction<String, MappingSpec.Source, SourceFormat> settings) {
    }

    /** Every format, in the order their keys are checked. */
    List<Kind> KINDS = List.of(
            new Kind("delimited", DelimitedReader::keys, DelimitedReader::checkValues, DelimitedReader::settings),
            new Kind("fixed-width", FixedWidthReader::keys, FixedWidthReader::checkValues, FixedWidthReader::settings),
            new Kind("xlsx", XlsxReader::keys, XlsxReader::checkValues, XlsxReader::settings),
            new Kind("json", JsonReader::keys, (where, source) -> { }, JsonReader::settings));

    /** A trailer closes delimited and fixed-width files only. */
    static void noTrailer(String where, MappingSpec.Source source) {
        if (source.trailer() != null) {
            throw new ConfigException(where + ": source.trailer is for delimited and fixed-width files");
        }
    }

    /** Opens a file of a format that finds its columns by name, given the columns' names. */
    interface ByName {
        Opener open(List<String> columns);
    }

    /** Opens one file. */
    interface Opener {
        RecordReader open(InputStream in) throws IOException, FileRejectedException;
    }

    /** The settings of a format that finds its columns by name (delimited, xlsx): a column's name is all it takes. */
    static SourceFormat byName(String format, ByName reader) {
        List<String> columns = new java.util.ArrayList<>();
        Opener opener = reader.open(columns);
        return new SourceFormat() {
            @Override
            public void column(String at, MappingSpec.Column c) {
                nameOnly(at, c, format);
                columns.add(c.name());
            }

            @Override
            public RecordReader open(InputStream in, RecordCheck check) throws IOException, FileRejectedException {
                return opener.open(in);
            }
        };
    }

    private static void nameOnly(String at, MappingSpec.Column c, String format) {
        if (Boolean.TRUE.equals(c.all())) {
            throw new ConfigException(at + " (" + c.name() + "): all is for json columns");
        }
        if (c.start() != null || c.end() != null || c.length() != null || c.path() != null) {
            throw new ConfigException(at + " (" + c.name() + "): start/end/length are for fixed-width "
                    + "files, path for json; a " + format + " column is just its name");
        }
    }
}
