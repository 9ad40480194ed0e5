package io.gozargah.engine.route;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.engine.admission.Admission;
import io.gozargah.engine.admission.AdmissionPlan;
import io.gozargah.engine.config.ConsumerConfig;
import io.gozargah.engine.config.EndpointConfig;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.GrantConfig;
import io.gozargah.engine.config.ProviderConfig;
import io.gozargah.engine.config.ServiceConfig;
import io.gozargah.engine.journal.JournalDictionary;
import io.gozargah.engine.retry.RetryBudgets;
import io.gozargah.engine.cache.InquiryCaches;
import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.retry.RetryPolicy;
import io.gozargah.engine.subject.SubjectExtractor;
import io.gozargah.engine.subject.SubjectKey;
import io.gozargah.engine.upstream.EndpointHealthRegistry;
import io.gozargah.engine.upstream.UpstreamEndpoint;
import io.gozargah.engine.upstream.UpstreamGroup;
import io.gozargah.engine.upstream.UpstreamTls;
import io.netty.handler.ssl.SslContext;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The immutable routing state of one configuration: services by name, consumers by key hash, grants.
 * Built off the hot path, swapped in whole behind one volatile reference; requests keep the snapshot they
 * started with. Lookups take bytes straight from the request buffer and allocate nothing.
 */
public final class RoutingSnapshot {
    private final GatewayConfig config;
    private final List<ServiceRoute> services;
    /** Open addressing over hash(provider, service): slots hold service index + 1, 0 = empty. */
    private final int[] serviceSlots;
    private final byte[][] serviceKeys;
    private final long[] keyPrefixes;
    private final byte[][] keyHashes;
    private final Consumer[] keyOwners;
    private final Map<String, Consumer> consumersByName;
    private final AdmissionPlan admission;
    /** Consumers by the lower-case hex SHA-256 of a client certificate (looked up once per connection and snapshot). */
    private final Map<String, Consumer> consumersByCertificate;
    /** Every provider's endpoints, in config order. */
    private final List<UpstreamGroup> upstreamGroups;

    private RoutingSnapshot(GatewayConfig config, List<ServiceRoute> services, int[] serviceSlots, byte[][] serviceKeys,
                            long[] keyPrefixes, byte[][] keyHashes, Consumer[] keyOwners,
                            Map<String, Consumer> consumersByName, AdmissionPlan admission,
                            Map<String, Consumer> consumersByCertificate, List<UpstreamGroup> upstreamGroups) {
        this.upstreamGroups = upstreamGroups;
        this.config = config;
        this.services = services;
        this.serviceSlots = serviceSlots;
        this.serviceKeys = serviceKeys;
        this.keyPrefixes = keyPrefixes;
        this.keyHashes = keyHashes;
        this.keyOwners = keyOwners;
        this.consumersByName = consumersByName;
        this.admission = admission;
        this.consumersByCertificate = consumersByCertificate;
    }

    /** Builds the snapshot of a validated configuration, without admission control or journal ids (tests of routing alone). */
    public static RoutingSnapshot build(GatewayConfig config) {
        return build(config, null, null);
    }

    /**
     * Builds the snapshot of a validated configuration with its grants' admission plan from {@code admission}
     * (null: no limits are enforced); names get their journal ids from {@code dictionary} (null: no journal,
     * ids 0). Ids are given here, off the event loops, before the snapshot is published.
     *
     * @throws IllegalStateException when the admission counters have no room for the config's grants
     */
    public static RoutingSnapshot build(GatewayConfig config, Admission admission, JournalDictionary dictionary) {
        return build(config, admission, dictionary, new EndpointHealthRegistry());
    }

    /**
     * As {@link #build(GatewayConfig, Admission, JournalDictionary)}, with the endpoints' health kept in
     * {@code health}: endpoints that remain from the running snapshot keep theirs, the others are forgotten.
     */
    public static RoutingSnapshot build(GatewayConfig config, Admission admission, JournalDictionary dictionary,
                                        EndpointHealthRegistry health) {
        return build(config, admission, dictionary, health, new RetryBudgets());
    }

    /**
     * As {@link #build(GatewayConfig, Admission, JournalDictionary, EndpointHealthRegistry)}, with the providers'
     * retry budgets taken from {@code budgets}, which outlive snapshots as endpoint health does.
     */
    public static RoutingSnapshot build(GatewayConfig config, Admission admission, JournalDictionary dictionary,
                                        EndpointHealthRegistry health, RetryBudgets budgets) {
        return build(config, admission, dictionary, health, budgets, new InquiryCaches(NanoClock.SYSTEM));
    }

