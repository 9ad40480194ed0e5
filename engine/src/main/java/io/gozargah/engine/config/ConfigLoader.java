package io.gozargah.engine.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.gozargah.codec.http1.KnownHeaders;
import io.lettuce.core.RedisURI;
import io.gozargah.engine.auth.ApiKeys;
import io.gozargah.engine.journal.CheckpointKeys;
import io.gozargah.engine.subject.SubjectKey;
import io.gozargah.engine.tls.ServerTls;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads and validates a YAML configuration file (schema and defaults: {@code config/gozargah.yaml}).
 *
 * <p>The document is composed into nodes rather than constructed into Java maps, so every value keeps its
 * line; each section is then read through {@link ConfigMap}, which rejects unknown and duplicate keys. Nothing
 * is looked up on the network: hosts are checked for syntax only.
 */
public final class ConfigLoader {
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    static final Set<String> DEFAULT_METHODS = orderedSet(List.of("GET", "HEAD"));

    /** ASCII only: Character.digit would also take Persian and other Unicode digits. */
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    /** A field name's characters (RFC 9110 §5.1, a token), lower case. */
    private static final Pattern HEADER_NAME = Pattern.compile("[a-z0-9!#$%&'*+.^_`|~-]+");

    private static final Duration SERVER_IDLE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration REQUEST_HEAD_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(10);
    /** Far beyond any honest inquiry (the largest allowed body at a slow mobile link's pace). */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    /** As nginx's send_timeout: an honest client keeps taking bytes. */
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration UPSTREAM_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Requests queued per loop per endpoint for a busy pool; Envoy's max_pending_requests is 1024 per cluster. */
    static final int MAX_PENDING_ACQUISITIONS_PER_LOOP = 256;
    private static final int MAX_CONNECTIONS_PER_LOOP = 64;
    private static final int MAX_WEIGHT = 1000;

    /** {@code N}, {@code N/s}, {@code N/m} or {@code N/h}. */
    private static final Pattern RATE = Pattern.compile("([0-9]{1,10})(?:/(s|m|h))?");
    private static final long MAX_RATE_PER_SECOND = 1_000_000;
    private static final int MAX_BURST = 1_000_000_000;
    /** The longest an emptied burst may take to refill: beyond it a burst is a quota in disguise. */
    private static final long MAX_BURST_REFILL_SECONDS = ConfigNode.MAX_DURATION.toSeconds();
    /** Day and month counts live in 40 bits of the counters file. */
    private static final long MAX_QUOTA = 1_000_000_000_000L;
    private static final int MAX_IN_FLIGHT = 1_000_000;
    /** Connection caps: far past what one process's descriptors allow, so only a typo is refused. */
    private static final int MAX_CONNECTIONS = 10_000_000;

    private ConfigLoader() {
    }

