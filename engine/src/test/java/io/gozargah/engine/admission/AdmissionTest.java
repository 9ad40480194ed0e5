package io.gozargah.engine.admission;

import io.gozargah.engine.auth.ApiKeys;
import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.exchange.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admission decision with time driven by the test: no sockets, no sleeps. */
class AdmissionTest {
    private static final long SECOND = 1_000_000_000L;
    /** 2025-06-01 12:00 in Tehran (08:30 UTC): 11 Khordad 1404, 12 hours before the day ends. */
    private static final long NOON = Instant.parse("2025-06-01T08:30:00Z").toEpochMilli();
    private static final long DAY_MILLIS = 86_400_000L;

    @TempDir
    Path dir;

    private final List<Admission> opened = new ArrayList<>();

    @AfterEach
    void close() throws IOException {
        for (Admission a : opened) {
            a.close();
        }
    }

    private GatewayConfig config(String consumerExtra, String grantsYaml, String providerExtra, String serviceExtra)
            throws Exception {
        String yaml = ""
                + "server:\n"
                + "  listeners: [ { host: 127.0.0.1, port: 0 } ]\n"
                + "admission:\n"
                + "  countersFile: counters.dat\n"
                + "providers:\n"
                + "  nocr:\n"
                + "    endpoints: [ \"http://127.0.0.1:9\" ]\n"
                + providerExtra
                + "    services:\n"
                + "      identity: { path: /id " + serviceExtra + "}\n"
                + "      other: { path: /other }\n"
                + "consumers:\n"
                + "  snapp:\n"
                + "    apiKeys: [ \"" + ApiKeys.configHash("gzk_test_snapp") + "\" ]\n"
                + consumerExtra
                + "    grants:\n"
                + grantsYaml;
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return ConfigLoader.load(file);
    }

    private Admission open(GatewayConfig config, long nowNanos) throws IOException {
        Admission admission = Admission.open(config.admission(), () -> nowNanos);
        opened.add(admission);
        return admission;
    }

    private static AdmissionPlan plan(Admission admission, GatewayConfig config, long nowNanos) {
        Map<String, Integer> services = new HashMap<>();
        services.put("nocr/identity", 0);
        services.put("nocr/other", 1);
        Map<String, Integer> consumers = new HashMap<>();
        consumers.put("snapp", 0);
        return admission.plan(config, services, consumers, nowNanos);
    }

    @Test
    void shouldAdmitTheBurstThenRefuseWithTheWholeSecondsUntilTheNextRequestPasses() throws Exception {
        GatewayConfig config = config("", "      - { service: nocr/identity, rate: 10, burst: 5 }\n", "", "");
        long t0 = 1_000 * SECOND;
        Admission admission = open(config, t0);
        GrantPolicy g = plan(admission, config, t0).grant(0, 0);
        AdmissionTicket t = new AdmissionTicket();
        for (int i = 0; i < 5; i++) {
            assertNull(admission.admit(g, t, t0, NOON), "request " + i);
        }
        assertSame(Outcome.RATE_LIMITED, admission.admit(g, t, t0, NOON));
        assertEquals(1, t.retryAfterSeconds(), "100 ms rounds up to 1 s");
        assertTrue(t.detail().contains("10 requests per second with a burst of 5"), t.detail());
        assertNull(admission.admit(g, t, t0 + SECOND / 10, NOON));
        assertSame(Outcome.RATE_LIMITED, admission.admit(g, t, t0 + SECOND / 10, NOON));
    }

    @Test
    void shouldConfirmARateRefusalWithAFreshClockReadingBeforeRefusing() throws Exception {
        GatewayConfig config = config("", "      - { service: nocr/identity, rate: 10, burst: 1 }\n", "", "");
        AtomicLong clock = new AtomicLong(0);
        Admission admission = Admission.open(config.admission(), clock::get);
        opened.add(admission);
        GrantPolicy g = plan(admission, config, 0).grant(0, 0);
        AdmissionTicket t = new AdmissionTicket();
        assertNull(admission.admit(g, t, 0, NOON));
        assertNull(admission.admit(g, t, SECOND / 10, NOON), "another thread, one interval later");
        clock.set(SECOND / 5);
        assertNull(admission.admit(g, t, 0, NOON), "read at 0, judged at its fresh reading 0.2 s: on time");
        assertSame(Outcome.RATE_LIMITED, admission.admit(g, t, SECOND / 5, NOON), "a fresh reading does not help");
        assertEquals(1, t.retryAfterSeconds());
    }