    /**
     * As {@link #build(GatewayConfig, Admission, JournalDictionary, EndpointHealthRegistry, RetryBudgets)}, with the
     * services' inquiry caches taken from {@code caches}: a service whose cache settings did not change keeps its
     * cache's entries.
     */
    public static RoutingSnapshot build(GatewayConfig config, Admission admission, JournalDictionary dictionary,
                                        EndpointHealthRegistry health, RetryBudgets budgets, InquiryCaches caches) {
        List<ServiceRoute> services = new ArrayList<>();
        Map<String, ServiceRoute> byName = new HashMap<>();
        List<UpstreamGroup> groups = new ArrayList<>();
        Set<String> healthKeys = new HashSet<>();
        for (ProviderConfig p : config.providers().values()) {
            UpstreamEndpoint[] endpoints = new UpstreamEndpoint[p.endpoints().size()];
            SslContext tls = p.endpoints().stream().anyMatch(EndpointConfig::tls)
                    ? UpstreamTls.clientContext(p.protocol(), p.tls()) : null;
            for (int i = 0; i < endpoints.length; i++) {
                EndpointConfig e = p.endpoints().get(i);
                endpoints[i] = new UpstreamEndpoint(e, (int) Math.min(Integer.MAX_VALUE, p.connectTimeout().toMillis()),
                        p.maxConnectionsPerLoop(), p.idleTimeout().toNanos(), p.protocol(), tls, p.tls().toString(),
                        journalId(dictionary, DictionaryEntryFlyweight.KIND_ENDPOINT, e.toString()),
                        p.maxPendingAcquisitionsPerLoop());
                healthKeys.add(EndpointHealthRegistry.key(p.name(), endpoints[i].toString()));
            }
            groups.add(UpstreamGroup.of(p.name(), endpoints, p.roles(), p.outlier(), p.healthCheck(), health));
            for (ServiceConfig s : p.services().values()) {
                Duration timeout = s.responseTimeout() != null ? s.responseTimeout() : p.responseTimeout();
                Duration requestTimeout = s.requestTimeout() != null ? s.requestTimeout() : p.requestTimeout();
                Duration sendTimeout = s.sendTimeout() != null ? s.sendTimeout() : p.sendTimeout();
                long maxResponseBytes = s.maxResponseBytes() != null ? s.maxResponseBytes() : p.maxResponseBytes();
                ServiceRoute route = new ServiceRoute(services.size(), p.name(), s.name(), s.path(),
                        List.copyOf(s.methods()), timeout.toNanos(), requestTimeout.toNanos(), sendTimeout.toNanos(),
                        endpoints,
                        journalId(dictionary, DictionaryEntryFlyweight.KIND_SERVICE, p.name() + "/" + s.name()),
                        s.journalBodies() == ServiceConfig.JournalBodies.HASH, s.passFields(),
                        subjectExtractor(config, s), maxResponseBytes,
                        new RetryPolicy(s.retry(), budgets.of(p.name())),
                        caches.of(p.name() + "/" + s.name(), s.cache()));
                services.add(route);
                byName.put(route.qualifiedName(), route);
            }
        }
        int capacity = Integer.highestOneBit(Math.max(4, services.size() * 2)) << 1;
        int[] slots = new int[capacity];
        byte[][] keys = new byte[services.size()][];
        for (ServiceRoute s : services) {
            byte[] key = (s.provider() + "/" + s.name()).getBytes(StandardCharsets.US_ASCII);
            keys[s.id()] = key;
            int slot = hash(key, 0, key.length) & (capacity - 1);
            while (slots[slot] != 0) {
                slot = (slot + 1) & (capacity - 1);
            }
            slots[slot] = s.id() + 1;
        }

        int grantWords = (services.size() + 63) >>> 6;
        List<KeyEntry> keyEntries = new ArrayList<>();
        Map<String, Consumer> consumers = new HashMap<>();
        for (ConsumerConfig c : config.consumers().values()) {
            long[] grants = new long[Math.max(1, grantWords)];
            for (GrantConfig g : c.grants()) {
                ServiceRoute s = byName.get(g.provider() + "/" + g.service());
                if (s == null) {
                    throw new IllegalArgumentException("grant of " + c.name() + " names unknown service "
                            + g.provider() + "/" + g.service());
                }
                grants[s.id() >>> 6] |= 1L << s.id();
            }
            Consumer consumer = new Consumer(consumers.size(), c.name(), grants,
                    journalId(dictionary, DictionaryEntryFlyweight.KIND_CONSUMER, c.name()));
            consumers.put(c.name(), consumer);
            for (byte[] h : c.apiKeyHashes()) {
                keyEntries.add(new KeyEntry(prefix(h), h.clone(), consumer));
            }
        }
        keyEntries.sort((a, b) -> Long.compare(a.prefix, b.prefix));
        long[] keyPrefixes = new long[keyEntries.size()];
        byte[][] keyHashes = new byte[keyEntries.size()][];
        Consumer[] keyOwners = new Consumer[keyEntries.size()];
        for (int i = 0; i < keyPrefixes.length; i++) {
            KeyEntry e = keyEntries.get(i);
            keyPrefixes[i] = e.prefix;
            keyHashes[i] = e.hash;
            keyOwners[i] = e.owner;
        }
        AdmissionPlan plan = null;
        if (admission != null) {
            Map<String, Integer> serviceIds = new HashMap<>();
            services.forEach(s -> serviceIds.put(s.qualifiedName(), s.id()));
            Map<String, Integer> consumerIds = new HashMap<>();
            consumers.forEach((name, c) -> consumerIds.put(name, c.id()));
            plan = admission.plan(config, serviceIds, consumerIds, System.nanoTime());
        }
        Map<String, Consumer> byCertificate = new HashMap<>();
        for (ConsumerConfig c : config.consumers().values()) {
            for (byte[] fingerprint : c.certificates()) {
                byCertificate.put(HexFormat.of().formatHex(fingerprint), consumers.get(c.name()));
            }
        }
        health.retain(healthKeys);
        caches.retain(byName.keySet());
        return new RoutingSnapshot(config, List.copyOf(services), slots, keys, keyPrefixes, keyHashes, keyOwners,
                Map.copyOf(consumers), plan, Map.copyOf(byCertificate), List.copyOf(groups));
    }