    /** Loads {@code file}; every problem is a {@link ConfigException} naming file, line, field and reason. */
    public static GatewayConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new ConfigException(file, 0, "", "not valid UTF-8");
        } catch (IOException e) {
            throw new ConfigException(file, 0, "", "cannot read: " + e);
        }
        return parse(file, text);
    }

    /** Parses {@code text} as if read from {@code file} (which may be null). */
    static GatewayConfig parse(Path file, String text) throws ConfigException {
        return read(file, new ConfigNode(file, compose(file, text), "", 0));
    }

    private static Node compose(Path file, String text) throws ConfigException {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(file == null ? "<config>" : file.toString())
                .setAllowRecursiveKeys(false)
                .build();
        Optional<Node> root;
        try {
            root = new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            // The problem mark is where the parser gave up; the context mark, where the construct it was
            // reading began (an unclosed quote's opening line), which is often where the mistake is.
            int line = e.getProblemMark().or(e::getContextMark).map(Mark::getLine).orElse(-1) + 1;
            String context = e.getContext() == null ? "" : e.getContext()
                    + e.getContextMark().map(m -> " (from line " + (m.getLine() + 1) + ")").orElse("") + ": ";
            throw new ConfigException(file, line, "", "invalid YAML: " + context + e.getProblem());
        } catch (YamlEngineException e) {
            throw new ConfigException(file, 0, "", "invalid YAML: " + e.getMessage());
        }
        if (root.isEmpty()) {
            throw new ConfigException(file, 1, "", "the file is empty; expected at least server: and providers:");
        }
        return root.get();
    }

    private static GatewayConfig read(Path file, ConfigNode root) throws ConfigException {
        ConfigMap top = root.asMap("server", "limits", "http2", "admission", "providers", "consumers", "journal",
                "admin", "metrics", "portal");
        ServerConfig server = server(file, top.required("server"));
        ConfigNode limitsNode = top.optional("limits");
        LimitsConfig limits = limitsNode == null ? LimitsConfig.defaults() : limits(limitsNode);
        Map<String, ProviderConfig> providers = nonEmptyMap(top.required("providers"), "provider",
                ConfigLoader::provider);
        ConfigNode consumersNode = top.optional("consumers");
        Map<String, ConsumerConfig> consumers = consumersNode == null ? Map.of() : consumers(consumersNode, providers);
        ConfigNode http2Node = top.optional("http2");
        Http2Config http2 = http2Node == null ? Http2Config.defaults() : http2(http2Node);
        ConfigNode journalNode = top.optional("journal");
        JournalConfig journal = journalNode == null ? JournalConfig.disabled() : journal(file, journalNode);
        checkSubjectKey(file, providers, journal, journalNode);
        ConfigNode admissionNode = top.optional("admission");
        AdmissionConfig admission = admissionNode == null ? AdmissionConfig.defaults(file) : admission(file, admissionNode);
        ConfigNode adminNode = top.optional("admin");
        AdminConfig admin = adminNode == null ? null : AdminConfigReader.read(file, adminNode);
        ConfigNode metricsNode = top.optional("metrics");
        MetricsConfig metrics = metricsNode == null ? MetricsConfig.defaults() : metrics(metricsNode);
        ConfigNode portalNode = top.optional("portal");
        PortalConfig portal = portalNode == null ? null : PortalConfigReader.read(portalNode);
        return new GatewayConfig(file, server, limits, providers, consumers, admission, journal, admin, metrics,
                http2, portal);
    }

    /**
     * A service that names a subject needs the key that hashes it: the journal keeps only the hash, never the
     * subject, so without a key there is nothing it could keep.
     */
    private static void checkSubjectKey(Path file, Map<String, ProviderConfig> providers, JournalConfig journal,
                                        ConfigNode journalNode) throws ConfigException {
        if (journal.subjectKey() != null || !journal.enabled()) {
            return;
        }
        for (ProviderConfig p : providers.values()) {
            for (ServiceConfig s : p.services().values()) {
                if (s.subject() != null) {
                    String reason = "service " + p.name() + "/" + s.name() + " names a subject, and the journal keeps"
                            + " only its keyed hash: set journal.subjectKeyFile (gozargah keygen --subject-key FILE)";
                    throw journalNode == null ? new ConfigException(file, 1, "journal", reason)
                            : journalNode.keyError(reason);
                }
            }
        }
    }

    private static AdmissionConfig admission(Path file, ConfigNode node) throws ConfigException {
        ConfigMap m = node.asMap("calendar", "zone", "countersFile", "counterSlots", "cluster");
        ConfigNode calendarNode = m.optional("calendar");
        String calendar = AdmissionConfig.DEFAULT_CALENDAR;
        if (calendarNode != null) {
            calendar = calendarNode.asString();
            if (!calendar.equals("persian") && !calendar.equals("gregorian")) {
                throw calendarNode.error("expected persian or gregorian, got '" + calendar + "'");
            }
        }
        ZoneId zone = AdmissionConfig.DEFAULT_ZONE;
        ConfigNode zoneNode = m.optional("zone");
        if (zoneNode != null) {
            try {
                zone = ZoneId.of(zoneNode.asString());
            } catch (DateTimeException e) {
                throw zoneNode.error("unknown time zone '" + zoneNode.asString() + "': expected a tz database id such"
                        + " as Asia/Tehran or UTC");
            }
        }
        ConfigNode fileNode = m.optional("countersFile");
        String counters = fileNode == null ? AdmissionConfig.DEFAULT_COUNTERS_FILE : fileNode.asString();
        Path countersFile;
        try {
            countersFile = AdmissionConfig.resolve(file, counters);
        } catch (InvalidPathException e) {
            throw fileNode.error("not a usable path: " + e.getReason());
        }
        int slots = m.integer("counterSlots", AdmissionConfig.DEFAULT_COUNTER_SLOTS, 16, 4_000_000);
        ConfigNode clusterNode = m.optional("cluster");
        return new AdmissionConfig(calendar, zone, countersFile, slots,
                clusterNode == null ? null : cluster(clusterNode));
    }

    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern KEY_PREFIX = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    /** {@code admission.cluster}; null when {@code enabled: false}. */
    private static ClusterConfig cluster(ConfigNode node) throws ConfigException {
        ConfigMap m = node.asMap("enabled", "redis", "leaseSize", "syncInterval", "onRedisDown", "maxUnspentLease",
                "nodeTimeout", "node", "keyPrefix");
        if (!m.bool("enabled", true)) {
            return null;
        }
        ConfigNode redisNode = m.required("redis");
        List<ConfigNode> items = redisNode.asList();
        if (items.isEmpty()) {
            throw redisNode.error("expected at least one Redis URI, such as redis://redis-1.bus.internal:6379");
        }
        List<String> uris = new ArrayList<>();
        int sentinels = 0;
        for (ConfigNode item : items) {
            String text = item.asString();
            String scheme = text.substring(0, Math.max(0, text.indexOf("://")));
            if (!List.of("redis", "rediss", "redis-sentinel", "rediss-sentinel").contains(scheme)) {
                throw item.error("not a Redis URI: unsupported scheme '" + scheme + "' (expected redis://HOST:PORT,"
                        + " rediss://, or redis-sentinel://HOST:PORT,HOST:PORT#MASTER)");
            }
            if (scheme.endsWith("sentinel")) {
                sentinels++;
                int hash = text.indexOf('#');
                if (hash < 0 || hash == text.length() - 1) {
                    throw item.error("a redis-sentinel URI names its master after '#'"
                            + " (redis-sentinel://HOST:PORT#mymaster)");
                }
            }
            RedisURI uri;
            try {
                uri = RedisURI.create(text);
            } catch (RuntimeException e) {
                throw item.error("not a Redis URI: " + e.getMessage() + " (expected redis://HOST:PORT, rediss://,"
                        + " or redis-sentinel://HOST:PORT,HOST:PORT#MASTER)");
            }
            if (!scheme.endsWith("sentinel") && (uri.getHost() == null || uri.getHost().isEmpty())) {
                throw item.error("the URI names no host");
            }
            uris.add(text);
        }
        if (sentinels > 0 && uris.size() > 1) {
            throw redisNode.error("a redis-sentinel URI stands alone: list every sentinel in that one URI"
                    + " (redis-sentinel://HOST:PORT,HOST:PORT#MASTER)");
        }
        long maxUnspent = m.optional("maxUnspentLease") == null ? ClusterConfig.DEFAULT_MAX_UNSPENT_LEASE
                : m.optional("maxUnspentLease").asLong(1, 1_000_000_000);
        long leaseSize = 0;
        ConfigNode leaseNode = m.optional("leaseSize");
        if (leaseNode != null && !"auto".equals(leaseNode.asString())) {
            String text = leaseNode.asString();
            if (!text.matches("[0-9]{1,10}")) {
                throw leaseNode.error("expected auto or a number of requests, got '" + text + "'");
            }
            leaseSize = leaseNode.asLong(1, 1_000_000_000);
            if (leaseSize > maxUnspent) {
                throw leaseNode.error(leaseSize + " is more than maxUnspentLease (" + maxUnspent + "): a lease never"
                        + " holds more than that");
            }
        }
        ConfigNode syncNode = m.optional("syncInterval");
        Duration sync = m.duration("syncInterval", ClusterConfig.DEFAULT_SYNC_INTERVAL);
        if (sync.compareTo(Duration.ofMillis(10)) < 0 || sync.compareTo(Duration.ofSeconds(10)) > 0) {
            throw syncNode.error("expected 10ms to 10s, got " + syncNode.asString());
        }
        ClusterConfig.OnRedisDown onDown = ClusterConfig.OnRedisDown.LOCAL_SHARE;
        ConfigNode downNode = m.optional("onRedisDown");
        if (downNode != null) {
            String text = downNode.asString();
            onDown = switch (text) {
                case "local-share" -> ClusterConfig.OnRedisDown.LOCAL_SHARE;
                case "refuse" -> ClusterConfig.OnRedisDown.REFUSE;
                default -> throw downNode.error("expected local-share or refuse, got '" + text + "'");
            };
        }
        ConfigNode timeoutNode = m.optional("nodeTimeout");
        Duration nodeTimeout = m.duration("nodeTimeout", ClusterConfig.DEFAULT_NODE_TIMEOUT);
        if (nodeTimeout.compareTo(sync.multipliedBy(3)) < 0) {
            if (timeoutNode == null) {
                nodeTimeout = sync.multipliedBy(3);
            } else {
                throw timeoutNode.error("must be at least three sync intervals (" + sync.multipliedBy(3).toMillis()
                        + "ms), or a live node drops out of the shares between two of its syncs");
            }
        }
        ConfigNode idNode = m.optional("node");
        String nodeId = idNode == null ? ClusterConfig.defaultNodeId() : idNode.asString();
        if (idNode != null && !NODE_ID.matcher(nodeId).matches()) {
            throw idNode.error("expected 1 to 64 letters, digits, '.', '_' or '-', got '" + nodeId + "'");
        }
        ConfigNode prefixNode = m.optional("keyPrefix");
        String prefix = m.string("keyPrefix", ClusterConfig.DEFAULT_KEY_PREFIX);
        if (prefixNode != null && !KEY_PREFIX.matcher(prefix).matches()) {
            throw prefixNode.error("expected 1 to 64 letters, digits, '.', ':', '_' or '-', got '" + prefix + "'");
        }
        return new ClusterConfig(uris, leaseSize, sync, onDown, maxUnspent, nodeTimeout, nodeId, prefix);
    }

    /**
     * {@code rate} (and {@code burst}) of a grant or consumer: {@code N} or {@code N/s} per second, {@code N/m} per
     * minute, {@code N/h} per hour. Null when neither is set; a burst without a rate is an error.
     */
    private static RateLimitConfig rateLimit(ConfigMap m, ConfigNode owner) throws ConfigException {
        ConfigNode rateNode = m.optional("rate");
        ConfigNode burstNode = m.optional("burst");
        if (rateNode == null) {
            if (burstNode != null) {
                throw burstNode.error("burst needs a rate");
            }
            return null;
        }
        String text = rateNode.asString();
        double perSecond = ratePerSecond(rateNode, "remove the grant to refuse every call");
        int burst = burstNode == null ? RateLimitConfig.defaultBurst(perSecond) : burstNode.asInt(1, MAX_BURST);
        if (burst / perSecond > MAX_BURST_REFILL_SECONDS) {
            throw (burstNode != null ? burstNode : rateNode).error("a burst of " + burst + " at " + text
                    + " takes more than 7 days to refill; use quotaDay or quotaMonth for totals");
        }
        return new RateLimitConfig(perSecond, burst);
    }

    /** A rate's text ({@code N}, {@code N/s}, {@code N/m}, {@code N/h}) as requests per second. */
    static double ratePerSecond(ConfigNode rateNode, String instead) throws ConfigException {
        String text = rateNode.asString();
        Matcher matcher = RATE.matcher(text);
        if (!matcher.matches()) {
            throw rateNode.error("expected a rate such as 100, 100/s, 600/m or 3600/h, got '" + text + "'");
        }
        long count = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2);
        int seconds = unit == null || unit.equals("s") ? 1 : unit.equals("m") ? 60 : 3600;
        if (count == 0) {
            throw rateNode.error("rate must be more than zero (" + instead + ")");
        }
        if (count > MAX_RATE_PER_SECOND * seconds) {
            throw rateNode.error("rate must be at most " + MAX_RATE_PER_SECOND + " per second, got '" + text + "'");
        }
        return (double) count / seconds;
    }

    private static MetricsConfig metrics(ConfigNode node) throws ConfigException {
        ConfigMap m = node.asMap("enabled", "maxSeries");
        ConfigNode enabled = m.optional("enabled");
        return new MetricsConfig(enabled == null || enabled.asBoolean(),
                m.integer("maxSeries", MetricsConfig.DEFAULT_MAX_SERIES, 1, 1_000_000));
    }

    private static ServerConfig server(Path file, ConfigNode node) throws ConfigException {
        ConfigMap m = node.asMap("listeners", "eventLoops", "transport", "idleTimeout", "requestHeadTimeout",
                "shutdownGrace", "maxConnections", "maxConnectionsPerAddress", "authFailures");
        List<ListenerConfig> listeners = listeners(file, m.required("listeners"));
        int eventLoops = m.integer("eventLoops", 0, 0, 1024);
        ServerConfig.Transport transport = ServerConfig.Transport.AUTO;
        ConfigNode transportNode = m.optional("transport");
        if (transportNode != null) {
            transport = switch (transportNode.asString()) {
                case "auto" -> ServerConfig.Transport.AUTO;
                case "epoll" -> ServerConfig.Transport.EPOLL;
                case "io_uring" -> ServerConfig.Transport.IO_URING;
                case "nio" -> ServerConfig.Transport.NIO;
                default -> throw transportNode.error("expected one of auto, epoll, io_uring, nio, got '"
                        + transportNode.asString() + "'");
            };
        }
        return new ServerConfig(listeners, eventLoops, transport,
                m.duration("idleTimeout", SERVER_IDLE_TIMEOUT),
                m.duration("requestHeadTimeout", REQUEST_HEAD_TIMEOUT),
                m.duration("shutdownGrace", SHUTDOWN_GRACE),
                m.integer("maxConnections", 0, 1, MAX_CONNECTIONS),
                m.integer("maxConnectionsPerAddress", 0, 1, MAX_CONNECTIONS),
                authFailures(m.optional("authFailures")));
    }

    /** {@code server.authFailures}: each key defaults to {@link AuthFailuresConfig#defaults()}'s. */
    private static AuthFailuresConfig authFailures(ConfigNode node) throws ConfigException {
        AuthFailuresConfig d = AuthFailuresConfig.defaults();
        if (node == null) {
            return d;
        }
        ConfigMap m = node.asMap("enabled", "rate", "burst", "addresses");
        ConfigNode enabledNode = m.optional("enabled");
        boolean enabled = enabledNode == null || enabledNode.asBoolean();
        double perSecond = d.perSecond();
        ConfigNode rateNode = m.optional("rate");
        if (rateNode != null) {
            perSecond = ratePerSecond(rateNode, "enabled: false turns the throttle off");
        }
        int burst = m.integer("burst", d.burst(), 1, MAX_BURST);
        if (burst / perSecond > MAX_BURST_REFILL_SECONDS) {
            throw (m.optional("burst") != null ? m.required("burst") : rateNode).error("a burst of " + burst + " at "
                    + (rateNode == null ? d.perSecond() + "/s" : rateNode.asString())
                    + " takes more than 7 days to refill");
        }
        int addresses = m.integer("addresses", d.addresses(), AuthFailuresConfig.MIN_ADDRESSES,
                AuthFailuresConfig.MAX_ADDRESSES);
        return new AuthFailuresConfig(enabled, perSecond, burst, addresses);
    }

    private static List<ListenerConfig> listeners(Path file, ConfigNode node) throws ConfigException {
        List<ConfigNode> items = nonEmptyList(node, "listener");
        List<ListenerConfig> listeners = new ArrayList<>(items.size());
        Map<String, Integer> names = new LinkedHashMap<>();
        Map<String, Integer> addresses = new LinkedHashMap<>();
        for (ConfigNode item : items) {
            ConfigMap m = item.asMap("name", "host", "port", "tls", "maxConnections");
            String name = m.string("name", "listener-" + (listeners.size() + 1));
            if (!ConfigNode.NAME.matcher(name).matches()) {
                throw m.required("name").error(badName(name));
            }
            ConfigNode hostNode = m.optional("host");
            String host = hostNode == null ? "0.0.0.0" : listenerHost(hostNode);
            ConfigNode portNode = m.required("port");
            int port = portNode.asInt(0, 65535);
            Integer sameName = names.putIfAbsent(name, listeners.size());
            if (sameName != null) {
                throw item.error("duplicate listener name '" + name + "' (also server.listeners[" + sameName + "])");
            }
            Integer sameAddress = port == 0 ? null : addresses.putIfAbsent(host + " " + port, listeners.size());
            if (sameAddress != null) {
                throw portNode.error("listener binds the same host and port as server.listeners[" + sameAddress + "]");
            }
            ConfigNode tlsNode = m.optional("tls");
            listeners.add(new ListenerConfig(name, host, port, tlsNode == null ? null : tls(file, tlsNode),
                    m.integer("maxConnections", 0, 1, MAX_CONNECTIONS)));
        }
        return List.copyOf(listeners);
    }

    /** A listener's {@code tls:}; the files are read and must make a working TLS context. */
    private static TlsConfig tls(Path file, ConfigNode node) throws ConfigException {
        ConfigMap m = node.asMap("certificate", "key", "clientAuth", "trustedCas", "sessionCacheSize", "sessionTimeout",
                "sessionTickets", "ticketKeyRotation");
        Path certificate = readableFile(file, m.required("certificate"));
        Path key = readableFile(file, m.required("key"));
        TlsConfig.ClientAuth clientAuth = TlsConfig.ClientAuth.NONE;
        ConfigNode authNode = m.optional("clientAuth");
        if (authNode != null) {
            clientAuth = switch (authNode.asString()) {
                case "none" -> TlsConfig.ClientAuth.NONE;
                case "optional" -> TlsConfig.ClientAuth.OPTIONAL;
                case "require" -> TlsConfig.ClientAuth.REQUIRE;
                default -> throw authNode.error("expected one of none, optional, require, got '"
                        + authNode.asString() + "'");
            };
        }
        ConfigNode casNode = m.optional("trustedCas");
        if (clientAuth != TlsConfig.ClientAuth.NONE && casNode == null) {
            throw node.keyError("clientAuth " + clientAuth.name().toLowerCase(Locale.ROOT)
                    + " needs trustedCas: a PEM file of the CAs that issue client certificates");
        }
        if (clientAuth == TlsConfig.ClientAuth.NONE && casNode != null) {
            throw casNode.error("trustedCas is used only with clientAuth optional or require");
        }
        TlsConfig tls = new TlsConfig(certificate, key, clientAuth, casNode == null ? null : readableFile(file, casNode),
                tlsSessions(m));
        try {
            ServerTls.validate(tls);
        } catch (IOException | GeneralSecurityException e) {
            throw node.error("the TLS files do not work: " + e.getMessage());
        }
        return tls;
    }

    /** A listener's session resumption settings, from its {@code tls:} map. */
    private static TlsConfig.Sessions tlsSessions(ConfigMap m) throws ConfigException {
        TlsConfig.Sessions d = TlsConfig.Sessions.defaults();
        int cacheSize = m.integer("sessionCacheSize", d.cacheSize(), 1, TlsConfig.Sessions.MAX_CACHE_SIZE);
        Duration timeout = m.duration("sessionTimeout", d.timeout());
        if (timeout.toSeconds() < 1) {
            throw m.required("sessionTimeout").error("must be at least 1s (TLS counts a session's lifetime in seconds)");
        }
        if (timeout.compareTo(TlsConfig.Sessions.MAX_TIMEOUT) > 0) {
            throw m.required("sessionTimeout").error("must be at most 7 days, the longest a ticket may live"
                    + " (RFC 8446 §4.6.1)");
        }
        boolean tickets = m.bool("sessionTickets", d.tickets());
        ConfigNode rotationNode = m.optional("ticketKeyRotation");
        if (rotationNode != null && !tickets) {
            throw rotationNode.error("ticketKeyRotation is used only with sessionTickets: true");
        }
        Duration rotation = m.duration("ticketKeyRotation", d.ticketKeyRotation());
        if (rotation.compareTo(TlsConfig.Sessions.MIN_TICKET_KEY_ROTATION) < 0) {
            throw rotationNode.error("must be at least " + TlsConfig.Sessions.MIN_TICKET_KEY_ROTATION.toMinutes()
                    + "m");
        }
        return new TlsConfig.Sessions(cacheSize, timeout, tickets, rotation);
    }

    /** A path from the config, relative to the config file's directory, that names a readable file. */
    private static Path readableFile(Path file, ConfigNode node) throws ConfigException {
        String text = node.asString();
        Path path;
        try {
            path = Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            throw node.error("not a path: '" + text + "'");
        }
        if (!path.isAbsolute() && file != null && file.toAbsolutePath().getParent() != null) {
            path = file.toAbsolutePath().getParent().resolve(path).normalize();
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw node.error("cannot read file " + path);
        }
        return path;
    }

    private static Http2Config http2(ConfigNode node) throws ConfigException {
        ConfigMap m = node.asMap("maxConcurrentStreams", "maxHeaderListSize", "maxFrameSize", "initialWindowSize",
                "maxRstFramesPerWindow", "maxProvokedRstFramesPerWindow", "rstFramesWindow", "maxDrainedResponseBytes",
                "maxSmallContinuationFrames", "maxConsecutiveEmptyDataFrames", "maxQueuedControlFrames");
        Http2Config d = Http2Config.defaults();
        Duration rstWindow = m.duration("rstFramesWindow", d.rstFramesWindow());
        if (rstWindow.toSeconds() < 1) {
            throw m.required("rstFramesWindow").error("must be at least 1s (Netty counts in whole seconds)");
        }
        return new Http2Config(
                m.integer("maxConcurrentStreams", d.maxConcurrentStreams(), 1, 10_000),
                (int) m.size("maxHeaderListSize", d.maxHeaderListSize(), 1024, 1 << 20),
                // RFC 9113 §6.5.2: SETTINGS_MAX_FRAME_SIZE is 2^14..2^24-1.
                (int) m.size("maxFrameSize", d.maxFrameSize(), 16384, 16_777_215),
                (int) m.size("initialWindowSize", d.initialWindowSize(), 1024, Integer.MAX_VALUE),
                m.integer("maxRstFramesPerWindow", d.maxRstFramesPerWindow(), 1, 1_000_000),
                m.integer("maxProvokedRstFramesPerWindow", d.maxProvokedRstFramesPerWindow(), 1, 1_000_000),
                rstWindow,
                m.size("maxDrainedResponseBytes", d.maxDrainedResponseBytes(), 0, 1L << 30),
                m.integer("maxSmallContinuationFrames", d.maxSmallContinuationFrames(), 1, 10_000),
                m.integer("maxConsecutiveEmptyDataFrames", d.maxConsecutiveEmptyDataFrames(), 1, 10_000),
                m.integer("maxQueuedControlFrames", d.maxQueuedControlFrames(), 1, 1_000_000));
    }

    private static String listenerHost(ConfigNode node) throws ConfigException {
        String host = node.asString();
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!HostSyntax.isValid(bare)) {
            throw node.error("bad host '" + host + "': expected an IPv4 or IPv6 address (0.0.0.0, ::) or a host name");
        }
        return bare;
    }

    private static LimitsConfig limits(ConfigNode node) throws ConfigException {
        ConfigMap m = node.asMap("maxStartLineBytes", "maxHeaderCount", "maxHeaderBytes", "maxChunkLineBytes",
                "maxRequestBodyBytes", "maxResponseHeaderBytes", "underscoreFields", "maxDiscardBytes");
        LimitsConfig d = LimitsConfig.defaults();
        LimitsConfig.UnderscoreFields underscores = d.underscoreFields();
        ConfigNode underscoresNode = m.optional("underscoreFields");
        if (underscoresNode != null) {
            underscores = switch (underscoresNode.asString()) {
                case "drop" -> LimitsConfig.UnderscoreFields.DROP;
                case "refuse" -> LimitsConfig.UnderscoreFields.REFUSE;
                default -> throw underscoresNode.error("expected drop or refuse, got '" + underscoresNode.asString()
                        + "'");
            };
        }
        return new LimitsConfig(
                (int) m.size("maxStartLineBytes", d.maxStartLineBytes(), 16, Integer.MAX_VALUE),
                m.integer("maxHeaderCount", d.maxHeaderCount(), 1, 100_000),
                (int) m.size("maxHeaderBytes", d.maxHeaderBytes(), 64, Integer.MAX_VALUE),
                (int) m.size("maxChunkLineBytes", d.maxChunkLineBytes(), 16, Integer.MAX_VALUE),
                m.size("maxRequestBodyBytes", d.maxRequestBodyBytes(), 0, Long.MAX_VALUE),
                (int) m.size("maxResponseHeaderBytes", d.maxResponseHeaderBytes(), 64, Integer.MAX_VALUE),
                underscores, m.size("maxDiscardBytes", d.maxDiscardBytes(), 0, Long.MAX_VALUE));
    }

    private static ProviderConfig provider(String name, ConfigNode node) throws ConfigException {
        ConfigMap m = node.asMap("endpoints", "protocol", "trustedCas", "verifyHostname", "connectTimeout",
                "responseTimeout", "maxConnectionsPerLoop", "idleTimeout", "maxInFlight", "services", "requestTimeout",
                "sendTimeout", "maxResponseBytes", "title", "description", "owner", "docs", "tags", "outlierDetection",
                "healthCheck", "maxPendingAcquisitionsPerLoop");
        UpstreamProtocol protocol = protocol(m.optional("protocol"));
        List<EndpointConfig> endpoints = new ArrayList<>();
        List<EndpointRole> roles = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (ConfigNode entry : nonEmptyList(m.required("endpoints"), "endpoint")) {
            ConfigNode item = entry;
            EndpointRole role = EndpointRole.PRIMARY;
            if (entry.isMapping()) {
                ConfigMap em = entry.asMap("url", "weight", "backup");
                item = em.required("url");
                role = new EndpointRole(em.integer("weight", 1, 1, MAX_WEIGHT), em.bool("backup", false));
            }
            EndpointConfig endpoint;
            try {
                endpoint = EndpointUrl.parse(item.asString());
            } catch (IllegalArgumentException e) {
                throw item.error(e.getMessage());
            }
            if (!seen.add(endpoint.toString())) {
                throw item.error("duplicate endpoint " + endpoint);
            }
            if (protocol == UpstreamProtocol.H2 && !endpoint.tls()) {
                throw item.error("protocol h2 is HTTP/2 over TLS negotiated with ALPN, so endpoints must be https://;"
                        + " for cleartext HTTP/2 with prior knowledge use protocol: h2c");
            }
            if (protocol == UpstreamProtocol.H2C && endpoint.tls()) {
                throw item.error("protocol h2c is cleartext HTTP/2, so endpoints must be http://; for HTTP/2 over TLS"
                        + " use protocol: h2");
            }
            endpoints.add(endpoint);
            roles.add(role);
        }
        if (roles.stream().allMatch(EndpointRole::backup)) {
            throw m.required("endpoints").keyError("every endpoint is a backup: at least one must be a primary");
        }
        UpstreamTlsConfig tls = upstreamTls(node.file(), m, endpoints.stream().anyMatch(EndpointConfig::tls));
        Duration connectTimeout = m.duration("connectTimeout", CONNECT_TIMEOUT);
        Duration responseTimeout = m.duration("responseTimeout", RESPONSE_TIMEOUT);
        int maxConnections = m.integer("maxConnectionsPerLoop", MAX_CONNECTIONS_PER_LOOP, 1, 65_535);
        Duration idleTimeout = m.duration("idleTimeout", UPSTREAM_IDLE_TIMEOUT);
        int maxInFlight = m.integer("maxInFlight", 0, 1, MAX_IN_FLIGHT);

        Map<String, ServiceConfig> services = nonEmptyMap(m.required("services"), "service", ConfigLoader::service);
        return new ProviderConfig(name, List.copyOf(endpoints), connectTimeout, responseTimeout, maxConnections,
                idleTimeout, maxInFlight, services, protocol, tls, m.duration("requestTimeout", REQUEST_TIMEOUT),
                m.duration("sendTimeout", SEND_TIMEOUT), m.size("maxResponseBytes", Long.MAX_VALUE, 0, Long.MAX_VALUE),
                ListingReader.read(node.file(), m), List.copyOf(roles), outlier(m.optional("outlierDetection")),
                healthCheck(m.optional("healthCheck")),
                m.integer("maxPendingAcquisitionsPerLoop", MAX_PENDING_ACQUISITIONS_PER_LOOP, 0, 1_000_000));
    }

    private static OutlierConfig outlier(ConfigNode node) throws ConfigException {
        OutlierConfig d = OutlierConfig.DEFAULT;
        if (node == null) {
            return d;
        }
        ConfigMap m = node.asMap("consecutiveFailures", "on", "baseEjectionTime", "maxEjectionTime",
                "maxEjectedPercent", "panicThreshold");
        Set<FailureKind> on = d.on();
        ConfigNode onNode = m.optional("on");
        if (onNode != null) {
            on = EnumSet.noneOf(FailureKind.class);
            for (ConfigNode item : nonEmptyList(onNode, "failure kind")) {
                String text = item.asString();
                FailureKind kind = null;
                for (FailureKind k : FailureKind.values()) {
                    if (k.configName().equals(text)) {
                        kind = k;
                    }
                }
                if (kind == null) {
                    throw item.error("expected one of connect, reset, timeout, gateway, 5xx, got '" + text + "'");
                }
                if (!on.add(kind)) {
                    throw item.error("duplicate failure kind " + text);
                }
            }
            on = Set.copyOf(on);
        }
        Duration base = m.duration("baseEjectionTime", d.baseEjectionTime());
        Duration max = m.duration("maxEjectionTime", d.maxEjectionTime());
        if (max.compareTo(base) < 0) {
            throw m.required("maxEjectionTime").error("maxEjectionTime " + max.toMillis()
                    + " ms is shorter than baseEjectionTime " + base.toMillis() + " ms");
        }
        return new OutlierConfig(m.integer("consecutiveFailures", d.consecutiveFailures(), 0, 1_000_000), on, base,
                max, m.integer("maxEjectedPercent", d.maxEjectedPercent(), 0, 100),
                m.integer("panicThreshold", d.panicThreshold(), 0, 100));
    }

    private static HealthCheckConfig healthCheck(ConfigNode node) throws ConfigException {
        if (node == null) {
            return null;
        }
        ConfigMap m = node.asMap("path", "interval", "timeout", "healthy", "unhealthy", "expectStatus");
        ConfigNode pathNode = m.required("path");
        String path = pathNode.asString();
        if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
            throw pathNode.error("path '" + path + "' must start with '/' and hold no spaces or control characters");
        }
        Duration interval = m.duration("interval", Duration.ofSeconds(5));
        Duration timeout = m.duration("timeout", Duration.ofSeconds(2));
        if (timeout.compareTo(interval) > 0) {
            throw m.required("timeout").error("timeout " + timeout.toMillis() + " ms is longer than the interval "
                    + interval.toMillis() + " ms: checks of one endpoint would overlap");
        }
        int[] expect = {200, 399};
        ConfigNode expectNode = m.optional("expectStatus");
        if (expectNode != null) {
            List<ConfigNode> items = nonEmptyList(expectNode, "status or status range");
            expect = new int[items.size() * 2];
            for (int i = 0; i < items.size(); i++) {
                String text = items.get(i).asString();
                int dash = text.indexOf('-');
                int from;
                int to;
                try {
                    from = Integer.parseInt(dash < 0 ? text : text.substring(0, dash));
                    to = dash < 0 ? from : Integer.parseInt(text.substring(dash + 1));
                } catch (NumberFormatException e) {
                    throw items.get(i).error("expected a status such as 200 or a range such as 200-399, got '"
                            + text + "'");
                }
                if (from < 100 || to > 599 || from > to) {
                    throw items.get(i).error("expected statuses within 100-599, lowest first, got '" + text + "'");
                }
                expect[2 * i] = from;
                expect[2 * i + 1] = to;
            }
        }
        return new HealthCheckConfig(path, interval, timeout, m.integer("healthy", 2, 1, 1000),
                m.integer("unhealthy", 3, 1, 1000), expect);
    }

    private static UpstreamProtocol protocol(ConfigNode node) throws ConfigException {
        if (node == null) {
            return UpstreamProtocol.HTTP1;
        }
        String text = node.asString();
        for (UpstreamProtocol p : UpstreamProtocol.values()) {
            if (p.configName().equals(text)) {
                return p;
            }
        }
        throw node.error("expected one of http1, h2, h2c, got '" + text + "'");
    }

    /**
     * Trust for a provider's https:// endpoints. The CA file is read and parsed here, so a bad file is refused
     * with its line at start or reload instead of failing the first connection.
     */
    private static UpstreamTlsConfig upstreamTls(Path file, ConfigMap m, boolean anyTls) throws ConfigException {
        ConfigNode casNode = m.optional("trustedCas");
        ConfigNode verifyNode = m.optional("verifyHostname");
        for (ConfigNode n : new ConfigNode[] {casNode, verifyNode}) {
            if (n != null && !anyTls) {
                throw n.keyError("applies only to https:// endpoints, and this provider has none");
            }
        }
        boolean verifyHostname = m.bool("verifyHostname", true);
        if (casNode == null) {
            return new UpstreamTlsConfig(null, List.of(), "", verifyHostname);
        }
        Path cas = Path.of(casNode.asString());
        if (!cas.isAbsolute() && file != null && file.toAbsolutePath().getParent() != null) {
            cas = file.toAbsolutePath().getParent().resolve(cas);
        }
        byte[] pem;
        try {
            pem = Files.readAllBytes(cas);
        } catch (IOException e) {
            throw casNode.error("cannot read CA file " + cas + ": " + e);
        }
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
                certificates.add((X509Certificate) c);
            }
        } catch (CertificateException e) {
            throw casNode.error("CA file " + cas + " holds no readable PEM certificate (" + e.getMessage() + ")");
        }
        if (certificates.isEmpty()) {
            throw casNode.error("CA file " + cas + " holds no PEM certificate (expected BEGIN CERTIFICATE blocks)");
        }
        String fingerprint;
        try {
            fingerprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pem));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        return new UpstreamTlsConfig(cas, List.copyOf(certificates), fingerprint, verifyHostname);
    }

    private static ServiceConfig service(String name, ConfigNode node) throws ConfigException {
        ConfigMap m = node.asMap("path", "methods", "responseTimeout", "maxInFlight", "journal", "passFields",
                "requestTimeout", "sendTimeout", "subject", "maxResponseBytes", "title", "description", "owner", "docs",
                "tags", "retry", "cache");
        ConfigNode pathNode = m.required("path");
        String path = pathNode.asString();
        String problem = UpstreamPath.problem(path);
        if (problem != null) {
            throw pathNode.error("path '" + path + "' " + problem);
        }
        ConfigNode methodsNode = m.optional("methods");
        Set<String> methods = methodsNode == null ? DEFAULT_METHODS : methods(methodsNode);
        ServiceConfig.JournalBodies bodies = ServiceConfig.JournalBodies.NONE;
        ConfigNode journalNode = m.optional("journal");
        if (journalNode != null) {
            ConfigNode bodiesNode = journalNode.asMap("bodies").optional("bodies");
            if (bodiesNode != null) {
                bodies = switch (bodiesNode.asString()) {
                    case "none" -> ServiceConfig.JournalBodies.NONE;
                    case "hash" -> ServiceConfig.JournalBodies.HASH;
                    default -> throw bodiesNode.error("expected none or hash, got '" + bodiesNode.asString() + "'");
                };
            }
        }
        ConfigNode passNode = m.optional("passFields");
        Set<String> passFields = passNode == null ? Set.of() : passFields(passNode);
        ConfigNode subjectNode = m.optional("subject");
        ConfigNode cacheNode = m.optional("cache");
        return new ServiceConfig(name, path, methods, m.duration("responseTimeout", null),
                m.integer("maxInFlight", 0, 1, MAX_IN_FLIGHT), bodies, passFields,
                m.duration("requestTimeout", null), m.duration("sendTimeout", null),
                subjectNode == null ? null : subject(subjectNode),
                m.optional("maxResponseBytes") == null ? null : m.size("maxResponseBytes", 0, 0, Long.MAX_VALUE),
                ListingReader.read(node.file(), m),
                m.optional("retry") == null ? RetryConfig.DEFAULT : retry(m.optional("retry"), methods),
                cacheNode == null ? null : cache(cacheNode, methods, passFields));
    }

    /**
     * A service's {@code cache}; every key may be left out for its default ({@code cache: {}} is a cache with all
     * defaults). Only GET and HEAD are answered from a cache, so a service that allows neither cannot have one.
     */
    private static CacheConfig cache(ConfigNode node, Set<String> serviceMethods, Set<String> passFields)
            throws ConfigException {
        if (!serviceMethods.contains("GET") && !serviceMethods.contains("HEAD")) {
            throw node.keyError("only GET and HEAD are answered from a cache, and the service allows neither (methods: "
                    + serviceMethods + ")");
        }
        ConfigMap m = node.asMap("ttl", "maxBytes", "maxEntryBytes", "key", "varyHeaders", "scope", "statuses",
                "staleIfError", "allowConsumerBypass");
        Duration ttl = m.duration("ttl", CacheConfig.DEFAULT_TTL);
        long maxBytes = m.size("maxBytes", CacheConfig.DEFAULT_MAX_BYTES, 1, Long.MAX_VALUE);
        long maxEntryBytes = m.size("maxEntryBytes", Math.min(CacheConfig.DEFAULT_MAX_ENTRY_BYTES, maxBytes), 1,
                CacheConfig.MAX_ENTRY_BYTES);
        if (maxEntryBytes > maxBytes) {
            throw m.required("maxEntryBytes").error("an entry cannot be larger than the whole cache: expected at most"
                    + " maxBytes, " + maxBytes + " bytes, got " + maxEntryBytes);
        }
        boolean keyPath = true;
        boolean keyQuery = true;
        ConfigNode keyNode = m.optional("key");
        if (keyNode != null) {
            keyPath = false;
            keyQuery = false;
            for (ConfigNode item : nonEmptyList(keyNode, "key part")) {
                String part = item.asString();
                if (!part.equals("path") && !part.equals("query")) {
                    throw item.error("expected path or query, got '" + part + "'");
                }
                if (part.equals("path") ? keyPath : keyQuery) {
                    throw item.error("duplicate key part " + part);
                }
                keyPath |= part.equals("path");
                keyQuery |= part.equals("query");
            }
        }
        ConfigNode varyNode = m.optional("varyHeaders");
        List<String> varyHeaders = varyNode == null ? List.of() : varyHeaders(varyNode, passFields);
        CacheConfig.Scope scope = CacheConfig.Scope.SHARED;
        ConfigNode scopeNode = m.optional("scope");
        if (scopeNode != null) {
            scope = switch (scopeNode.asString()) {
                case "shared" -> CacheConfig.Scope.SHARED;
                case "consumer" -> CacheConfig.Scope.CONSUMER;
                default -> throw scopeNode.error("expected shared or consumer, got '" + scopeNode.asString() + "'");
            };
        }
        Set<Integer> statuses = CacheConfig.DEFAULT_STATUSES;
        ConfigNode statusesNode = m.optional("statuses");
        if (statusesNode != null) {
            Set<Integer> set = new LinkedHashSet<>();
            for (ConfigNode item : nonEmptyList(statusesNode, "status")) {
                int status = item.asInt(200, 599);
                if (!CacheConfig.CACHEABLE_STATUSES.contains(status)) {
                    throw item.error("status " + status + " is not one a cache may keep without being told (RFC 9111"
                            + " §4.2.2, RFC 9110 §15.1): expected one of " + CacheConfig.CACHEABLE_STATUSES);
                }
                if (!set.add(status)) {
                    throw item.error("duplicate status " + status);
                }
            }
            statuses = Collections.unmodifiableSet(set);
        }
        ConfigNode staleNode = m.optional("staleIfError");
        Duration staleIfError = staleNode == null ? Duration.ZERO : staleNode.asDurationOrZero();
        return new CacheConfig(ttl, maxBytes, maxEntryBytes, keyPath, keyQuery, varyHeaders, scope, statuses,
                staleIfError, m.bool("allowConsumerBypass", false));
    }

    /**
     * A cache's {@code varyHeaders}: request fields whose values become part of the cache key, lower case. A field
     * the provider never sees (one the gateway owns or strips), one that is hop-by-hop, or one whose presence sends
     * the request past the cache is refused: varying on it would either split the cache for nothing or key it on a
     * secret.
     */
    private static List<String> varyHeaders(ConfigNode node, Set<String> passFields) throws ConfigException {
        Set<String> names = new LinkedHashSet<>();
        for (ConfigNode item : node.asList()) {
            String name = item.asString().toLowerCase(Locale.ROOT);
            if (!HEADER_NAME.matcher(name).matches()) {
                throw item.error("'" + item.asString() + "' is not a header field name");
            }
            String reason = unvaryable(name, passFields);
            if (reason != null) {
                throw item.error("cannot vary on '" + item.asString() + "': " + reason);
            }
            if (!names.add(name)) {
                throw item.error("duplicate field '" + item.asString() + "'");
            }
        }
        return List.copyOf(names);
    }

    /** Why a cache may not vary on the lower-case field {@code name}, or null when it may. */
    private static String unvaryable(String name, Set<String> passFields) {
        int id = KnownHeaders.idOfLowerCase(name);
        if (id == KnownHeaders.X_GOZARGAH || id == KnownHeaders.X_FORWARDED_FOR || id == KnownHeaders.X_FORWARDED_PROTO
                || id == KnownHeaders.TRACEPARENT || id == KnownHeaders.TRACESTATE || id == KnownHeaders.HOST) {
            return "the gateway sets it for the provider";
        }
        if (id == KnownHeaders.X_API_KEY || id == KnownHeaders.PROXY_AUTHORIZATION) {
            return "it carries a credential (use scope: consumer to keep consumers' answers apart)";
        }
        if (id == KnownHeaders.CONNECTION || id == KnownHeaders.KEEP_ALIVE || id == KnownHeaders.PROXY_CONNECTION
                || id == KnownHeaders.TE || id == KnownHeaders.TRANSFER_ENCODING || id == KnownHeaders.UPGRADE
                || id == KnownHeaders.TRAILER || id == KnownHeaders.CONTENT_LENGTH || id == KnownHeaders.EXPECT) {
            return "it describes the connection or the message's framing, not the inquiry";
        }
        if (KnownHeaders.isClientClaim(id) && !passFields.contains(name)) {
            return "the gateway strips it (list it in the service's passFields to send it to the provider)";
        }
        if (name.indexOf('_') >= 0) {
            return "the gateway strips fields with '_' in their name";
        }
        return switch (name) {
            case "authorization", "cookie" -> "requests carrying it are never answered from a shared cache";
            case "range", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "if-range" ->
                    "requests carrying it are passed to the provider, never answered from the cache";
            default -> null;
        };
    }

    /**
     * A service's {@code retry}; every key may be left out for its default ({@link RetryConfig#DEFAULT}). A method
     * listed must be one the service allows, so that a typo cannot silently make nothing retryable.
     */
    private static RetryConfig retry(ConfigNode node, Set<String> serviceMethods) throws ConfigException {
        ConfigMap m = node.asMap("on", "methods", "maxAttempts", "perTryTimeout", "backoff", "maxBodyBytes");
        Set<RetryConfig.On> on = RetryConfig.DEFAULT_ON;
        ConfigNode onNode = m.optional("on");
        if (onNode != null) {
            Set<RetryConfig.On> set = EnumSet.noneOf(RetryConfig.On.class);
            for (ConfigNode item : onNode.asList()) {
                RetryConfig.On o = RetryConfig.On.of(item.asString());
                if (o == null) {
                    throw item.error("unknown failure '" + item.asString() + "': expected one of "
                            + String.join(", ", RetryConfig.On.names()));
                }
                if (!set.add(o)) {
                    throw item.error("duplicate failure " + item.asString());
                }
            }
            on = Collections.unmodifiableSet(set);
        }
        Set<String> methods = RetryConfig.DEFAULT_METHODS;
        ConfigNode methodsNode = m.optional("methods");
        if (methodsNode != null) {
            methods = methodsNode.asList().isEmpty() ? Set.of() : methods(methodsNode);
            for (ConfigNode item : methodsNode.asList()) {
                if (!serviceMethods.contains(item.asString())) {
                    throw item.error("method " + item.asString() + " is not among the service's methods "
                            + serviceMethods);
                }
            }
        }
        int maxAttempts = m.integer("maxAttempts", RetryConfig.DEFAULT_MAX_ATTEMPTS, 1, 10);
        ConfigNode perTryNode = m.optional("perTryTimeout");
        Duration perTryTimeout = perTryNode == null ? null : perTryNode.asDuration();
        ConfigNode backoffNode = m.optional("backoff");
        Duration backoff = backoffNode == null ? RetryConfig.DEFAULT_BACKOFF : backoffNode.asDuration();
        if (backoff.compareTo(Duration.ofSeconds(10)) > 0) {
            throw backoffNode.error("a backoff over 10s outlives any consumer's patience: expected at most 10s");
        }
        long maxBodyBytes = m.size("maxBodyBytes", RetryConfig.DEFAULT_MAX_BODY_BYTES, 0, 16L * 1024 * 1024);
        return new RetryConfig(on, methods, maxAttempts, perTryTimeout, backoff, maxBodyBytes);
    }

    /**
     * A service's {@code subject}: {@code from: path} with a {@code pattern}, {@code from: query} with a
     * {@code param}, or {@code from: header} with a {@code header}; a pattern (one capturing group) is optional for
     * the latter two (the whole value), and {@code kind} is required.
     */
    private static SubjectConfig subject(ConfigNode node) throws ConfigException {
        ConfigMap m = node.asMap("from", "pattern", "param", "header", "kind", "maxLength");
        ConfigNode fromNode = m.required("from");
        SubjectConfig.From from = switch (fromNode.asString()) {
            case "path" -> SubjectConfig.From.PATH;
            case "query" -> SubjectConfig.From.QUERY;
            case "header" -> SubjectConfig.From.HEADER;
            default -> throw fromNode.error("expected path, query or header, got '" + fromNode.asString() + "'");
        };
        ConfigNode paramNode = m.optional("param");
        ConfigNode headerNode = m.optional("header");
        if (paramNode != null && from != SubjectConfig.From.QUERY) {
            throw paramNode.keyError("applies only to from: query");
        }
        if (headerNode != null && from != SubjectConfig.From.HEADER) {
            throw headerNode.keyError("applies only to from: header");
        }
        String name = null;
        if (from == SubjectConfig.From.QUERY) {
            name = m.required("param").asString();
            if (name.isEmpty()) {
                throw paramNode.error("a parameter name is not empty");
            }
        } else if (from == SubjectConfig.From.HEADER) {
            name = m.required("header").asString().toLowerCase(Locale.ROOT);
            if (!HEADER_NAME.matcher(name).matches()) {
                throw headerNode.error("'" + headerNode.asString() + "' is not a header field name");
            }
        }
        ConfigNode patternNode = from == SubjectConfig.From.PATH ? m.required("pattern") : m.optional("pattern");
        Pattern pattern;
        try {
            pattern = Pattern.compile(patternNode == null ? SubjectConfig.WHOLE_VALUE : patternNode.asString());
        } catch (PatternSyntaxException e) {
            throw patternNode.error("not a valid regular expression: " + e.getDescription());
        }
        if (pattern.matcher("").groupCount() != 1) {
            throw patternNode.error("must have exactly one capturing group, the subject (use (?:...) for others), has "
                    + pattern.matcher("").groupCount());
        }
        ConfigNode kindNode = m.required("kind");
        String kind = kindNode.asString();
        if (!SubjectConfig.KIND.matcher(kind).matches()) {
            throw kindNode.error("'" + kind + "' is not a kind: lower-case words joined by '-', such as national-code");
        }
        int maxLength = m.integer("maxLength", SubjectConfig.DEFAULT_MAX_LENGTH, 1, SubjectConfig.MAX_MAX_LENGTH);
        return new SubjectConfig(from, name, pattern, kind, maxLength);
    }

    /**
     * A service's {@code passFields}: names of fields that claim the client's origin or method, which the
     * gateway strips unless the service lists them. Anything else listed is an error, so that a typo or a
     * field the gateway controls (X-Forwarded-For, X-Gozargah-*) is not silently ignored.
     */
    private static Set<String> passFields(ConfigNode node) throws ConfigException {
        Set<String> names = new LinkedHashSet<>();
        for (ConfigNode item : node.asList()) {
            String name = item.asString();
            if (!KnownHeaders.isClientClaim(KnownHeaders.idOfLowerCase(name.toLowerCase(Locale.ROOT)))) {
                throw item.error("'" + name + "' cannot be passed: passFields lists only fields the gateway would strip"
                        + " as a client's claim (Forwarded, X-Real-IP, True-Client-IP, X-Forwarded-Host,"
                        + " X-HTTP-Method-Override, X-HTTP-Method, X-Method-Override)");
            }
            if (!names.add(name.toLowerCase(Locale.ROOT))) {
                throw item.error("duplicate field '" + name + "'");
            }
        }
        return Set.copyOf(names);
    }

    private static JournalConfig journal(Path file, ConfigNode node) throws ConfigException {
        ConfigMap m = node.asMap("enabled", "dir", "rollCycle", "ringBytes", "retainDays", "archiveDir",
                "summaryInterval", "summaryKeys", "minFreeBytes", "subjectKeyFile", "signingKeyFile", "checkpointInterval");
        boolean enabled = true;
        ConfigNode enabledNode = m.optional("enabled");
        if (enabledNode != null) {
            enabled = switch (enabledNode.asString()) {
                case "true" -> true;
                case "false" -> false;
                default -> throw enabledNode.error("expected true or false, got '" + enabledNode.asString() + "'");
            };
        }
        Path dir = enabled ? directory(file, m.required("dir")) : null;
        String rollCycle = JournalConfig.DEFAULT_ROLL_CYCLE;
        ConfigNode rollNode = m.optional("rollCycle");
        if (rollNode != null) {
            rollCycle = rollNode.asString();
            if (!JournalConfig.ROLL_CYCLES.contains(rollCycle)) {
                throw rollNode.error("expected one of " + String.join(", ", JournalConfig.ROLL_CYCLES) + ", got '"
                        + rollCycle + "' (DAILY and FAST_DAILY hold about 50,000 records a second on average: too"
                        + " few for the writer's budget)");
            }
        }
        long ringBytes = m.size("ringBytes", JournalConfig.DEFAULT_RING_BYTES, JournalConfig.MIN_RING_BYTES,
                JournalConfig.MAX_RING_BYTES);
        if (Long.bitCount(ringBytes) != 1) {
            throw m.required("ringBytes").error("must be a power of two (such as 16MiB), got " + ringBytes);
        }
        int retainDays = m.integer("retainDays", 0, 0, 36_500);
        ConfigNode archiveNode = m.optional("archiveDir");
        Path archiveDir = archiveNode == null ? null : directory(file, archiveNode);
        if (archiveDir != null && retainDays == 0) {
            throw archiveNode.error("archiveDir needs retainDays: without it no cycle file is ever archived");
        }
        if (archiveDir != null && dir != null && archiveDir.startsWith(dir)) {
            throw archiveNode.error("must be outside the journal directory " + dir);
        }
        Duration summaryInterval = m.duration("summaryInterval", JournalConfig.DEFAULT_SUMMARY_INTERVAL);
        if (summaryInterval.compareTo(JournalConfig.MIN_SUMMARY_INTERVAL) < 0
                || summaryInterval.compareTo(JournalConfig.MAX_SUMMARY_INTERVAL) > 0) {
            throw m.required("summaryInterval").error("must be from " + JournalConfig.MIN_SUMMARY_INTERVAL.toMillis()
                    + "ms to " + JournalConfig.MAX_SUMMARY_INTERVAL.toMinutes() + "m, got " + summaryInterval.toMillis()
                    + "ms");
        }
        int summaryKeys = m.integer("summaryKeys", JournalConfig.DEFAULT_SUMMARY_KEYS, 1, JournalConfig.MAX_SUMMARY_KEYS);
        long minFreeBytes = m.size("minFreeBytes", JournalConfig.DEFAULT_MIN_FREE_BYTES, JournalConfig.MIN_MIN_FREE_BYTES,
                Long.MAX_VALUE);
        ConfigNode subjectKeyNode = m.optional("subjectKeyFile");
        Path subjectKeyFile = subjectKeyNode == null ? null : file(file, subjectKeyNode);
        SubjectKey subjectKey = null;
        if (subjectKeyFile != null) {
            try {
                subjectKey = SubjectKey.read(subjectKeyFile);
            } catch (IOException e) {
                throw subjectKeyNode.error("cannot read " + subjectKeyFile + ": " + e
                        + " (gozargah keygen --subject-key FILE makes one)");
            } catch (IllegalArgumentException e) {
                throw subjectKeyNode.error(subjectKeyFile + ": " + e.getMessage());
            }
        }
        ConfigNode signingKeyNode = m.optional("signingKeyFile");
        Path signingKeyFile = signingKeyNode == null ? null : file(file, signingKeyNode);
        if (signingKeyFile != null) {
            try {
                CheckpointKeys.readPrivate(signingKeyFile);
            } catch (IOException e) {
                throw signingKeyNode.error("cannot read " + signingKeyFile + ": " + e
                        + " (gozargah keygen --signing-key FILE makes one)");
            } catch (IllegalArgumentException e) {
                throw signingKeyNode.error(signingKeyFile + ": " + e.getMessage());
            }
        }
        Duration checkpointInterval = m.duration("checkpointInterval", JournalConfig.DEFAULT_CHECKPOINT_INTERVAL);
        if (checkpointInterval.compareTo(JournalConfig.MIN_CHECKPOINT_INTERVAL) < 0
                || checkpointInterval.compareTo(JournalConfig.MAX_CHECKPOINT_INTERVAL) > 0) {
            throw m.required("checkpointInterval").error("must be from 1s to 24h, got " + checkpointInterval.toMillis()
                    + "ms");
        }
        if (m.optional("checkpointInterval") != null && signingKeyFile == null) {
            throw m.required("checkpointInterval").keyError("needs signingKeyFile: without a key there are no"
                    + " checkpoints");
        }
        return new JournalConfig(enabled, dir, rollCycle, ringBytes, retainDays, archiveDir, summaryInterval, summaryKeys,
                minFreeBytes, subjectKeyFile, subjectKey, signingKeyFile, checkpointInterval);
    }

    /** A file path; relative ones are resolved against the config file's folder. */
    private static Path file(Path file, ConfigNode node) throws ConfigException {
        return directory(file, node);
    }

    /** A folder path; relative ones are resolved against the config file's folder. */
    private static Path directory(Path file, ConfigNode node) throws ConfigException {
        Path path;
        try {
            path = Path.of(node.asString());
        } catch (InvalidPathException e) {
            throw node.error("not a valid path: " + e.getReason());
        }
        Path base = file == null || file.toAbsolutePath().getParent() == null ? Path.of("")
                : file.toAbsolutePath().getParent();
        return base.resolve(path).toAbsolutePath().normalize();
    }

    private static Set<String> methods(ConfigNode node) throws ConfigException {
        Set<String> methods = new LinkedHashSet<>();
        for (ConfigNode item : nonEmptyList(node, "method")) {
            String method = item.asString();
            if (!METHODS.contains(method)) {
                throw item.error("unknown method '" + method + "': expected upper-case GET, HEAD, POST, PUT, DELETE,"
                        + " PATCH or OPTIONS");
            }
            if (!methods.add(method)) {
                throw item.error("duplicate method " + method);
            }
        }
        return Collections.unmodifiableSet(methods);
    }

    private static Map<String, ConsumerConfig> consumers(ConfigNode node, Map<String, ProviderConfig> providers)
            throws ConfigException {
        Map<String, String> keyOwners = new LinkedHashMap<>();
        Map<String, String> certificateOwners = new LinkedHashMap<>();
        return node.asNamedMap((name, value) -> {
            ConfigMap m = value.asMap("apiKeys", "certificates", "rate", "burst", "grants", "maxInFlight");
            ConfigNode keysNode = m.optional("apiKeys");
            ConfigNode certificatesNode = m.optional("certificates");
            if (keysNode == null && certificatesNode == null) {
                throw value.keyError("a consumer needs apiKeys, certificates or both to identify it");
            }
            List<byte[]> hashes = new ArrayList<>();
            for (ConfigNode item : keysNode == null ? List.<ConfigNode>of() : nonEmptyList(keysNode, "API key hash")) {
                String hex = keyHash(item);
                String owner = keyOwners.putIfAbsent(hex, name);
                if (owner != null) {
                    throw item.error(owner.equals(name) ? "duplicate API key hash"
                            : "API key hash already belongs to consumer '" + owner + "'");
                }
                hashes.add(HexFormat.of().parseHex(hex));
            }
            ConfigNode grantsNode = m.optional("grants");
            List<GrantConfig> grants = grantsNode == null ? List.of() : grants(grantsNode, providers);
            List<byte[]> certificates = new ArrayList<>();
            if (certificatesNode != null) {
                for (ConfigNode item : nonEmptyList(certificatesNode, "certificate fingerprint")) {
                    String hex = certificateFingerprint(item);
                    String owner = certificateOwners.putIfAbsent(hex, name);
                    if (owner != null) {
                        throw item.error(owner.equals(name) ? "duplicate certificate fingerprint"
                                : "certificate fingerprint already belongs to consumer '" + owner + "'");
                    }
                    certificates.add(HexFormat.of().parseHex(hex));
                }
            }
            return new ConsumerConfig(name, List.copyOf(hashes), grants, rateLimit(m, value),
                    List.copyOf(certificates), m.integer("maxInFlight", ConsumerConfig.DEFAULT_MAX_IN_FLIGHT, 1,
                    MAX_IN_FLIGHT));
        });
    }

    /** The lower-case 64-digit hex of a {@code sha256:<hex>} or bare-hex key hash. */
    private static String keyHash(ConfigNode node) throws ConfigException {
        String text = node.asString();
        if (text.startsWith(ApiKeys.KEY_PREFIX)) {
            throw node.error("this is an API key, not its hash: store only " + ApiKeys.HASH_PREFIX
                    + "<64 hex digits> (ApiKeys.configHash) and give the key to the consumer");
        }
        String hex = text.startsWith(ApiKeys.HASH_PREFIX) ? text.substring(ApiKeys.HASH_PREFIX.length()) : text;
        if (!SHA256_HEX.matcher(hex).matches()) {
            throw node.error("expected an API key hash " + ApiKeys.HASH_PREFIX + "<64 hex digits>, got '" + text + "'");
        }
        return hex.toLowerCase(Locale.ROOT);
    }

    /**
     * The lower-case hex of a client certificate's SHA-256 fingerprint, written {@code sha256:<64 hex>}; the
     * colon-separated form {@code openssl x509 -fingerprint -sha256} prints is accepted too.
     */
    private static String certificateFingerprint(ConfigNode node) throws ConfigException {
        String text = node.asString();
        String hex = text.startsWith(ApiKeys.HASH_PREFIX) ? text.substring(ApiKeys.HASH_PREFIX.length()) : text;
        if (hex.length() == 95) {
            hex = hex.replace(":", "");
        }
        if (!SHA256_HEX.matcher(hex).matches()) {
            throw node.error("expected a certificate fingerprint " + ApiKeys.HASH_PREFIX + "<64 hex digits> (SHA-256"
                    + " of the DER certificate: openssl x509 -noout -fingerprint -sha256), got '" + text + "'");
        }
        return hex.toLowerCase(Locale.ROOT);
    }

    private static List<GrantConfig> grants(ConfigNode node, Map<String, ProviderConfig> providers)
            throws ConfigException {
        List<GrantConfig> grants = new ArrayList<>();
        for (ConfigNode item : node.asList()) {
            ConfigMap m = item.asMap("service", "rate", "burst", "quotaDay", "quotaMonth");
            ConfigNode serviceNode = m.required("service");
            String ref = serviceNode.asString();
            int slash = ref.indexOf('/');
            if (slash < 0) {
                throw serviceNode.error("expected provider/service such as nocr/identity, got '" + ref + "'");
            }
            String provider = ref.substring(0, slash);
            String service = ref.substring(slash + 1);
            ProviderConfig p = providers.get(provider);
            if (p == null) {
                throw serviceNode.error("unknown provider '" + provider + "'; defined: "
                        + String.join(", ", providers.keySet()));
            }
            if (!p.services().containsKey(service)) {
                throw serviceNode.error("unknown service '" + service + "' of provider '" + provider + "'; defined: "
                        + String.join(", ", p.services().keySet()));
            }
            for (GrantConfig earlier : grants) {
                if (earlier.provider().equals(provider) && earlier.service().equals(service)) {
                    throw serviceNode.error("duplicate grant of " + ref);
                }
            }
            long quotaDay = m.optional("quotaDay") == null ? 0 : m.required("quotaDay").asLong(1, MAX_QUOTA);
            long quotaMonth = m.optional("quotaMonth") == null ? 0 : m.required("quotaMonth").asLong(1, MAX_QUOTA);
            if (quotaDay > 0 && quotaMonth > 0 && quotaDay > quotaMonth) {
                throw m.required("quotaDay").error("quotaDay " + quotaDay + " is more than quotaMonth " + quotaMonth
                        + ": the monthly quota would cap every day first");
            }
            grants.add(new GrantConfig(provider, service, rateLimit(m, item), quotaDay, quotaMonth));
        }
        return List.copyOf(grants);
    }

    private static <T> Map<String, T> nonEmptyMap(ConfigNode node, String what, ConfigNode.EntryReader<T> reader)
            throws ConfigException {
        Map<String, T> map = node.asNamedMap(reader);
        if (map.isEmpty()) {
            throw node.keyError("at least one " + what + " is required");
        }
        return map;
    }

    private static List<ConfigNode> nonEmptyList(ConfigNode node, String what) throws ConfigException {
        List<ConfigNode> items = node.asList();
        if (items.isEmpty()) {
            throw node.keyError("at least one " + what + " is required");
        }
        return items;
    }

    /**
     * Whether {@code name} may name a provider, service, consumer or listener in config: what the loader
     * accepts, so that tools which print config lines (keygen) refuse the same names.
     */
    public static boolean isName(String name) {
        return ConfigNode.NAME.matcher(name).matches();
    }

    /** Why {@code name} is not a name: the reason a config error or a tool gives. */
    public static String badName(String name) {
        return "bad name '" + name + "': expected lower-case letters, digits, '_' and '-', starting with a letter"
                + " or digit, at most 63 characters";
    }

    private static Set<String> orderedSet(List<String> items) {
        return Collections.unmodifiableSet(new LinkedHashSet<>(items));
    }
}
