package io.gozargah.engine.journal;

/**
 * The queue has no room on disk for an excerpt, found before anything of it was written: the queue is as it was,
 * and the writer tries again later. The message says what was refused and by whom, in one line.
 */
final class JournalSpaceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    JournalSpaceException(String message) {
        super(message, null, false, false);
    }
}
