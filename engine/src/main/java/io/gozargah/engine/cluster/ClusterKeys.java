package io.gozargah.engine.cluster;

/**
 * The names of the keys in Redis. A grant's keys and a consumer's keys each share one hash tag ({@code {...}}),
 * so that a Redis Cluster keeps them in one slot and one script may touch them all:
 * <pre>
 *   {PREFIX:g:CONSUMER PROVIDER/SERVICE}:d:DAY     requests of the billing day leased out (an integer)
 *   {PREFIX:g:CONSUMER PROVIDER/SERVICE}:m:MONTH   likewise for the billing month
 *   {PREFIX:g:CONSUMER PROVIDER/SERVICE}:demand    node id -> "requests per second:server ms"
 *   {PREFIX:c:CONSUMER}:demand                     the same for a consumer's overall rate
 * </pre>
 * DAY is the day's index in the calendar's zone and MONTH the calendar's month index, so every node must run
 * the same {@code admission.calendar} and {@code zone}; a new period is a new key, and the old one expires
 * after its period ends.
 */
public final class ClusterKeys {
    private ClusterKeys() {
    }

    /** The hash tag of grant {@code name} ({@code consumer provider/service}). */
    public static String grantTag(String prefix, String grant) {
        return "{" + prefix + ":g:" + grant + "}";
    }

    /** The hash tag of consumer {@code name}. */
    public static String consumerTag(String prefix, String consumer) {
        return "{" + prefix + ":c:" + consumer + "}";
    }

    public static String day(String tag, long dayIndex) {
        return tag + ":d:" + dayIndex;
    }

    public static String month(String tag, long monthIndex) {
        return tag + ":m:" + monthIndex;
    }

    public static String demand(String tag) {
        return tag + ":demand";
    }
}
