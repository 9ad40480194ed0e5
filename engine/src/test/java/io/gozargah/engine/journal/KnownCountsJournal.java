package io.gozargah.engine.journal;

import io.gozargah.engine.exchange.Outcome;

import java.nio.file.Path;

/**
 * A journal with known counts per month, provider and consumer, in both calendars, for report tests. Times are
 * UTC instants; Tehran is UTC+03:30 all year since 2022.
 *
 * <pre>
 *   start (UTC)          Tehran day         persian          gregorian   transactions
 *   2025-02-25T08:00Z    2025-02-25         Esfand 1403      February    2 snapp  nocr/identity
 *   2025-03-10T08:00Z    2025-03-10         Esfand 1403      March       3 tapsi  post/address
 *   2025-03-20T21:00Z    2025-03-21 00:30   Farvardin 1404   March       1 medu   sms/send      (UTC: Esfand 30, 1403)
 *   2025-03-25T08:00Z    2025-03-25         Farvardin 1404   March       4 snapp  post/address
 *   2025-04-15T08:00Z    2025-04-15         Farvardin 1404   April       3 medu   nocr/identity, 2 tapsi sms/send
 *   2025-04-25T08:00Z    2025-04-25         Ordibehesht 1404 April       1 snapp  nocr/identity  429 rate-limited
 * </pre>
 * Persian months: Esfand 1403 5, Farvardin 1404 10, Ordibehesht 1404 1. Gregorian: February 2, March 8, April 6.
 * Providers: post 7, nocr 6, sms 3. Consumers: snapp 7, tapsi 5, medu 4. Outcomes: ok 15, rate-limited 1.
 */
public final class KnownCountsJournal {
    public static final int TRANSACTIONS = 16;

    private KnownCountsJournal() {
    }

    public static void write(Path dir) {
        try (SyntheticJournal j = SyntheticJournal.create(dir)) {
            times(j, 2, "2025-02-25T08:00:00Z", "snapp", "nocr/identity");
            times(j, 3, "2025-03-10T08:00:00Z", "tapsi", "post/address");
            times(j, 1, "2025-03-20T21:00:00Z", "medu", "sms/send");
            times(j, 4, "2025-03-25T08:00:00Z", "snapp", "post/address");
            times(j, 3, "2025-04-15T08:00:00Z", "medu", "nocr/identity");
            times(j, 2, "2025-04-15T09:00:00Z", "tapsi", "sms/send");
            j.transaction().start("2025-04-25T08:00:00Z").consumer("snapp").service("nocr/identity")
                    .outcome(Outcome.RATE_LIMITED, 429).append();
        }
    }

    private static void times(SyntheticJournal j, int n, String start, String consumer, String service) {
        for (int i = 0; i < n; i++) {
            j.transaction().start(start).consumer(consumer).service(service).append();
        }
    }
}
