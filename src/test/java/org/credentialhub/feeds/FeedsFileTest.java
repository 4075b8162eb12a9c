package org.credentialhub.feeds;

import org.credentialhub.mapping.Mapping;
import org.credentialhub.support.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config/feeds.yaml and the mapping language refuse mistakes at start-up, naming the file and the key. */
class FeedsFileTest {
    @TempDir
    Path dir;

    private String error(String yaml) throws Exception {
        Path f = dir.resolve("feeds.yaml");
        Files.writeString(f, yaml);
        return assertThrows(ConfigException.class, () -> FeedsFile.load(f)).getMessage();
    }

    private String mappingError(String yaml) throws Exception {
        Path f = dir.resolve("m.yaml");
        Files.writeString(f, yaml);
        return assertThrows(ConfigException.class, () -> Mapping.load(f)).getMessage();
    }

    @Test
    void theProjectsFeedsLoad() {
        FeedsFile f = FeedsFile.load(Path.of("config/feeds.yaml"));
        assertEquals(6, f.sftpFeeds().size());
        assertEquals(2, f.apiFeeds().size());
        assertEquals(1, f.sisFeeds().size());
        assertEquals(Duration.ofDays(7), f.feeds().stream().filter(x -> x.code().equals("tradesreg")).findFirst()
                .orElseThrow().expectedEvery());
    }

    @Test
    void apiFeedMistakesNameTheKey() throws Exception {
        String base = """
                feeds:
                  - code: badges
                    kind: api
                    api:
                      style: ob3
                      base-url: https://x.example
                      auth: oauth2
                      client-id: hub
                """;
        assertTrue(error(base.replace("auth: oauth2", "auth: token")).contains("feeds[0].api.auth: 'token' is not oauth2 or basic"));
        assertTrue(error(base.replace("      client-id: hub\n", "")).contains("feeds[0].api.client-id"));
        assertTrue(error(base.replace("style: ob3", "style: odata")).contains("feeds[0].api.style"));
        assertTrue(error(base + "      pagesize: 5\n").contains("unknown key 'feeds[0].api.pagesize'")
                || error(base + "      pagesize: 5\n").contains("pagesize"));
        assertTrue(error(base + "    cadence: fortnightly\n").contains("feeds[0].cadence"));
        assertTrue(error(base.replace("kind: api", "kind: sftp\n    sftp: {include: 'x'}")).contains("feeds[0].api: only an API feed"));
    }

    @Test
    void mappingMistakesNameTheKey() throws Exception {
        String base = """
                layout: m
                source:
                  format: fixed-width
                  record-tag: { start: 1, length: 1 }
                  trailer: { tag: T, count: { start: 2, length: 9 } }
                  columns:
                    - { name: id, start: 2, end: 11 }
                    - { name: d, start: 12, end: 19 }
                attempt-key: [id]
                fields:
                  exam_code: { value: X }
                  attempted_at: { column: d, format: yyyyMMdd }
                  passed: { value: "true" }
                """;
        Path ok = dir.resolve("m.yaml");
        Files.writeString(ok, base);
        Mapping.load(ok);
        assertTrue(mappingError(base.replace("format: fixed-width", "format: parquet")).contains("source.format 'parquet'"));
        assertTrue(mappingError(base.replace(", end: 11", "")).contains("source.columns[0] (id): a fixed-width column needs start and end"));
        assertTrue(mappingError(base.replace("count: { start: 2, length: 9 }", "count-field: 2"))
                .contains("source.trailer.count"));
        assertTrue(mappingError(base.replace("  format: fixed-width\n", "  format: fixed-width\n  sheets: [A]\n"))
                .contains("source.sheets is for xlsx files"));
        assertTrue(mappingError(base.replace("passed: { value: \"true\" }", "passed: { value: maybe }"))
                .contains("fields.passed.value: 'maybe' not one of"));
        assertTrue(mappingError(base.replace("exam_code: { value: X }", "exam_code: { value: X, column: id }"))
                .contains("fields.exam_code: give either column or value"));
        assertTrue(mappingError(base.replace("passed: { value: \"true\" }", "passed: { value: \"true\", split: \",\" }"))
                .contains("fields.passed: split and part go together"));
    }
}
