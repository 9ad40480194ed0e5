package io.gozargah.engine.admission;

import io.gozargah.engine.admission.CountersReader.Counter;
import io.gozargah.engine.calendar.BillingCalendar;
import io.gozargah.engine.metrics.MetricFamily;
import io.gozargah.engine.metrics.PrometheusText;

import java.util.Comparator;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Quota use as metrics, so that an alert can warn before a consumer is refused: per grant of the running
 * configuration with a daily or monthly quota, {@code gozargah_quota_used} (admitted this billing day or month)
 * and {@code gozargah_quota_limit}, labelled consumer, provider, service and period ({@code day} or
 * {@code month}). Read from the counters file at scrape time, as {@code gozargah stat} reads it; one series
 * per quota, so as many as the config has quotas.
 */
public final class QuotaFamily implements MetricFamily {
    private final CountersReader counters;
    private final BillingCalendar calendar;
    private final LongSupplier epochMillis;

    public QuotaFamily(CountersReader counters, BillingCalendar calendar, LongSupplier epochMillis) {
        this.counters = counters;
        this.calendar = calendar;
        this.epochMillis = epochMillis;
    }

    @Override
    public void write(PrometheusText out) {
        long now = epochMillis.getAsLong();
        long day = calendar.dayIndex(now);
        int month = calendar.monthIndex(now);
        List<Counter> quotas = counters.read().stream()
                .filter(c -> c.kind() == CountersFile.Kind.GRANT && c.inConfig())
                .filter(c -> c.quotaDay() > 0 || c.quotaMonth() > 0)
                .sorted(Comparator.comparing(Counter::name)).toList();
        out.family("gozargah_quota_used", "gauge", "Requests a grant was admitted this billing day or month"
                + " (admission.calendar), by consumer, provider, service and period (day, month).");
        for (Counter c : quotas) {
            if (c.quotaDay() > 0) {
                out.sample("gozargah_quota_used", c.usedOnDay(day), labels(c, "day"));
            }
            if (c.quotaMonth() > 0) {
                out.sample("gozargah_quota_used", c.usedInMonth(month), labels(c, "month"));
            }
        }
        out.family("gozargah_quota_limit", "gauge", "A grant's quota for the billing day or month (quotaDay,"
                + " quotaMonth), by consumer, provider, service and period.");
        for (Counter c : quotas) {
            if (c.quotaDay() > 0) {
                out.sample("gozargah_quota_limit", c.quotaDay(), labels(c, "day"));
            }
            if (c.quotaMonth() > 0) {
                out.sample("gozargah_quota_limit", c.quotaMonth(), labels(c, "month"));
            }
        }
    }

    /** A grant's record is named {@code consumer provider/service}. */
    private static String[] labels(Counter c, String period) {
        String name = c.name();
        int space = name.indexOf(' ');
        int slash = name.indexOf('/', space);
        return new String[] {"consumer", name.substring(0, space), "provider", name.substring(space + 1, slash),
                "service", name.substring(slash + 1), "period", period};
    }
}
