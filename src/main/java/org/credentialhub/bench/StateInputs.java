package org.credentialhub.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.DataFormatter;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.credentialhub.feeds.FeedConfig;
import org.credentialhub.feeds.FeedsFile;
import org.credentialhub.mapping.MappingSpec;
import org.credentialhub.support.Yaml;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The input rows of a state folder (the layout {@code ./hub generate} writes) as {@link PlainCopy} inputs: every
 * OneRoster CSV, every vendor file, every API page, the district entries - the rows {@code ./hub ingest} sends the
 * hub. Text files are copied as they are, in the encoding their mapping names ({@code mappings/<layout>.yaml},
 * {@code source.encoding}); a workbook becomes one line per sheet row (cells as Excel shows them, tab-separated) and
 * a JSON page one line per record ({@code source.records}), written to {@code work} here, before any clock starts.
 */
public final class StateInputs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, FeedConfig> feeds = new java.util.HashMap<>();
    private final Path mappings;
    private final Path work;

    /** With the hub's feeds and mappings ({@code config/feeds.yaml}, {@code mappings/}); converted files go to {@code work}. */
    public StateInputs(Path work) {
        this(Path.of("config/feeds.yaml"), Path.of("mappings"), work);
    }

    public StateInputs(Path feedsFile, Path mappings, Path work) {
        FeedsFile.load(feedsFile).feeds().forEach(f -> feeds.put(f.code(), f));
        this.mappings = mappings;
        this.work = work;
    }

    /** Everything a state folder sends the hub. */
    public List<PlainCopy.Input> all(Path state) throws IOException {
        List<PlainCopy.Input> in = new ArrayList<>();
        for (Path f : files(state.resolve("oneroster"))) {
            if (f.getFileName().toString().endsWith(".csv")) {
                String name = f.getFileName().toString();
                in.add(new PlainCopy.Input(PlainCopy.tableName("oneroster_" + name.substring(0, name.length() - 4)), f, "UTF8"));
            }
        }
        for (Path dir : files(state.resolve("sftp"))) {
            in.addAll(feed(state, "sftp/" + dir.getFileName()));
        }
        for (Path dir : files(state.resolve("api"))) {
            in.addAll(feed(state, "api/" + dir.getFileName()));
        }
        Path entries = state.resolve("district/entries.csv");
        if (Files.isRegularFile(entries)) {
            in.add(input(district(), entries));
        }
        return in;
    }

    /** The files of one feed's folder of a state ({@code sftp/<feed>} or {@code api/<feed>}), in name order. */
    public List<PlainCopy.Input> feed(Path state, String folder) throws IOException {
        String code = Path.of(folder).getFileName().toString();
        FeedConfig feed = feeds.get(code);
        if (feed == null) {
            throw new IOException("no feed " + code + " in the feeds file");
        }
        List<PlainCopy.Input> in = new ArrayList<>();
        for (Path f : files(state.resolve(folder))) {
            if (Files.isRegularFile(f)) {
                in.add(input(feed, f));
            }
        }
        return in;
    }

    private FeedConfig district() throws IOException {
        return feeds.values().stream().filter(f -> "district".equals(f.kind())).findFirst()
                .orElseThrow(() -> new IOException("no district feed in the feeds file"));
    }

    private PlainCopy.Input input(FeedConfig feed, Path file) throws IOException {
        MappingSpec.Source source = Yaml.read(mappings.resolve(feed.layoutName() + ".yaml"), MappingSpec.class).source();
        String table = PlainCopy.tableName(feed.code());
        return switch (source.format()) {
            case "xlsx" -> new PlainCopy.Input(table, workbookText(feed.code(), file), "UTF8");
            case "json" -> new PlainCopy.Input(table, jsonText(feed.code(), file, source.records() == null || source.records().isEmpty() ? null : source.records().get(0)), "UTF8");
            default -> new PlainCopy.Input(table, file, postgresEncoding(source.encoding()));
        };
    }

    /** PostgreSQL's name of a Java character set (US-ASCII is UTF-8's subset). */
    static String postgresEncoding(String javaName) {
        if (javaName == null) {
            return "UTF8";
        }
        return switch (javaName.toUpperCase(Locale.ROOT).replace("_", "-")) {
            case "WINDOWS-1252", "CP1252" -> "WIN1252";
            case "ISO-8859-1", "LATIN1" -> "LATIN1";
            default -> "UTF8";
        };
    }

    private Path target(String feed, Path file) throws IOException {
        Path dir = work.resolve(feed);
        Files.createDirectories(dir);
        return dir.resolve(file.getFileName() + ".txt");
    }

    private Path workbookText(String feed, Path file) throws IOException {
        Path out = target(feed, file);
        DataFormatter cells = new DataFormatter(Locale.US);
        try (InputStream in = Files.newInputStream(file); XSSFWorkbook wb = new XSSFWorkbook(in);
             BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (Sheet sheet : wb) {
                for (Row row : sheet) {
                    StringBuilder line = new StringBuilder();
                    for (int c = 0; c < row.getLastCellNum(); c++) {
                        Cell cell = row.getCell(c);
                        line.append(c > 0 ? "\t" : "").append(cell == null ? "" : cells.formatCellValue(cell));
                    }
                    w.write(line.toString().replace('\n', ' ').replace('\r', ' '));
                    w.write('\n');
                }
            }
        }
        return out;
    }

    private Path jsonText(String feed, Path file, String recordsField) throws IOException {
        Path out = target(feed, file);
        jsonLines(file, recordsField, out);
        return out;
    }

    /** Writes a JSON page's records (its {@code field}, or its first array) to {@code out}, one line each. */
    static void jsonLines(Path file, String recordsField, Path out) throws IOException {
        String field = recordsField(file, recordsField);
        try (JsonParser in = JSON.getFactory().createParser(file.toFile());
             BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            if (in.nextToken() == JsonToken.START_OBJECT) {
                while (in.nextToken() == JsonToken.FIELD_NAME && !in.currentName().equals(field)) {
                    in.nextToken();
                    in.skipChildren();
                }
                if (in.currentToken() != JsonToken.FIELD_NAME) {
                    return;
                }
                in.nextToken();
            }
            if (in.currentToken() == JsonToken.START_ARRAY) {
                while (in.nextToken() != JsonToken.END_ARRAY) {
                    w.write(JSON.writeValueAsString(JSON.readTree(in)));
                    w.write('\n');
                }
            }
        }
    }

    /**
     * The top-level field holding a page's records: {@code named} when the page has it as an array, else its first
     * array (null for a page that is an array itself). Read as a stream: a state's page can be larger than the heap.
     */
    private static String recordsField(Path file, String named) throws IOException {
        try (JsonParser in = JSON.getFactory().createParser(file.toFile())) {
            if (in.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String first = null;
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                String name = in.currentName();
                boolean array = in.nextToken() == JsonToken.START_ARRAY;
                in.skipChildren();
                if (array && name.equals(named)) {
                    return name;
                }
                if (array && first == null) {
                    first = name;
                }
            }
            return first;
        }
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
