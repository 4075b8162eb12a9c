package org.credentialhub.cli;

import org.credentialhub.runtime.HubRuntime;
import picocli.CommandLine.Command;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the hub with the configuration in config/ and the environment (production).")
public final class RunCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        HubRuntime hub = new HubRuntime(Map.of());
        hub.run(() -> Banner.print(hub, false));
        return 0;
    }
}
