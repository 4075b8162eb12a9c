package org.credentialhub.dropbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drop-box client's ciphers: it prefers what it is told (the hub's own SFTP client's order in this JVM, {@code
 * intake.SftpKeyExchange#ciphers}), against the hub's real drop-box server. MINA's own first choice is
 * ChaCha20-Poly1305, plain Java on both ends, where a command's JVM runs the JDK's AES-GCM on the processor's AES
 * instructions.
 */
class SftpUploadTest {

    @Test
    void theConnectionUsesTheFirstCipherOfThePreferenceThatTheServerTakes(@TempDir Path dir) throws Exception {
        DropBox.Account vendor = new DropBox.Account("certexam", "vendor-password-0123", null);
        DropBox.Account service = new DropBox.Account("hub", "service-password-0123", null);
        try (DropBox box = new DropBox(dir.resolve("root"), "127.0.0.1", 0, dir.resolve("hostkey"), List.of(vendor),
                service)) {
            box.start();
            for (String first : List.of("aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com", "aes256-ctr")) {
                try (SftpUpload up = new SftpUpload("127.0.0.1", box.port(), "certexam", "vendor-password-0123",
                        "not-a-cipher," + first + ",aes128-ctr")) {
                    assertEquals(first, up.cipher());
                    byte[] content = ("exam,result\n" + first + ",pass\n").getBytes(StandardCharsets.UTF_8);
                    String name = "results-" + first.replaceAll("[^a-z0-9]", "") + ".csv";
                    up.put("inbox/" + name, content);
                    assertArrayEquals(content, Files.readAllBytes(dir.resolve("root/certexam/inbox").resolve(name)));
                }
            }
        }
    }

    @Test
    void minasOthersComeAfterThePreferredOnesInItsOrder() throws Exception {
        try (var client = org.apache.sshd.client.SshClient.setUpDefaultClient()) {
            List<String> mina = client.getCipherFactories().stream().map(f -> f.getName()).toList();
            List<String> ordered = SftpUpload.ciphers("aes256-gcm@openssh.com,unknown,aes128-gcm@openssh.com",
                    client.getCipherFactories()).stream().map(f -> f.getName()).toList();
            assertEquals(List.of("aes256-gcm@openssh.com", "aes128-gcm@openssh.com"), ordered.subList(0, 2));
            assertEquals(mina.stream().filter(n -> !n.startsWith("aes256-gcm") && !n.startsWith("aes128-gcm")).toList(),
                    ordered.subList(2, ordered.size()));
        }
    }
}
