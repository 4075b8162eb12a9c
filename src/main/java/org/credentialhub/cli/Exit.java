package org.credentialhub.cli;

/** How a command stops on a wrong argument, a missing input or a bad setting: one line on standard error, exit 2. */
final class Exit {

    /** The exit code of a command that could not do its work. */
    static final int ERROR = 2;

    private Exit() {
    }

    /** Prints "command: message" to standard error; returns {@link #ERROR}. */
    static int error(String command, String message) {
        System.err.println(command + ": " + message);
        return ERROR;
    }
}
