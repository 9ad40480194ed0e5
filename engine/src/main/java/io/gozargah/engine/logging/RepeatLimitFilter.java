package io.gozargah.engine.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Rate-limits repeated warnings and errors: per call site (logger and message pattern, so "upstream X failed:
 * {}" is one site whatever X is) at most {@code burst} lines per {@code periodSeconds}; past that the site is
 * muted until the next period, which opens with one line saying how many were dropped. A failing provider
 * retried thousands of times a second then costs a few lines a minute, not a full disk. Below WARN it answers
 * at once and keeps no state, since turbo filters see every logging call, enabled or not.
 */
public final class RepeatLimitFilter extends TurboFilter {
    static final String SUMMARY_LOGGER = "io.gozargah.logging.suppressed";

    private final Map<String, Site> sites = new ConcurrentHashMap<>();
    private final LongSupplier clock;
    private int burst = 5;
    private long periodNanos = 60_000_000_000L;
    /** Sites are forgotten past this many, so formats built per call cannot grow the map without bound. */
    private int maxSites = 10_000;

    public RepeatLimitFilter() {
        this(System::nanoTime);
    }

    RepeatLimitFilter(LongSupplier clock) {
        this.clock = clock;
    }

    /** Lines a call site may log per period (logback property). */
    public void setBurst(int burst) {
        this.burst = burst;
    }

    public void setPeriodSeconds(int seconds) {
        this.periodNanos = seconds * 1_000_000_000L;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                              Throwable t) {
        if (level == null || !level.isGreaterOrEqual(Level.WARN) || logger.getName().equals(SUMMARY_LOGGER)) {
            return FilterReply.NEUTRAL;
        }
        if (!level.isGreaterOrEqual(logger.getEffectiveLevel())) { // not isEnabledFor: it asks turbo filters
            return FilterReply.NEUTRAL;
        }
        String key = logger.getName() + '|' + (format != null ? format : t != null ? t.getClass().getName() : "");
        if (sites.size() >= maxSites && !sites.containsKey(key)) {
            sites.clear();
        }
        Site site = sites.computeIfAbsent(key, k -> new Site());
        long now = clock.getAsLong();
        long dropped;
        synchronized (site) {
            if (site.count == 0 || now - site.periodStart >= periodNanos) {
                dropped = site.dropped;
                site.periodStart = now;
                site.count = 1;
                site.dropped = 0;
            } else if (site.count < burst) {
                site.count++;
                return FilterReply.NEUTRAL;
            } else {
                site.dropped++;
                return FilterReply.DENY;
            }
        }
        if (dropped > 0) {
            logger.getLoggerContext().getLogger(SUMMARY_LOGGER).warn("{} more like the next line were dropped"
                    + " in the last {} s ({}: {})", dropped, periodNanos / 1_000_000_000L, logger.getName(), format);
        }
        return FilterReply.NEUTRAL;
    }

    private static final class Site {
        long periodStart;
        int count;
        long dropped;
    }
}
