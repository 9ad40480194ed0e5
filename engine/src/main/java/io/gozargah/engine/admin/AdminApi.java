package io.gozargah.engine.admin;

import io.gozargah.engine.cache.InquiryCache;
import io.gozargah.engine.config.ConsumerConfig;
import io.gozargah.engine.config.GrantConfig;
import io.gozargah.engine.config.ProviderConfig;
import io.gozargah.engine.config.ServiceConfig;
import io.gozargah.engine.metrics.PrometheusText;
import io.gozargah.engine.route.RoutingSnapshot;
import io.gozargah.engine.route.ServiceRoute;
import io.gozargah.engine.server.ConfigReloader;
import io.gozargah.engine.server.Gateway;
import io.gozargah.engine.upstream.EndpointState;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The admin endpoints. Answers are JSON, Prometheus text for {@code /metrics}, and RFC 9457 problem documents
 * (type {@code urn:gozargah:admin:<code>}) for every refusal: unknown path 404, wrong method 405 with
 * {@code Allow}, missing or wrong token 401 with {@code WWW-Authenticate: Bearer} (RFC 6750 §3).
 */
final class AdminApi {
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    private static final String BEARER = "Bearer ";
    private static final String CONSUMERS = "/admin/consumers/";
    private static final String CACHE = "/admin/cache/";

    private final Gateway gateway;
    private final ConfigReloader reloader;
    private final AdminToken token;
    private final Duration drainDeadline;
    private final AdminSubjects subjects;

    AdminApi(Gateway gateway, ConfigReloader reloader, AdminToken token, Duration drainDeadline,
             AdminSubjects subjects) {
        this.gateway = gateway;
        this.reloader = reloader;
        this.token = token;
        this.drainDeadline = drainDeadline;
        this.subjects = subjects;
    }

    CompletableFuture<AdminReply> handle(AdminRequest r) {
        String path = r.path();
        switch (path) {
            case "/health":
                return done(get(r) ? health() : notAllowed("GET"));
            case "/ready":
                return done(get(r) ? ready() : notAllowed("GET"));
            default:
                break;
        }
        boolean known = path.equals("/metrics") || path.equals("/admin/services") || path.equals("/admin/reload")
                || path.equals("/admin/drain") || (path.startsWith(CONSUMERS) && path.length() > CONSUMERS.length())
                || path.startsWith(AdminSubjects.PREFIX) || (path.startsWith(CACHE) && path.length() > CACHE.length());
        if (!known) {
            return done(AdminReply.problem(404, "not-found", "Not found", "no admin endpoint at " + path
                    + "; see GET /metrics, /health, /ready, /admin/services, /admin/consumers/{name},"
                    + " /admin/subjects/{kind}/{value}, POST /admin/reload, /admin/drain,"
                    + " DELETE /admin/cache/{provider}/{service}"));
        }
        if (!authorized(r.authorization())) {
            return done(AdminReply.problem(401, "unauthenticated", "Unauthenticated",
                    r.authorization() == null ? "send Authorization: Bearer <admin token>"
                            : "the admin token is not valid",
                    "WWW-Authenticate", "Bearer realm=\"gozargah-admin\""));
        }
        switch (path) {
            case "/metrics":
                return done(get(r) ? AdminReply.text(PrometheusText.CONTENT_TYPE, gateway.metrics().scrape())
                        : notAllowed("GET"));
            case "/admin/services":
                return done(get(r) ? services() : notAllowed("GET"));
            case "/admin/reload":
                return done(post(r) ? reload() : notAllowed("POST"));
            case "/admin/drain":
                return post(r) ? drain() : done(notAllowed("POST"));
            default:
                if (path.startsWith(CACHE)) {
                    return done(r.method().equals("DELETE") ? purge(path.substring(CACHE.length()), r.query())
                            : notAllowed("DELETE"));
                }
                if (path.startsWith(AdminSubjects.PREFIX)) {
                    return get(r) ? subjects.handle(path.substring(AdminSubjects.PREFIX.length()), r.query())
                            : done(notAllowed("GET"));
                }
                return done(get(r) ? consumer(path.substring(CONSUMERS.length())) : notAllowed("GET"));
        }
    }

    private boolean authorized(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        return token.matches(authorization.substring(BEARER.length()).strip().getBytes(StandardCharsets.ISO_8859_1));
    }

    private static boolean get(AdminRequest r) {
        return r.method().equals("GET");
    }

    private static boolean post(AdminRequest r) {
        return r.method().equals("POST");
    }

    private static CompletableFuture<AdminReply> done(AdminReply reply) {
        return CompletableFuture.completedFuture(reply);
    }

    private static AdminReply notAllowed(String allow) {
        return AdminReply.problem(405, "method-not-allowed", "Method not allowed", "this endpoint takes " + allow,
                "Allow", allow);
    }

    private static AdminReply health() {
        return AdminReply.json(200, Map.of("status", "up"));
    }

    private AdminReply ready() {
        List<String> reasons = gateway.notReady();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("ready", reasons.isEmpty());
        doc.put("reasons", reasons);
        return AdminReply.json(reasons.isEmpty() ? 200 : 503, doc);
    }

