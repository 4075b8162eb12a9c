package org.credentialhub.cli;

import org.credentialhub.support.CommandRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ingest} reads its API fixtures on a thread of its own while the hub starts; a fixtures file it cannot read
 * still stops the run, with the file and the reason, before any API feed is pulled.
 */
class IngestApiFixturesTest {

    @Test
    @org.junit.jupiter.api.Timeout(60)   // without the check, ingest would wait for pulls from a server that never started
    void anUnreadableFixturesFileStopsTheRunWithItsReason(@TempDir Path tmp) throws Exception {
        Path state = tmp.resolve("state");
        Files.createDirectories(state.resolve("api/badges"));
        Files.writeString(state.resolve("api/badges/credentials.json"), "[1, 2]");   // an array, not an object
        CommandRun r = CommandRun.of(new IngestCommand(), "--data-dir", tmp.resolve("data").toString(),
                state.toString());
        assertNotEquals(0, r.code(), r.text());
        assertTrue(r.text().contains("credentials.json: not a JSON object"), r.text());
        assertTrue(!r.text().contains("all deliveries processed"), "the run went no further: " + r.text());
    }
}
