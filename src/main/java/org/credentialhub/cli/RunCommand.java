package org.credentialhub.cli;

import picocli.CommandLine.Command;

@Command(name = "run", description = "placeholder")
public final class RunCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("not yet");
    }
}
