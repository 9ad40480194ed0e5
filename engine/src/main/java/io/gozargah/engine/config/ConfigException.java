package io.gozargah.engine.config;

import java.nio.file.Path;

/**
 * Bad configuration, located: the message reads {@code FILE:LINE: FIELD.PATH: reason}, which is what
 * an operator needs to fix it.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final Path file;
    private final int line;
    private final String field;
    private final String reason;

    /**
     * @param file   the config file (may be null for in-memory config)
     * @param line   1-based line, or 0 when unknown
     * @param field  dotted path to the field, e.g. {@code providers.nocr.endpoints[0]}
     * @param reason what is wrong and, where it helps, what is expected
     */
    public ConfigException(Path file, int line, String field, String reason) {
        super((file == null ? "<config>" : file.toString()) + (line > 0 ? ":" + line : "") + ": "
                + (field == null || field.isEmpty() ? "" : field + ": ") + reason);
        this.file = file;
        this.line = line;
        this.field = field;
        this.reason = reason;
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }

    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }
}
