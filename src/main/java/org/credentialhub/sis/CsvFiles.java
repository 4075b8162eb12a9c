package org.credentialhub.sis;

import org.apache.commons.csv.CSVFormat;

import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;

/** How a bundle's CSV files (the manifest and the data files) are read: RFC 4180, strict UTF-8, a BOM left out. */
final class CsvFiles {
    static final CSVFormat CSV = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();

    private CsvFiles() {
    }

    /** UTF-8, strictly: a byte that does not decode fails the record that holds it (its line is named). */
    static Reader reader(InputStream in) {
        return org.credentialhub.mapping.TextInput.strict(in, StandardCharsets.UTF_8);
    }

    /** A header's first name without the byte order mark it may start with. */
    static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }
}
