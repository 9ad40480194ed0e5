package io.gozargah.engine.cli;

/**
 * An expected failure the operator can act on (bad config, port in use): {@link Main} prints its message as
 * one line, without a stack trace, and exits with its code.
 */
final class CliFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CliFailure(int exitCode, String message, Throwable cause) {
        super(message, cause, false, false);
        this.exitCode = exitCode;
    }

    /** A configuration the operator must fix: exit code 2, like a usage error. */
    static CliFailure badConfig(String message, Throwable cause) {
        return new CliFailure(Main.EXIT_USAGE, message, cause);
    }

    /** Options that contradict each other or do not parse, caught after picocli's own checks: exit code 2. */
    static CliFailure usage(String message) {
        return new CliFailure(Main.EXIT_USAGE, message, null);
    }

    /** The environment refused (port in use, file not writable): exit code 1. */
    static CliFailure runtime(String message, Throwable cause) {
        return new CliFailure(Main.EXIT_FAILURE, message, cause);
    }

    int exitCode() {
        return exitCode;
    }
}
