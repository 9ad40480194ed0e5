package io.gozargah.engine.config;

import java.nio.file.Path;
import java.time.ZoneId;

/**
 * The {@code admission:} section: how quotas are counted and where the counters live. Read at start only;
 * a reload that changes it is logged and ignored (the counters file stays open, month indexes keep their
 * calendar).
 *
 * @param calendar     {@code persian} (Solar Hijri months) or {@code gregorian}
 * @param zone         where billing days start at midnight
 * @param countersFile the memory-mapped counters file, resolved against the config file's directory
 * @param counterSlots records in a newly created counters file (an existing file keeps its own size)
 * @param cluster      quotas and rates held across several gateways through Redis; null when this gateway counts
 *                     alone
 */
public record AdmissionConfig(String calendar, ZoneId zone, Path countersFile, int counterSlots,
                              ClusterConfig cluster) {

    /** A gateway that counts alone. */
    public AdmissionConfig(String calendar, ZoneId zone, Path countersFile, int counterSlots) {
        this(calendar, zone, countersFile, counterSlots, null);
    }

    public static final String DEFAULT_CALENDAR = "persian";
    public static final ZoneId DEFAULT_ZONE = ZoneId.of("Asia/Tehran");
    public static final String DEFAULT_COUNTERS_FILE = "data/counters.dat";
    public static final int DEFAULT_COUNTER_SLOTS = 16384;

    /** What a config without an {@code admission:} section gets, for a config read from {@code source}. */
    public static AdmissionConfig defaults(Path source) {
        return new AdmissionConfig(DEFAULT_CALENDAR, DEFAULT_ZONE, resolve(source, DEFAULT_COUNTERS_FILE),
                DEFAULT_COUNTER_SLOTS);
    }

    /** {@code file} against the directory of {@code source} (the working directory when there is none). */
    static Path resolve(Path source, String file) {
        Path path = Path.of(file);
        if (path.isAbsolute() || source == null) {
            return path;
        }
        Path dir = source.toAbsolutePath().getParent();
        return dir == null ? path : dir.resolve(path).normalize();
    }
}