    /**
     * The service's subject extractor, keyed with the journal's subject key; none when the service names no
     * subject, or there is no journal to keep its hash (the loader refuses a subject without a key).
     */
    private static SubjectExtractor subjectExtractor(GatewayConfig config, ServiceConfig s) {
        SubjectKey key = config.journal() == null || !config.journal().enabled() ? null : config.journal().subjectKey();
        return s.subject() == null || key == null ? null : new SubjectExtractor(s.subject(), key);
    }

    private static int journalId(JournalDictionary dictionary, int kind, String name) {
        return dictionary == null ? 0 : dictionary.id(kind, name);
    }

    /** Every provider's endpoints with their balancing and health policy, in config order. */
    public List<UpstreamGroup> upstreamGroups() {
        return upstreamGroups;
    }

    /** The consumer whose config lists the client certificate fingerprint {@code sha256}, or null. */
    public Consumer consumerByCertificate(byte[] sha256) {
        return consumersByCertificate.get(HexFormat.of().formatHex(sha256));
    }

    private record KeyEntry(long prefix, byte[] hash, Consumer owner) {
    }

    public GatewayConfig config() {
        return config;
    }

    /** The grants' rates, quotas and caps, or null when admission control is off. */
    public AdmissionPlan admission() {
        return admission;
    }

    public List<ServiceRoute> services() {
        return services;
    }

    /** How many consumers the configuration has: their {@link Consumer#id()}s are 0 to this, exclusive. */
    public int consumerCount() {
        return consumersByName.size();
    }

    public Consumer consumer(String name) {
        return consumersByName.get(name);
    }

    /** The service named by the two segments in {@code buf}, or null. */
    public ServiceRoute service(ByteBuf buf, int provStart, int provLength, int svcStart, int svcLength) {
        int h = hashContinue(0, buf, provStart, provLength);
        h = 31 * h + '/';
        h = hashContinue(h, buf, svcStart, svcLength);
        int mask = serviceSlots.length - 1;
        for (int slot = mix(h) & mask; ; slot = (slot + 1) & mask) {
            int v = serviceSlots[slot];
            if (v == 0) {
                return null;
            }
            byte[] key = serviceKeys[v - 1];
            if (key.length == provLength + 1 + svcLength && equal(key, 0, buf, provStart, provLength)
                    && key[provLength] == '/' && equal(key, provLength + 1, buf, svcStart, svcLength)) {
                return services.get(v - 1);
            }
        }
    }

    /**
     * The consumer owning the API key whose SHA-256 is {@code sha256}, or null. The final comparison is
     * constant-time ({@link MessageDigest#isEqual}); the binary search over the first 8 bytes of the
     * hash only narrows candidates, and timing on a hash's prefix reveals nothing usable about a key.
     */
    public Consumer consumerByKeyHash(byte[] sha256) {
        long p = prefix(sha256);
        int i = Arrays.binarySearch(keyPrefixes, p);
        if (i < 0) {
            return null;
        }
        while (i > 0 && keyPrefixes[i - 1] == p) {
            i--;
        }
        for (; i < keyPrefixes.length && keyPrefixes[i] == p; i++) {
            if (MessageDigest.isEqual(keyHashes[i], sha256)) {
                return keyOwners[i];
            }
        }
        return null;
    }

    private static long prefix(byte[] h) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (h[i] & 0xFF);
        }
        return v;
    }

    private static boolean equal(byte[] key, int keyOffset, ByteBuf buf, int start, int length) {
        for (int i = 0; i < length; i++) {
            if (key[keyOffset + i] != buf.getByte(start + i)) {
                return false;
            }
        }
        return true;
    }

    private static int hash(byte[] key, int start, int length) {
        int h = 0;
        for (int i = start; i < start + length; i++) {
            h = 31 * h + key[i];
        }
        return mix(h);
    }

    private static int hashContinue(int h, ByteBuf buf, int start, int length) {
        for (int i = start; i < start + length; i++) {
            h = 31 * h + buf.getByte(i);
        }
        return h;
    }

    private static int mix(int h) {
        return h ^ (h >>> 16);
    }
}
