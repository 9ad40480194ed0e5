package io.gozargah.engine.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * Active health checks of a provider's endpoints (key {@code healthCheck} of a provider).
 *
 * @param path        request path of the check, sent as a GET to each endpoint
 * @param interval    time between checks of one endpoint (jittered by up to a tenth of it)
 * @param timeout     a check with no complete answer within this fails
 * @param healthy     checks passed in a row that make an unhealthy endpoint healthy
 * @param unhealthy   checks failed in a row that make a healthy endpoint unhealthy
 * @param expectStatus pairs of inclusive status ranges {@code [from0, to0, from1, to1, ...]} a passing check answers
 *                     (copied: the record holds its own)
 */
public record HealthCheckConfig(String path, Duration interval, Duration timeout, int healthy, int unhealthy,
                                int[] expectStatus) {

    public HealthCheckConfig {
        expectStatus = expectStatus.clone();
    }

    /** Compared by value, as the other config records are (a reload that keeps the check keeps its probes). */
    @Override
    public boolean equals(Object o) {
        return o instanceof HealthCheckConfig h && path.equals(h.path) && interval.equals(h.interval)
                && timeout.equals(h.timeout) && healthy == h.healthy && unhealthy == h.unhealthy
                && Arrays.equals(expectStatus, h.expectStatus);
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, interval, timeout, healthy, unhealthy, Arrays.hashCode(expectStatus));
    }

    @Override
    public String toString() {
        return "HealthCheckConfig[path=" + path + ", interval=" + interval + ", timeout=" + timeout + ", healthy="
                + healthy + ", unhealthy=" + unhealthy + ", expectStatus=" + Arrays.toString(expectStatus) + "]";
    }

    /** Whether {@code status} passes the check. */
    public boolean expected(int status) {
        for (int i = 0; i < expectStatus.length; i += 2) {
            if (status >= expectStatus[i] && status <= expectStatus[i + 1]) {
                return true;
            }
        }
        return false;
    }
}
