package org.credentialhub.mapping;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** A reader whose records also carry the file name's named groups ({@code source.file-name}) as columns. */
record FileNameColumns(RecordReader reader, Map<String, String> shared) implements RecordReader {
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
