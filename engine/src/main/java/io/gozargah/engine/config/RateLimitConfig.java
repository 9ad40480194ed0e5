package io.gozargah.engine.config;

/**
 * A sustained rate with a burst, as a grant or a consumer is limited (GCRA: an idle caller may send
 * {@code burst} requests at once, then one per {@code 1 / perSecond} seconds).
 *
 * @param perSecond requests per second, {@code > 0}; may be fractional ({@code 60/h} is 1/60)
 * @param burst     requests admitted at one instant by an idle caller, {@code ≥ 1}
 */
public record RateLimitConfig(double perSecond, int burst) {

    /** The burst when none is configured: one second's worth of the rate, at least 1. */
    public static int defaultBurst(double perSecond) {
        return (int) Math.max(1, Math.ceil(perSecond));
    }
}
