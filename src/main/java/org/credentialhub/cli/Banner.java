package org.credentialhub.cli;

import org.credentialhub.runtime.HubRuntime;
import org.credentialhub.runtime.HubServices;

/** What a person needs to reach the running hub: web address, SFTP accounts, database. */
final class Banner {
    private Banner() {
    }

    static void print(HubRuntime hub, boolean demo) {
        HubServices s = hub.services();
        String port = hub.camel().getPropertiesComponent().resolveProperty("camel.server.port").orElse("8080");
        StringBuilder b = new StringBuilder("\n");
        b.append("credential-hub is running").append(demo ? " (demo: embedded defaults, synthetic data)" : "").append('\n');
        b.append("  Web           http://localhost:").append(port).append("/ui/   (health: /api/health)\n");
        if (s.dropBox != null) {
            b.append("  SFTP          sftp -P ").append(s.dropBox.port()).append(" <account>@localhost   (host key in ")
                    .append(s.dataDir.resolve("secrets")).append(")\n");
            s.sftpPasswords.forEach((account, pw) ->
                    b.append("     account    ").append(account).append("  password ").append(pw)
                            .append("  (inbox/ for files, outbox/ for acknowledgements)\n"));
        } else {
            b.append("  SFTP          external server ").append(s.sftpHost).append(':').append(s.sftpPort).append('\n');
        }
        b.append("  PostgreSQL    ").append(s.database.jdbcUrl())
                .append(s.database.isEmbedded() ? "   (embedded; user postgres, no password)" : "").append('\n');
        b.append("  Data folder   ").append(s.dataDir).append('\n');
        b.append("Stop with Ctrl-C.\n");
        System.out.println(b);
    }
}
