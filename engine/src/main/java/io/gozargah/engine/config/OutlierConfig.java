package io.gozargah.engine.config;

import java.time.Duration;
import java.util.Set;

/**
 * Passive outlier ejection of a provider's endpoints (key {@code outlierDetection} of a provider). Defaults
 * follow Envoy's: 5 consecutive gateway failures eject for 30 s, doubling on each repeat up to 300 s.
 *
 * @param consecutiveFailures failures in a row, of the kinds in {@code on}, that eject an endpoint (0: never)
 * @param on                  which outcomes count as failures
 * @param baseEjectionTime    the first ejection's length; the n-th lasts {@code 2^(n-1)} times it
 * @param maxEjectionTime     the cap on an ejection's length
 * @param maxEjectedPercent   most endpoints of the provider ejected at once, as a share (at least one may be)
 * @param panicThreshold      below this share of usable endpoints (percent) the balancer uses all of them
 */
public record OutlierConfig(int consecutiveFailures, Set<FailureKind> on, Duration baseEjectionTime,
                            Duration maxEjectionTime, int maxEjectedPercent, int panicThreshold) {
    public static final OutlierConfig DEFAULT = new OutlierConfig(5,
            Set.of(FailureKind.CONNECT, FailureKind.RESET, FailureKind.TIMEOUT, FailureKind.GATEWAY),
            Duration.ofSeconds(30), Duration.ofSeconds(300), 10, 50);

    /**
     * Whether a failure of {@code kind} counts towards an ejection: listed in {@code on}, or a gateway error (502,
     * 503, 504) where {@code on} lists any 5xx.
     */
    public boolean counts(FailureKind kind) {
        return on.contains(kind) || (kind == FailureKind.GATEWAY && on.contains(FailureKind.SERVER_ERROR));
    }
}
