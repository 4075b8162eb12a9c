package org.credentialhub.cli;

import org.credentialhub.accounts.Account;
import org.credentialhub.accounts.Role;
import org.credentialhub.runtime.HubServices;
import org.credentialhub.runtime.Standalone;
import org.credentialhub.sis.SisHolds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./hub sis approve|reject DELIVERY}: decides a SIS bundle held for approval (docs/guards.md). The running
 * hub sends the outcome to the SIS's outbox ({@code hub.sis.hold.outcome-poll-ms}).
 */
@Command(name = "sis", mixinStandardHelpOptions = true,
        description = "SIS bundles held for approval: list, approve (apply it as it is) or reject (apply nothing of it).",
        subcommands = {SisCommand.Holds.class, SisCommand.Approve.class, SisCommand.Reject.class})
public final class SisCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    abstract static class Base implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DataDirOption data = new DataDirOption();

        static SisHolds holds(Standalone hub) throws java.io.IOException {
            var ds = hub.database.dataSource();
            return new SisHolds(ds, HubServices.oneRoster(hub.settings, ds, hub.hmac(), hub.dataDir),
                    hub.dataDir.resolve("sis").resolve("verdicts"));
        }
    }

    @Command(name = "holds", mixinStandardHelpOptions = true, description = "Lists held bundles and recent decisions.")
    static final class Holds extends Base {
        @Override
        public Integer call() throws Exception {
            try (Standalone hub = data.open()) {
                for (Map<String, Object> h : holds(hub).list()) {
                    System.out.printf("%s %s %s: %s%s%n", h.get("delivery"), h.get("feed"), h.get("bundle"),
                            h.get("decision") == null && h.get("outcome") == null ? "held" : h.get("decision") + " -> " + h.get("outcome"),
                            h.get("reason") == null ? "" : " (" + h.get("reason") + ")");
                }
                return 0;
            }
        }
    }

    abstract static class Decide extends Base {
        @Parameters(index = "0", paramLabel = "DELIVERY", description = "the held delivery's id")
        long delivery;

        Integer decide(boolean approve) throws Exception {
            return data.run("sis", hub -> {
                Account who = new Account(0, "cli:" + System.getProperty("user.name", "operator"), Role.OPS, null, null);
                Map<Long, String> out = holds(hub).decide(delivery, approve, who);
                out.forEach((id, status) -> System.out.println("sis: delivery " + id + " -> " + status));
                System.out.println("The running hub sends the outcome to the SIS's outbox.");
                return 0;
            });
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, description = "Applies a held bundle as it is.")
    static final class Approve extends Decide {
        @Override
        public Integer call() throws Exception {
            return decide(true);
        }
    }

    @Command(name = "reject", mixinStandardHelpOptions = true, description = "Rejects a held bundle: nothing of it is applied.")
    static final class Reject extends Decide {
        @Override
        public Integer call() throws Exception {
            return decide(false);
        }
    }
}
