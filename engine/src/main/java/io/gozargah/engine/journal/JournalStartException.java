package io.gozargah.engine.journal;

/** The journal could not be opened at start (directory not writable, in use by another gateway, unreadable). */
public final class JournalStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JournalStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
