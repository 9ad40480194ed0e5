package io.gozargah.engine.config;

import java.nio.file.Path;

/**
 * Reads and validates a YAML configuration file. To be implemented by the config work; the signature is
 * the contract the engine and CLI are written against.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /** Loads {@code file}; every problem is a {@link ConfigException} naming file, line, field and reason. */
    public static GatewayConfig load(Path file) throws ConfigException {
        throw new UnsupportedOperationException();
    }
}