    @Test
    void shouldGiveRetryAfterInWholeSecondsForSlowRates() throws Exception {
        GatewayConfig config = config("", "      - { service: nocr/identity, rate: 6/m, burst: 1 }\n", "", "");
        long t0 = 0;
        Admission admission = open(config, t0);
        GrantPolicy g = plan(admission, config, t0).grant(0, 0);
        AdmissionTicket t = new AdmissionTicket();
        assertNull(admission.admit(g, t, t0, NOON));
        assertSame(Outcome.RATE_LIMITED, admission.admit(g, t, t0 + 2 * SECOND + 1, NOON));
        assertEquals(8, t.retryAfterSeconds(), "10 s interval, 2 s and 1 ns gone: 7.99... s rounds up to 8");
        assertNull(admission.admit(g, t, t0 + 10 * SECOND, NOON));
    }

    @Test
    void shouldNotConsumeTheGrantRateWhenTheConsumerRateRefuses() throws Exception {
        GatewayConfig config = config("    rate: 1\n    burst: 2\n",
                "      - { service: nocr/identity, rate: 100, burst: 3 }\n"
                        + "      - { service: nocr/other, rate: 100, burst: 3 }\n", "", "");
        long t0 = 0;
        Admission admission = open(config, t0);
        AdmissionPlan plan = plan(admission, config, t0);
        GrantPolicy identity = plan.grant(0, 0);
        GrantPolicy other = plan.grant(0, 1);
        AdmissionTicket t = new AdmissionTicket();
        assertNull(admission.admit(identity, t, t0, NOON));
        assertNull(admission.admit(other, t, t0, NOON));
        for (int i = 0; i < 10; i++) {
            assertSame(Outcome.RATE_LIMITED, admission.admit(identity, t, t0, NOON));
            assertTrue(t.detail().contains("over all its services"), t.detail());
        }
        // The consumer's interval later, one more passes; the grant still had 2 of its burst left: the ten
        // refusals took nothing from it.
        assertNull(admission.admit(identity, t, t0 + SECOND, NOON));
        t.policy = identity;
        t.nowNanos = t0 + SECOND;
        t.epochMillis = NOON;
        t.period = admission.calendar().periodAt(NOON);
        assertEquals("\"grant\";r=2;t=1, \"consumer\";r=0;t=2", field(admission, t));
        assertEquals(2, usedToday(admission, identity));
    }

    @Test
    void shouldRefuseTheDailyQuotaUntilTheBillingDayEndsAndNotCountRefusals() throws Exception {
        GatewayConfig config = config("", "      - { service: nocr/identity, quotaDay: 3, quotaMonth: 100 }\n", "", "");
        Admission admission = open(config, 0);
        GrantPolicy g = plan(admission, config, 0).grant(0, 0);
        AdmissionTicket t = new AdmissionTicket();
        for (int i = 0; i < 3; i++) {
            assertNull(admission.admit(g, t, i, NOON));
        }
        assertSame(Outcome.QUOTA_EXHAUSTED, admission.admit(g, t, 3, NOON));
        assertEquals(12 * 3600, t.retryAfterSeconds(), "until Tehran midnight");
        assertSame(Outcome.QUOTA_EXHAUSTED, admission.admit(g, t, 4, NOON + 3_600_000));
        assertEquals(3, usedToday(admission, g));
        assertEquals(3, usedThisMonth(admission, g), "refusals are not counted");
        long nextDay = NOON + DAY_MILLIS;
        assertNull(admission.admit(g, t, 5, nextDay), "a new day starts with a fresh count, no sweep needed");
        assertEquals(1, PeriodCounter.countIn(admission.counters().buffer().getLongVolatile(g.grantRecord
                + CountersFile.DAY_OFFSET), admission.calendar().dayIndex(nextDay)));
        assertEquals(4, usedThisMonth(admission, g, nextDay));
    }

