package org.credentialhub.cli;

import picocli.CommandLine.Command;

@Command(name = "demo", description = "placeholder")
public final class DemoCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("not yet");
    }
}
