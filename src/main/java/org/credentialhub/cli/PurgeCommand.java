package org.credentialhub.cli;

import org.credentialhub.retention.RetentionPurge;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "purge", mixinStandardHelpOptions = true,
        description = "Run the retention purge now (what the nightly hub.retention.cron job does): vendor-sent "
                + "identities of decided results past hub.retention.vendor-identity-days, archived files past "
                + "hub.retention.archive-days, expired web sessions. Prints counts only.")
public final class PurgeCommand implements Callable<Integer> {

    @Option(names = "--dry-run", description = "count what would be purged; change nothing")
    boolean dryRun;

    @Mixin
    DataDirOption data = new DataDirOption();

    @Override
    public Integer call() throws Exception {
        return data.run("purge", hub -> {
            RetentionPurge purge = RetentionPurge.from(hub.settings::get, hub.database.dataSource(),
                    hub.dataDir.resolve("archive"));
            RetentionPurge.Outcome out = purge.run("cli", dryRun);
            System.out.printf("purge%s: %d vendor identities (decided, older than %d days), %d archived files "
                            + "(older than %d days), %d expired sessions%s%n",
                    dryRun ? " --dry-run" : "", out.identities(), purge.identityDays(), out.files(), purge.archiveDays(),
                    out.sessions(), dryRun ? " would be purged; nothing changed" : " purged (run " + out.runId() + ")");
            return 0;
        });
    }
}
