package io.gozargah.engine.cli;

/** Command-line entry point (filled in by the CLI work). */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        throw new UnsupportedOperationException("CLI not built yet");
    }
}
