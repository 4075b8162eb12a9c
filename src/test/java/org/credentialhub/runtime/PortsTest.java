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

    @Test
    void aPortHandedOutIsNotHandedOutAgainBeforeItsServerBindsIt() throws Exception {
        // nothing binds these ports: each was free when handed out, and a second hand-out of one would start two
        // servers on it (a random choice among ~12,000 ports repeats itself within 2,000 choices almost surely)
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            int port = Ports.free();
            assertTrue(seen.add(port), "port " + port + " was handed out twice");
        }
    }
}
