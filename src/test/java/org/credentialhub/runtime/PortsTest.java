package org.credentialhub.runtime;

import org.junit.jupiter.api.Test;

import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortsTest {

    @Test
    void aFreePortLiesBelowTheRangeOutgoingConnectionsAreGivenAndCanBeBound() throws Exception {
        int low = Ports.ephemeralLow();
        for (int i = 0; i < 20; i++) {
            int port = Ports.free();
            assertTrue(port >= Ports.LOWEST && port < low, port + " is not in [" + Ports.LOWEST + ", " + low + ")");
            assertDoesNotThrow(() -> {
                try (ServerSocket s = new ServerSocket(port)) {
                    assertTrue(s.isBound());
                }
            });
        }
    }

    @Test
    void aPortAServerListensOnIsNotOffered() throws Exception {
        try (ServerSocket held = new ServerSocket(Ports.free())) {
            for (int i = 0; i < 200; i++) {
                assertTrue(Ports.free() != held.getLocalPort());
            }
        }
    }
}
