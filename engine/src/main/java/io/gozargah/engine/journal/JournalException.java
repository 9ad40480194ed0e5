package io.gozargah.engine.journal;

/**
 * A journal that cannot be read as it stands: missing, empty, or holding an excerpt this reader cannot decode
 * (truncated, unknown record type, unknown schema version). The message is one line an operator can act on,
 * naming the record when there is one.
 */
public final class JournalException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient JournalPosition position;

    public JournalException(String message) {
        this(message, null, null);
    }

    public JournalException(String message, JournalPosition position, Throwable cause) {
        super(position == null ? message : position + ": " + message, cause);
        this.position = position == null ? null : position.copy();
    }

    /** {@code cause}'s message with {@code prefix} in front, and its position. */
    public JournalException(String prefix, JournalException cause) {
        super(prefix + cause.getMessage(), cause);
        this.position = cause.position;
    }

    /** Where the journal stopped making sense, or null when it could not be opened at all. */
    public JournalPosition position() {
        return position;
    }
}
