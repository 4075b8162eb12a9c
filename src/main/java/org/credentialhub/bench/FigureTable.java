package org.credentialhub.bench;

import org.credentialhub.support.CsvOut;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The bench's figures as an aligned plain-text table, or as CSV through the hub's one CSV writer ({@link CsvOut}). */
public final class FigureTable {
    private final List<Figure> figures = new ArrayList<>();

    public synchronized FigureTable add(Figure f) {
        figures.add(f);
        return this;
    }

    public synchronized FigureTable addAll(List<Figure> fs) {
        figures.addAll(fs);
        return this;
    }

    public synchronized List<Figure> figures() {
        return List.copyOf(figures);
    }

    /** Columns padded to their widest cell, two spaces apart, a rule under the header. */
    public synchronized void print(PrintStream out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(Figure.HEADER);
        figures.forEach(f -> rows.add(f.cells()));
        int[] width = new int[Figure.HEADER.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (int k = 0; k < rows.size(); k++) {
            out.println(line(rows.get(k), width));
            if (k == 0) {
                String[] rule = new String[width.length];
                for (int i = 0; i < width.length; i++) {
                    rule[i] = "-".repeat(width[i]);
                }
                out.println(line(rule, width));
            }
        }
    }

    private static String line(String[] cells, int[] width) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            b.append(cells[i]);
            if (i < cells.length - 1) {
                b.append(" ".repeat(width[i] - cells[i].length() + 2));
            }
        }
        return b.toString().stripTrailing();
    }

    public synchronized String csv() {
        CsvOut csv = new CsvOut().row((Object[]) Figure.HEADER);
        figures.forEach(f -> csv.row((Object[]) f.cells()));
        return csv.toString();
    }

    public void writeCsv(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, csv(), StandardCharsets.UTF_8);
    }
}