    @Test
    void shouldRefuseTheMonthlyQuotaUntilTheNextPersianMonthWithoutCountingTheDay() throws Exception {
        GatewayConfig config = config("", "      - { service: nocr/identity, quotaMonth: 2 }\n", "", "");
        Admission admission = open(config, 0);
        GrantPolicy g = plan(admission, config, 0).grant(0, 0);
        AdmissionTicket t = new AdmissionTicket();
        // 30 Esfand 1403 (2025-03-20) 12:00 Tehran; Farvardin 1404 starts 2025-03-20T20:30Z.
        long esfand30 = Instant.parse("2025-03-20T08:30:00Z").toEpochMilli();
        assertNull(admission.admit(g, t, 0, esfand30));
        assertNull(admission.admit(g, t, 0, esfand30));
        assertSame(Outcome.QUOTA_EXHAUSTED, admission.admit(g, t, 0, esfand30));
        assertEquals(12 * 3600, t.retryAfterSeconds());
        assertTrue(t.detail().contains("monthly quota of 2"), t.detail());
        assertEquals(2, usedToday(admission, g, esfand30), "the refused request was taken back from the day");
        assertNull(admission.admit(g, t, 0, Instant.parse("2025-03-20T20:30:00Z").toEpochMilli()), "Nowruz");
    }

    @Test
    void shouldRefuseOverTheServiceInFlightCapAtOnceAndAdmitAgainOnRelease() throws Exception {
        GatewayConfig config = config("", "      - { service: nocr/identity, quotaDay: 100 }\n", "", ", maxInFlight: 2 ");
        Admission admission = open(config, 0);
        GrantPolicy g = plan(admission, config, 0).grant(0, 0);
        AdmissionTicket a = new AdmissionTicket();
        AdmissionTicket b = new AdmissionTicket();
        AdmissionTicket c = new AdmissionTicket();
        assertNull(admission.admit(g, a, 0, NOON));
        assertNull(admission.admit(g, b, 0, NOON));
        assertSame(Outcome.OVERLOADED, admission.admit(g, c, 0, NOON));
        assertEquals(-1, c.retryAfterSeconds());
        assertTrue(c.detail().contains("nocr/identity already has its maximum of 2"), c.detail());
        assertEquals(2, usedToday(admission, g), "the overloaded request used no quota");
        admission.release(a);
        admission.release(a);
        assertNull(admission.admit(g, c, 0, NOON), "released once, however often release is called");
        assertSame(Outcome.OVERLOADED, admission.admit(g, a, 0, NOON));
    }

    @Test
    void shouldCapTheProviderOverAllItsServices() throws Exception {
        GatewayConfig config = config("", "      - { service: nocr/identity }\n      - { service: nocr/other }\n",
                "    maxInFlight: 1\n", "");
        Admission admission = open(config, 0);
        AdmissionPlan plan = plan(admission, config, 0);
        AdmissionTicket a = new AdmissionTicket();
        AdmissionTicket b = new AdmissionTicket();
        assertNull(admission.admit(plan.grant(0, 0), a, 0, NOON));
        assertSame(Outcome.OVERLOADED, admission.admit(plan.grant(0, 1), b, 0, NOON));
        assertTrue(b.detail().startsWith("provider nocr"), b.detail());
        admission.release(a);
        assertNull(admission.admit(plan.grant(0, 1), b, 0, NOON));
    }

    @Test
    void shouldRenderTheRateLimitFieldsOfEveryConfiguredPolicy() throws Exception {
        GatewayConfig config = config("    rate: 50\n",
                "      - { service: nocr/identity, rate: 10, burst: 20, quotaDay: 1000, quotaMonth: 20000 }\n", "", "");
        Admission admission = open(config, 0);
        GrantPolicy g = plan(admission, config, 0).grant(0, 0);
        assertEquals("\"grant\";q=10;w=1;x-gozargah-burst=20, \"consumer\";q=50;w=1;x-gozargah-burst=50,"
                + " \"day\";q=1000;w=86400, \"month\";q=20000;w=2592000",
                new String(g.policyField, StandardCharsets.US_ASCII));
        AdmissionTicket t = new AdmissionTicket();
        assertNull(admission.admit(g, t, 0, NOON));
        // Khordad 1404 ends 2025-06-21T20:30Z: 20 days and 12 hours after NOON.
        assertEquals("\"grant\";r=19;t=1, \"consumer\";r=49;t=1, \"day\";r=999;t=43200, \"month\";r=19999;t="
                + (20 * 86400 + 12 * 3600), field(admission, t));
    }

