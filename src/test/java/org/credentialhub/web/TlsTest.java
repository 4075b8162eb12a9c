package org.credentialhub.web;

import org.credentialhub.accounts.Role;
import org.credentialhub.support.Fixtures;
import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HTTPS on the hub's own server: a keystore from the settings, HSTS, Secure session cookies, no plain HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsTest {
    private static final String STORE_PASSWORD = "test-keystore-password";
    private TestHub hub;
    private Path keystore;
    private Path dir;
    private HttpClient https;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("hub-tls");
        keystore = dir.resolve("hub.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "hub", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD).inheritIO().start();
        assertEquals(0, p.waitFor());
        hub = TestHub.start(Map.of("hub.web.tls", "true", "camel.ssl.key-store", "file:" + keystore,
                "camel.ssl.keystore-password", STORE_PASSWORD));
        hub.runtime.services().accounts.create("ops1", Role.OPS, null, null, Fixtures.PASSWORD, "test");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            trust.load(in, STORE_PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        https = HttpClient.newBuilder().sslContext(ssl).build();
    }

    @AfterAll
    void stop() throws Exception {
        if (hub != null) {
            hub.close();
        }
        org.credentialhub.support.Fixtures.deleteTree(dir);
    }

    @Test
    void theHubServesHttpsWithHstsAndSecureCookies() throws Exception {
        String base = "https://127.0.0.1:" + hub.httpPort;
        HttpResponse<String> health = https.send(HttpRequest.newBuilder(URI.create(base + "/api/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(health.headers().firstValue("Strict-Transport-Security").orElse("").startsWith("max-age="),
                health.headers().map().toString());
        HttpResponse<String> login = https.send(HttpRequest.newBuilder(URI.create(base + "/api/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"ops1\",\"password\":\"" + Fixtures.PASSWORD + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, login.statusCode(), login.body());
        String cookie = login.headers().firstValue("Set-Cookie").orElse("");
        assertTrue(cookie.contains("; Secure") && cookie.contains("HttpOnly"), cookie);
        HttpResponse<String> page = https.send(HttpRequest.newBuilder(URI.create(base + "/ui/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(page.headers().firstValue("Strict-Transport-Security").isPresent(), "pages too");
        // plain HTTP is not served on the port
        assertThrows(Exception.class, () -> {
            HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + hub.httpPort + "/api/health")).build(), HttpResponse.BodyHandlers.ofString());
            if (plain.statusCode() == 200) {
                return;
            }
            throw new IllegalStateException("refused: " + plain.statusCode());
        });
    }
}
