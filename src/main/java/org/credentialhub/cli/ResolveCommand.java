package org.credentialhub.cli;

import org.credentialhub.accounts.Account;
import org.credentialhub.accounts.Role;
import org.credentialhub.exceptions.DecisionFile;
import org.credentialhub.exceptions.Decisions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "resolve", mixinStandardHelpOptions = true,
        description = "Apply district decisions (CSV feed,source,row,decision) through the service the district page uses. "
                + "A decision made on a version of a result that an identity-changing correction replaced, and "
                + "decisions for one result that disagree, are listed and not applied (exit code 1).")
public final class ResolveCommand implements Callable<Integer> {
    /** Decisions not applied that are listed one per line (the counts cover all). */
    private static final int MAX_REPORTED = 200;

    @Option(names = "--decisions", required = true, description = "CSV with columns feed,source,row,decision "
            + "(decision: a student's state ID, or reject)")
    Path decisions;

    @Mixin
    DataDirOption data = new DataDirOption();

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(decisions)) {
            return Exit.error("resolve", "no file " + decisions);
        }
        return data.run("resolve", hub -> {
            var ds = hub.database.dataSource();
            var hmac = hub.hmac();
            DecisionFile file = new DecisionFile(ds, new Decisions(ds, hmac), hmac, hub.feeds(), hub.mappings(),
                    hub.dataDir.resolve("archive"));
            Account who = new Account(0, "cli:" + System.getProperty("user.name", "operator"), Role.OPS, null, null);
            long t0 = System.nanoTime();
            Decisions.BatchOutcome out = file.apply(decisions, who);
            System.out.printf("resolve: %d linked, %d rejected, %d naming a student not on the roster, "
                    + "%d naming no result, %d made on a replaced version, %d conflicting (%.1f s)%n", out.linked(),
                    out.rejected(), out.unknownStudent(), out.notFound(), out.replaced(), out.conflicting(),
                    (System.nanoTime() - t0) / 1e9);
            // decisions not applied: their lineage and why (never the state ID a decision names)
            out.reported().stream().limit(MAX_REPORTED).forEach(line -> System.out.println("  not applied: " + line));
            if (out.reported().size() > MAX_REPORTED) {
                System.out.println("  ... and " + (out.reported().size() - MAX_REPORTED) + " more not applied");
            }
            System.out.println("The next reporting load counts them (or run ./hub report --load).");
            return out.notFound() > 0 || out.unknownStudent() > 0 || !out.reported().isEmpty() ? 1 : 0;
        });
    }
}