    /**
     * The "grant" policy's q per w is the rate the limiter admits over a long run, whatever the burst: a client
     * that paces itself by it is never refused, and a greedy one gets q per w and the burst, no more. A grant of
     * 100/s with a burst of 10 once advertised q=10;w=1, and a client honouring that went at a tenth of its grant.
     */
    @Test
    void shouldAdvertiseTheRateTheLimiterAdmitsWhateverTheBurst() throws Exception {
        GatewayConfig config = config("", "      - { service: nocr/identity, rate: 100, burst: 10 }\n"
                + "      - { service: nocr/other, rate: 90/m, burst: 1 }\n", "", "");
        Admission admission = open(config, 0);
        AdmissionPlan plan = plan(admission, config, 0);
        assertEquals("\"grant\";q=100;w=1;x-gozargah-burst=10",
                new String(plan.grant(0, 0).policyField, StandardCharsets.US_ASCII));
        assertEquals("\"grant\";q=3;w=2;x-gozargah-burst=1",
                new String(plan.grant(0, 1).policyField, StandardCharsets.US_ASCII));

        for (int service = 0; service < 2; service++) {
            GrantPolicy g = plan.grant(0, service);
            Matcher policy = Pattern.compile("q=(\\d+);w=(\\d+);x-gozargah-burst=(\\d+)")
                    .matcher(new String(g.policyField, StandardCharsets.US_ASCII));
            assertTrue(policy.find());
            long q = Long.parseLong(policy.group(1));
            long w = Long.parseLong(policy.group(2));
            long burst = Long.parseLong(policy.group(3));
            long windows = 20;
            long start = 1_000 * SECOND * (service + 1);
            AdmissionTicket t = new AdmissionTicket();

            // Paced by the policy: q requests spread over each window, for 20 windows (the gap rounded up to the
            // nanosecond, as the limiter rounds its interval: with a burst of 1 it tolerates no earlier request).
            long gap = (w * SECOND + q - 1) / q;
            for (long i = 0; i < q * windows; i++) {
                assertNull(admission.admit(g, t, start + i * gap, NOON), "paced request " + i + " of " + g.service());
                admission.release(t);
            }

            // Greedy, from a full burst: at each of those instants, as many requests as pass, for 20 windows.
            long from = start + 2 * windows * w * SECOND;
            long admitted = 0;
            for (long at = from; at < from + windows * w * SECOND; at += gap) {
                while (admission.admit(g, t, at, NOON) == null) {
                    admitted++;
                    admission.release(t);
                }
            }
            assertTrue(admitted >= q * windows && admitted <= q * windows + burst,
                    g.service() + ": " + admitted + " admitted in " + windows + " windows of " + q + " (burst "
                            + burst + ")");
        }
    }

    @Test
    void shouldRefuseAConsumerPastItsInFlightCapAndTakeNothingForTheRefusal() throws Exception {
        GatewayConfig config = config("    maxInFlight: 2\n", "      - { service: nocr/identity, quotaDay: 1000 }\n"
                + "      - { service: nocr/other }\n", "", "");
        Admission admission = open(config, 0);
        AdmissionPlan plan = plan(admission, config, 0);
        AdmissionTicket first = new AdmissionTicket();
        AdmissionTicket second = new AdmissionTicket();
        AdmissionTicket third = new AdmissionTicket();
        assertNull(admission.admit(plan.grant(0, 0), first, 0, NOON));
        assertNull(admission.admit(plan.grant(0, 1), second, 0, NOON), "the cap is over all the consumer's grants");
        assertEquals(Outcome.RATE_LIMITED, admission.admit(plan.grant(0, 0), third, 0, NOON));
        assertEquals(1, third.retryAfterSeconds());
        assertTrue(third.detail().contains("2 requests in flight"), third.detail());
        assertEquals(1, usedToday(admission, plan.grant(0, 0)), "the refusal took nothing from the quota");
        admission.release(first);
        assertNull(admission.admit(plan.grant(0, 0), third, 0, NOON), "a released permit is free again");
    }

