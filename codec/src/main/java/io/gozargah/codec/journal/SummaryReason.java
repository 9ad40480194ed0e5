package io.gozargah.codec.journal;

/**
 * Why exchanges were journaled as a count in a {@link RefusalSummaryFlyweight} instead of one record each: the
 * persisted one-byte reason code. Never renumber, only add.
 */
public final class SummaryReason {
    /** Not known to this version: a newer gateway wrote it. */
    public static final int UNKNOWN = 0;
    /**
     * The journal could not take a record of its own for the exchange: the ring had no room left for records
     * that were not booked by admission (the writer stalled, failed, or the disk was full).
     */
    public static final int JOURNAL_BACKLOG = 1;
    /**
     * A flood of failed authentications from one client address, counted per address and interval instead of
     * recorded singly, so that a client guessing keys cannot fill the journal.
     */
    public static final int AUTHENTICATION_FLOOD = 2;

    private SummaryReason() {
    }

    /** The reason's word in text output ({@code journal-backlog}, {@code authentication-flood}), or {@code unknown-N}. */
    public static String name(int code) {
        return switch (code) {
            case JOURNAL_BACKLOG -> "journal-backlog";
            case AUTHENTICATION_FLOOD -> "authentication-flood";
            default -> "unknown-" + code;
        };
    }
}
