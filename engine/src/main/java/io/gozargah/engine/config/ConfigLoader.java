package io.gozargah.engine.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import io.gozargah.engine.auth.ApiKeys;
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

    private static final Duration SERVER_IDLE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration REQUEST_HEAD_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration UPSTREAM_IDLE_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_CONNECTIONS_PER_LOOP = 64;

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
        ConfigMap top = root.asMap("server", "limits", "providers", "consumers", "journal");
        ServerConfig server = server(top.required("server"));
        ConfigNode limitsNode = top.optional("limits");
        LimitsConfig limits = limitsNode == null ? LimitsConfig.defaults() : limits(limitsNode);
        Map<String, ProviderConfig> providers = nonEmptyMap(top.required("providers"), "provider",
                ConfigLoader::provider);
        ConfigNode consumersNode = top.optional("consumers");
        Map<String, ConsumerConfig> consumers = consumersNode == null ? Map.of() : consumers(consumersNode, providers);
        ConfigNode journalNode = top.optional("journal");
        JournalConfig journal = journalNode == null ? JournalConfig.disabled() : journal(file, journalNode);
        return new GatewayConfig(file, server, limits, providers, consumers, journal);
    }

    private static ServerConfig server(ConfigNode node) throws ConfigException {
        ConfigMap m = node.asMap("listeners", "eventLoops", "transport", "idleTimeout", "requestHeadTimeout",
                "shutdownGrace");
        List<ListenerConfig> listeners = listeners(m.required("listeners"));
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
                m.duration("shutdownGrace", SHUTDOWN_GRACE));
    }

    private static List<ListenerConfig> listeners(ConfigNode node) throws ConfigException {
        List<ConfigNode> items = nonEmptyList(node, "listener");
        List<ListenerConfig> listeners = new ArrayList<>(items.size());
        Map<String, Integer> names = new LinkedHashMap<>();
        Map<String, Integer> addresses = new LinkedHashMap<>();
        for (ConfigNode item : items) {
            ConfigMap m = item.asMap("name", "host", "port");
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
            listeners.add(new ListenerConfig(name, host, port));
        }
        return List.copyOf(listeners);
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
                "maxRequestBodyBytes", "maxResponseHeaderBytes");
        LimitsConfig d = LimitsConfig.defaults();
        return new LimitsConfig(
                (int) m.size("maxStartLineBytes", d.maxStartLineBytes(), 16, Integer.MAX_VALUE),
                m.integer("maxHeaderCount", d.maxHeaderCount(), 1, 100_000),
                (int) m.size("maxHeaderBytes", d.maxHeaderBytes(), 64, Integer.MAX_VALUE),
                (int) m.size("maxChunkLineBytes", d.maxChunkLineBytes(), 16, Integer.MAX_VALUE),
                m.size("maxRequestBodyBytes", d.maxRequestBodyBytes(), 0, Long.MAX_VALUE),
                (int) m.size("maxResponseHeaderBytes", d.maxResponseHeaderBytes(), 64, Integer.MAX_VALUE));
    }

    private static ProviderConfig provider(String name, ConfigNode node) throws ConfigException {
        ConfigMap m = node.asMap("endpoints", "connectTimeout", "responseTimeout", "maxConnectionsPerLoop",
                "idleTimeout", "services");
        List<EndpointConfig> endpoints = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (ConfigNode item : nonEmptyList(m.required("endpoints"), "endpoint")) {
            EndpointConfig endpoint;
            try {
                endpoint = EndpointUrl.parse(item.asString());
            } catch (IllegalArgumentException e) {
                throw item.error(e.getMessage());
            }
            if (!seen.add(endpoint.toString())) {
                throw item.error("duplicate endpoint " + endpoint);
            }
            endpoints.add(endpoint);
        }
        Duration connectTimeout = m.duration("connectTimeout", CONNECT_TIMEOUT);
        Duration responseTimeout = m.duration("responseTimeout", RESPONSE_TIMEOUT);
        int maxConnections = m.integer("maxConnectionsPerLoop", MAX_CONNECTIONS_PER_LOOP, 1, 65_535);
        Duration idleTimeout = m.duration("idleTimeout", UPSTREAM_IDLE_TIMEOUT);

        Map<String, ServiceConfig> services = nonEmptyMap(m.required("services"), "service", ConfigLoader::service);
        return new ProviderConfig(name, List.copyOf(endpoints), connectTimeout, responseTimeout, maxConnections,
                idleTimeout, services);
    }

    private static ServiceConfig service(String name, ConfigNode node) throws ConfigException {
        ConfigMap m = node.asMap("path", "methods", "responseTimeout", "journal");
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
        return new ServiceConfig(name, path, methods, m.duration("responseTimeout", null), bodies);
    }

    private static JournalConfig journal(Path file, ConfigNode node) throws ConfigException {
        ConfigMap m = node.asMap("enabled", "dir", "rollCycle", "ringBytes", "retainDays", "archiveDir");
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
        return new JournalConfig(enabled, dir, rollCycle, ringBytes, retainDays, archiveDir);
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
        return node.asNamedMap((name, value) -> {
            ConfigMap m = value.asMap("apiKeys", "grants");
            List<byte[]> hashes = new ArrayList<>();
            for (ConfigNode item : nonEmptyList(m.required("apiKeys"), "API key hash")) {
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
            return new ConsumerConfig(name, List.copyOf(hashes), grants);
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

    private static List<GrantConfig> grants(ConfigNode node, Map<String, ProviderConfig> providers)
            throws ConfigException {
        List<GrantConfig> grants = new ArrayList<>();
        for (ConfigNode item : node.asList()) {
            ConfigMap m = item.asMap("service");
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
            GrantConfig grant = new GrantConfig(provider, service);
            if (grants.contains(grant)) {
                throw serviceNode.error("duplicate grant of " + ref);
            }
            grants.add(grant);
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

    static String badName(String name) {
        return "bad name '" + name + "': expected lower-case letters, digits, '_' and '-', starting with a letter"
                + " or digit, at most 63 characters";
    }

    private static Set<String> orderedSet(List<String> items) {
        return Collections.unmodifiableSet(new LinkedHashSet<>(items));
    }
}