    @Test
    void shouldHaveNoPolicyForAnUnlimitedGrantButStillCountItsUsage() throws Exception {
        // Tickets are never released here: the consumer's in-flight cap is set out of the way.
        GatewayConfig config = config("    maxInFlight: 1000000\n", "      - { service: nocr/identity }\n", "", "");
        Admission admission = open(config, 0);
        GrantPolicy g = plan(admission, config, 0).grant(0, 0);
        assertNull(g.policyField);
        AdmissionTicket t = new AdmissionTicket();
        for (int i = 0; i < 1000; i++) {
            assertNull(admission.admit(g, t, i, NOON));
        }
        assertEquals(0, admission.renderRateLimit(t));
        assertEquals(1000, usedToday(admission, g));
        assertNull(plan(admission, config, 0).grant(0, 1), "no grant, no policy");
    }

    @Test
    void shouldKeepUsageAcrossAReorderedReloadAndAReopenedFileButStartLimitersFull() throws Exception {
        GatewayConfig first = config("", "      - { service: nocr/identity, rate: 1, burst: 2, quotaDay: 10 }\n"
                + "      - { service: nocr/other }\n", "", "");
        Admission admission = open(first, 0);
        GrantPolicy g = plan(admission, first, 0).grant(0, 0);
        AdmissionTicket t = new AdmissionTicket();
        assertNull(admission.admit(g, t, 0, NOON));
        assertNull(admission.admit(g, t, 0, NOON));
        assertSame(Outcome.RATE_LIMITED, admission.admit(g, t, 0, NOON));

        GatewayConfig reordered = config("", "      - { service: nocr/other }\n"
                + "      - { service: nocr/identity, rate: 1, burst: 2, quotaDay: 3 }\n", "", "");
        GrantPolicy reloaded = plan(admission, reordered, 0).grant(0, 0);
        assertSame(Outcome.RATE_LIMITED, admission.admit(reloaded, t, 0, NOON), "the limiter state carried over");
        assertNull(admission.admit(reloaded, t, SECOND, NOON));
        assertSame(Outcome.QUOTA_EXHAUSTED, admission.admit(reloaded, t, 10 * SECOND, NOON), "3 used of the new 3");

        admission.close();
        opened.remove(admission);
        Admission restarted = open(reordered, 50 * SECOND);
        GrantPolicy again = plan(restarted, reordered, 50 * SECOND).grant(0, 0);
        assertEquals(3, usedToday(restarted, again), "usage survived the reopen");
        assertSame(Outcome.QUOTA_EXHAUSTED, restarted.admit(again, t, 50 * SECOND, NOON));
    }

    @Test
    void shouldRefuseASecondGatewayOnTheSameCountersFile() throws Exception {
        GatewayConfig config = config("", "      - { service: nocr/identity }\n", "", "");
        open(config, 0);
        IOException e = assertThrows(IOException.class, () -> Admission.open(config.admission(), () -> 0));
        assertTrue(e.getMessage().contains("in use by another gateway"), e.getMessage());
    }

    @Test
    void shouldRefuseAFileThatIsNotACountersFile() throws Exception {
        GatewayConfig config = config("", "      - { service: nocr/identity }\n", "", "");
        Files.writeString(config.admission().countersFile(), "not counters, just some text that is long enough");
        IOException e = assertThrows(IOException.class, () -> Admission.open(config.admission(), () -> 0));
        assertTrue(e.getMessage().contains("not a gozargah counters file"), e.getMessage());
    }

    @Test
    void shouldBeginAfreshAFileAStartLeftAllZeros() throws Exception {
        // A start that died after sizing the new file but before its header (seen: a JVM without the module
        // options failing in the buffer's static initialiser) leaves only zeros.
        GatewayConfig config = config("", "      - { service: nocr/identity, quotaDay: 2 }\n", "", "");
        Files.write(config.admission().countersFile(), new byte[5 << 20]);
        Admission admission = open(config, 0);
        GrantPolicy g = plan(admission, config, 0).grant(0, 0);
        AdmissionTicket t = new AdmissionTicket();
        assertNull(admission.admit(g, t, 0, NOON));
        assertEquals(1, usedToday(admission, g));

        admission.close();
        opened.remove(admission);
        Admission reopened = open(config, SECOND);
        assertEquals(1, usedToday(reopened, plan(reopened, config, SECOND).grant(0, 0)), "a real file now");
    }

