package org.credentialhub.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./hub} command line: one entry point, one subcommand per task. */
@Command(name = "hub", mixinStandardHelpOptions = true, version = "credential-hub 0.1.0",
        description = "Industry-certification results from vendors into the state's reporting database.",
        subcommands = {DemoCommand.class, RunCommand.class, UserCommand.class, GenerateCommand.class,
                IngestCommand.class, ResolveCommand.class, ReportCommand.class, PurgeCommand.class,
                LinkCommand.class, BenchCommand.class, DrillCommand.class, SisCommand.class})
public final class Hub implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        int code = new CommandLine(new Hub()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
