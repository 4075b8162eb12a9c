package org.credentialhub.standards;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A status list server that is down costs one request per retry interval, not one per credential on the list. */
class StatusListsTest {

    @Test
    void aListThatCannotBeReadIsAskedForAgainOnlyAfterTheRetryInterval() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/list", ex -> {
            hits.incrementAndGet();
            ex.sendResponseHeaders(503, -1);
            ex.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/list";
            StatusLists lists = new Verification(Map.of(), Duration.ofMinutes(5), Duration.ofMillis(800),
                    Duration.ofHours(1), "http", Path.of("no-contexts")).statusLists();
            for (int i = 0; i < 50; i++) {
                assertEquals(StatusLists.State.UNKNOWN,
                        lists.state(List.of(StatusLists.BITSTRING + " revocation " + url + " " + i)));
            }
            assertEquals(1, hits.get(), "fifty credentials on a list that is down: one request");
            Thread.sleep(1_000);
            assertEquals(StatusLists.State.UNKNOWN, lists.state(List.of(StatusLists.BITSTRING + " revocation " + url + " 0")));
            assertEquals(2, hits.get(), "after the retry interval the list is asked for again");
        } finally {
            server.stop(0);
        }
    }
}