    @Test
    void shouldRefuseAFileOfZerosWithAnythingElseInIt() throws Exception {
        GatewayConfig config = config("", "      - { service: nocr/identity }\n", "", "");
        byte[] bytes = new byte[1 << 20];
        bytes[bytes.length - 1] = 1;
        Files.write(config.admission().countersFile(), bytes);
        IOException e = assertThrows(IOException.class, () -> Admission.open(config.admission(), () -> 0));
        assertTrue(e.getMessage().contains("not a gozargah counters file"), e.getMessage());
        assertEquals(1, Files.readAllBytes(config.admission().countersFile())[bytes.length - 1], "left as it was");
    }

    @Test
    void shouldNeverAdmitMoreThanTheBurstOrTheQuotaFromManyThreadsOnOneGrant() throws Exception {
        GatewayConfig config = config("    maxInFlight: 1000000\n",
                "      - { service: nocr/identity, rate: 1/m, burst: 1000, quotaDay: 700 }\n"
                + "      - { service: nocr/other, rate: 1/m, burst: 1000 }\n", "", "");
        Admission admission = open(config, 0);
        AdmissionPlan plan = plan(admission, config, 0);
        int threads = 8;
        int attemptsEach = 5_000;
        for (int grant = 0; grant < 2; grant++) {
            GrantPolicy g = plan.grant(0, grant);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> admitted = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                admitted.add(pool.submit(() -> {
                    AdmissionTicket t = new AdmissionTicket();
                    start.await();
                    int n = 0;
                    for (int k = 0; k < attemptsEach; k++) {
                        if (admission.admit(g, t, k, NOON) == null) {
                            n++;
                        }
                    }
                    return n;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : admitted) {
                total += f.get(30, TimeUnit.SECONDS);
            }
            pool.shutdown();
            // The clock stays within one interval: the burst is all that may pass, and the quota caps it further.
            assertEquals(grant == 0 ? 700 : 1000, total, "grant " + g.service());
            assertEquals(total, usedToday(admission, g));
        }
    }

    @Test
    void shouldRenderEveryNonNegativeValueAsLongToStringDoes() {
        List<Long> values = new ArrayList<>();
        for (long v = 0; v <= 1_000; v++) {
            values.add(v);
        }
        for (long power = 10; ; power *= 10) {
            values.add(power - 1);
            values.add(power);
            values.add(power + 1);
            if (power > Long.MAX_VALUE / 10) {
                break; // 10^18, the last power of ten a long holds
            }
        }
        values.add((long) Integer.MAX_VALUE - 1);
        values.add((long) Integer.MAX_VALUE);
        values.add((long) Integer.MAX_VALUE + 1);
        values.add(Long.MAX_VALUE);
        SplittableRandom random = new java.util.SplittableRandom(16);
        for (int i = 0; i < 10_000; i++) {
            values.add(random.nextLong(Long.MAX_VALUE) >>> random.nextInt(63));
        }
        byte[] out = new byte[32];
        for (long v : values) {
            Arrays.fill(out, (byte) '#');
            int end = Admission.digits(out, 3, v);
            String expected = Long.toString(v);
            assertEquals("###" + expected + "#", new String(out, 0, end + 1, StandardCharsets.US_ASCII),
                    "digits of " + v);
            assertEquals(expected.length(), Admission.decimalLength(v), "length of " + v);
        }
    }

    private static String field(Admission admission, AdmissionTicket t) {
        int n = admission.renderRateLimit(t);
        return new String(AdmissionTicket.field(), 0, n, StandardCharsets.US_ASCII);
    }

    private static long usedToday(Admission admission, GrantPolicy g) {
        return usedToday(admission, g, NOON);
    }

    private static long usedToday(Admission admission, GrantPolicy g, long at) {
        return PeriodCounter.countIn(admission.counters().buffer().getLongVolatile(g.grantRecord + CountersFile.DAY_OFFSET),
                admission.calendar().dayIndex(at));
    }

    private static long usedThisMonth(Admission admission, GrantPolicy g) {
        return usedThisMonth(admission, g, NOON);
    }

    private static long usedThisMonth(Admission admission, GrantPolicy g, long at) {
        return PeriodCounter.countIn(admission.counters().buffer().getLongVolatile(g.grantRecord
                + CountersFile.MONTH_OFFSET), admission.calendar().monthIndex(at));
    }
}
