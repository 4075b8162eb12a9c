package org.credentialhub.cli;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.credentialhub.runtime.Standalone;
import org.credentialhub.support.ConfigException;
import picocli.CommandLine.Option;

/**
 * The {@code --data-dir} option of the commands that work on the hub's data folder (a picocli {@code @Mixin}), and
 * opening the hub there.
 */
final class DataDirOption {

    @Option(names = "--data-dir", description = "the hub's data folder (default: hub.data.dir, data)")
    String dataDir;

    /** What a command does with the opened hub; returns the exit code. */
    interface Work {
        int on(Standalone hub) throws Exception;
    }

    /** The settings over the configuration: the data folder, when one was given. */
    Map<String, String> overrides() {
        Map<String, String> overrides = new HashMap<>();
        if (dataDir != null) {
            overrides.put("hub.data.dir", dataDir);
        }
        return overrides;
    }

    /** The hub (settings, database, data folder) on the data folder; the caller closes it. */
    Standalone open() throws IOException {
        return new Standalone(overrides());
    }

    /**
     * Runs {@code work} on the opened hub and closes it; a wrong argument or setting ends the command with its
     * message ("command: message") and exit code 2.
     */
    int run(String command, Work work) throws Exception {
        try (Standalone hub = open()) {
            return work.on(hub);
        } catch (IllegalArgumentException | ConfigException e) {
            return Exit.error(command, e.getMessage());
        }
    }
}