    private AdminReply services() {
        RoutingSnapshot snapshot = gateway.snapshot();
        List<Object> list = new ArrayList<>();
        for (ProviderConfig p : snapshot.config().providers().values()) {
            for (ServiceConfig s : p.services().values()) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("provider", p.name());
                doc.put("service", s.name());
                doc.put("path", s.path());
                doc.put("methods", List.copyOf(s.methods()));
                doc.put("endpoints", p.endpoints().stream().map(Object::toString).toList());
                Duration timeout = s.responseTimeout() != null ? s.responseTimeout() : p.responseTimeout();
                doc.put("responseTimeoutMillis", timeout.toMillis());
                // A grant names its service by provider and service; its terms (rate, quotas) do not decide
                // whether the consumer is granted.
                List<String> consumers = new ArrayList<>();
                for (ConsumerConfig c : snapshot.config().consumers().values()) {
                    if (c.grants().stream().anyMatch(g -> isFor(g, p, s))) {
                        consumers.add(c.name());
                    }
                }
                doc.put("grantedTo", consumers);
                list.add(doc);
            }
        }
        Map<String, List<Object>> byProvider = new LinkedHashMap<>();
        for (EndpointState e : gateway.endpointStates()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("url", e.endpoint());
            doc.put("weight", e.weight());
            doc.put("backup", e.backup());
            doc.put("healthy", e.healthy());
            doc.put("ejected", e.ejectedForMillis() > 0);
            doc.put("ejectedForMillis", e.ejectedForMillis());
            doc.put("ejections", e.ejections());
            doc.put("outstanding", e.outstanding());
            doc.put("successes", e.successes());
            doc.put("failures", e.failures());
            if (e.successRate() >= 0) {
                doc.put("successRate", e.successRate());
            }
            byProvider.computeIfAbsent(e.provider(), k -> new ArrayList<>()).add(doc);
        }
        List<Object> providers = new ArrayList<>();
        byProvider.forEach((name, endpoints) -> {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("provider", name);
            doc.put("endpoints", endpoints);
            providers.add(doc);
        });
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("services", list);
        reply.put("providers", providers);
        return AdminReply.json(200, reply);
    }

    private static boolean isFor(GrantConfig grant, ProviderConfig provider, ServiceConfig service) {
        return grant.provider().equals(provider.name()) && grant.service().equals(service.name());
    }

    private AdminReply consumer(String name) {
        ConsumerConfig c = gateway.snapshot().config().consumers().get(name);
        if (c == null) {
            return AdminReply.problem(404, "unknown-consumer", "Unknown consumer", "no consumer named " + name
                    + " in the running configuration");
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("consumer", c.name());
        doc.put("apiKeys", c.apiKeyHashes().size());
        doc.put("grants", c.grants().stream().map(g -> g.provider() + "/" + g.service()).toList());
        doc.put("usage", gateway.metrics().usage(c.name()));
        return AdminReply.json(200, doc);
    }

    /**
     * Drops the kept answers of the service {@code name} ({@code provider/service}): all of them, or with
     * {@code ?key=} those of one request path and query (as consumers send them, percent-encoded once more in the
     * admin's URL), whatever consumer or varied field they were kept for.
     */
    private AdminReply purge(String name, String query) {
        InquiryCache cache = null;
        boolean known = false;
        for (ServiceRoute s : gateway.snapshot().services()) {
            if (s.qualifiedName().equals(name)) {
                known = true;
                cache = s.cache();
            }
        }
        if (!known) {
            return AdminReply.problem(404, "unknown-service", "Unknown service", "no service named " + name
                    + " (provider/service)");
        }
        if (cache == null) {
            return AdminReply.problem(404, "not-cached", "Not cached", "the service " + name + " has no cache");
        }
        String key = null;
        if (query != null && !query.isEmpty()) {
            if (!query.startsWith("key=") || query.indexOf('&') >= 0) {
                return AdminReply.problem(400, "bad-request", "Bad request",
                        "the query takes key=<path and query, percent-encoded> only");
            }
            key = AdminSubjects.percentDecoded(query.substring("key=".length()));
            if (key == null || key.isEmpty() || key.indexOf('\0') >= 0) {
                return AdminReply.problem(400, "bad-request", "Bad request",
                        "key is not a percent-encoded request path and query");
            }
        }
        long purged = key == null ? cache.purge() : cache.purge(key);
        log.info("admin: purged {} cached answer(s) of {}{}", purged, name, key == null ? "" : " for " + key);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("service", name);
        if (key != null) {
            doc.put("key", key);
        }
        doc.put("purged", purged);
        return AdminReply.json(200, doc);
    }

    private AdminReply reload() {
        if (reloader == null) {
            return AdminReply.problem(503, "reload-unavailable", "Reload unavailable",
                    "this gateway was not started from a config file");
        }
        ConfigReloader.Result result = reloader.reload();
        if (!result.ok()) {
            return AdminReply.problem(422, "reload-failed", "Reload failed", result.message()
                    + "; the running configuration is unchanged");
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("reloaded", true);
        doc.put("message", result.message());
        return AdminReply.json(200, doc);
    }

    /** Answers when the drain is over: listeners closed, in-flight exchanges done or cut at the deadline. */
    private CompletableFuture<AdminReply> drain() {
        return gateway.drain(drainDeadline).thenApply(report -> {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("drained", true);
            doc.put("millis", report.millis());
            doc.put("cutAtDeadline", report.cut());
            return AdminReply.json(200, doc);
        });
    }
}
