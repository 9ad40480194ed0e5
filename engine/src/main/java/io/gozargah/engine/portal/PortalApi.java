package io.gozargah.engine.portal;

import io.gozargah.engine.admission.AddressRateLimiter;
import io.gozargah.engine.auth.ApiKeyAuthenticator;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.PortalConfig;
import io.gozargah.engine.config.ProviderConfig;
import io.gozargah.engine.config.ServiceConfig;
import io.gozargah.engine.route.Consumer;
import io.gozargah.engine.route.RoutingSnapshot;
import io.gozargah.engine.server.LoopResources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The portal's endpoints. Pages are HTML, {@code /api/*} JSON, and every refusal an RFC 9457 problem document of
 * type {@code urn:gozargah:portal:<code>}. Runs on the portal's event loop; what reads files (the journal, an
 * OpenAPI document) runs on {@code work} and answers when it is done.
 *
 * <p>Signing in: the key is posted once, checked by the gateway's own {@link ApiKeyAuthenticator} against the
 * running config's key hashes, and forgotten; the browser gets a random session id in an HttpOnly,
 * SameSite=Strict cookie (Secure when the request came over TLS). Attempts are limited per client address
 * ({@link AddressRateLimiter}), and the two form POSTs must come from the portal's own pages: a browser says where
 * a request comes from in {@code Sec-Fetch-Site} and {@code Origin}, and a cross-site one is refused (403).
 */
final class PortalApi {
    private final Supplier<RoutingSnapshot> snapshot;
    private final PortalConfig config;
    private final Executor work;
    private final LongSupplier nanoClock;
    private final LongSupplier clockMillis;
    private final Sessions sessions;
    private final AddressRateLimiter signIns;
    private final ApiKeyAuthenticator keys;
    private final StatisticsCache statistics;
    private final PortalAssets assets = new PortalAssets();
    private final ConsumerView.Counters counters = new ConsumerView.Counters();
    /** The address the catalogue's example calls name, or null for the config's first listener. */
    private final Supplier<String> gatewayBase;
    /** Nanoseconds the last catalogue page took to render (the {@code Server-Timing} of its answer). */
    private volatile long lastRenderNanos;

    PortalApi(Supplier<RoutingSnapshot> snapshot, Supplier<String> gatewayBase, PortalConfig config, Executor work,
              StatisticsCache statistics, LongSupplier nanoClock, LongSupplier clockMillis) {
        this.snapshot = snapshot;
        this.gatewayBase = gatewayBase;
        this.config = config;
        this.work = work;
        this.statistics = statistics;
        this.nanoClock = nanoClock;
        this.clockMillis = clockMillis;
        this.sessions = new Sessions(config.maxSessions(), config.sessionLifetime().toNanos(), nanoClock);
        this.signIns = new AddressRateLimiter(config.signInRate(), config.signInBurst(), 4096,
                new SecureRandom().nextLong());
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        this.keys = new ApiKeyAuthenticator(sha256, new byte[LoopResources.MAX_API_KEY_BYTES], new byte[32]);
    }

    long lastRenderNanos() {
        return lastRenderNanos;
    }

    int sessions() {
        return sessions.size();
    }

    CompletableFuture<PortalReply> handle(PortalRequest r) {
        String path = r.path();
        if (path.startsWith("/assets/")) {
            PortalAssets.Asset asset = assets.get(path);
            if (asset == null) {
                return done(notFound(path));
            }
            return done(get(r) ? PortalAssets.reply(asset, r.header("if-none-match")) : notAllowed("GET, HEAD"));
        }
        if (path.startsWith("/docs/")) {
            return get(r) ? docs(path.substring("/docs/".length())) : done(notAllowed("GET, HEAD"));
        }
        switch (path) {
            case "/me/sign-in":
                return done(post(r) ? signIn(r) : notAllowed("POST"));
            case "/me/sign-out":
                return done(post(r) ? signOut(r) : notAllowed("POST"));
            default:
                break;
        }
        if (!get(r)) {
            return done(knownPage(path) ? notAllowed("GET, HEAD") : notFound(path));
        }
        Language lang = Language.of(r);
        GatewayConfig gateway = snapshot.get().config();
        return switch (path) {
            case "/" -> done(withLanguage(r, lang, catalogue(gateway, lang, r)));
            case "/api/services" -> done(PortalReply.json(CatalogueView.json(gateway,
                    CatalogueView.Filter.of(r.parameters()), base(gateway))));
            case "/statistics" -> done(withLanguage(r, lang, PortalReply.html(200,
                    StatisticsView.html(statistics.last(), lang))));
            case "/api/statistics" -> done(PortalReply.json(StatisticsView.json(statistics.last())));
            case "/me" -> me(r, lang, gateway, false);
            case "/api/me" -> me(r, lang, gateway, true);
            default -> done(notFound(path));
        };
    }

    private static boolean knownPage(String path) {
        return path.equals("/") || path.equals("/statistics") || path.equals("/me") || path.startsWith("/api/");
    }

    private PortalReply catalogue(GatewayConfig gateway, Language lang, PortalRequest r) {
        long start = nanoClock.getAsLong();
        String page = CatalogueView.html(gateway, lang, CatalogueView.Filter.of(r.parameters()), base(gateway));
        long took = nanoClock.getAsLong() - start;
        lastRenderNanos = took;
        return PortalReply.html(200, page).with("Server-Timing",
                String.format(Locale.ROOT, "render;dur=%.3f", took / 1e6));
    }

    private String base(GatewayConfig gateway) {
        String base = gatewayBase.get();
        return base != null ? base : CatalogueView.gatewayBase(gateway);
    }

    /** Sets the language cookie when the query chose one, so the choice holds on the next pages. */
    private static PortalReply withLanguage(PortalRequest r, Language lang, PortalReply reply) {
        if (!Language.chosenIn(r)) {
            return reply;
        }
        return reply.with("Set-Cookie", Language.COOKIE + "=" + lang.code + "; Path=/; Max-Age=31536000; SameSite=Lax"
                + (secure(r) ? "; Secure" : ""));
    }

    private CompletableFuture<PortalReply> me(PortalRequest r, Language lang, GatewayConfig gateway, boolean json) {
        String consumer = sessions.consumer(r.cookie(Sessions.COOKIE));
        if (consumer == null && json && r.header("x-api-key") != null) {
            // a script may send its key instead of a session: counted as a sign-in attempt
            PortalReply refused = limit(r);
            if (refused != null) {
                return done(refused);
            }
            consumer = authenticate(r.header("x-api-key"));
        }
        if (consumer == null || !gateway.consumers().containsKey(consumer)) {
            return done(json ? PortalReply.problem(401, "unauthenticated", "Unauthenticated",
                    "sign in at /me, or send X-Api-Key") : PortalReply.html(200, ConsumerView.signIn(lang, false)));
        }
        String name = consumer;
        long now = clockMillis.getAsLong();
        try {
            return CompletableFuture.supplyAsync(() -> {
                ConsumerView.Data data = ConsumerView.load(gateway, counters, name, config.lastTransactions(),
                        now);
                return json ? PortalReply.json(ConsumerView.json(data))
                        : PortalReply.html(200, ConsumerView.html(data, lang, gateway));
            }, work);
        } catch (RejectedExecutionException e) {
            return done(busy());
        }
    }

    private PortalReply signIn(PortalRequest r) {
        PortalReply refused = crossSite(r);
        if (refused == null) {
            refused = limit(r);
        }
        if (refused != null) {
            return refused;
        }
        Language lang = Language.of(r);
        String consumer = authenticate(r.formBody().get("key"));
        if (consumer == null) {
            return PortalReply.html(401, ConsumerView.signIn(lang, true));
        }
        String id = sessions.open(consumer);
        return PortalReply.seeOther("/me", "Set-Cookie", Sessions.COOKIE + "=" + id + "; Path=/; Max-Age="
                + sessions.lifetimeSeconds() + "; HttpOnly; SameSite=Strict" + (secure(r) ? "; Secure" : ""));
    }

    private PortalReply signOut(PortalRequest r) {
        PortalReply refused = crossSite(r);
        if (refused != null) {
            return refused;
        }
        sessions.close(r.cookie(Sessions.COOKIE));
        return PortalReply.seeOther("/me", "Set-Cookie", Sessions.COOKIE + "=; Path=/; Max-Age=0; HttpOnly;"
                + " SameSite=Strict" + (secure(r) ? "; Secure" : ""));
    }

    /** The consumer {@code key} names in the running config, or null. */
    private String authenticate(String key) {
        if (key == null) {
            return null;
        }
        key = key.strip();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                return null; // keys are visible ASCII; the authenticator reads each char as one byte
            }
        }
        Consumer consumer = keys.authenticate(snapshot.get(), key, 1);
        return consumer == null ? null : consumer.name();
    }

    /** 429 when the client's address has used its sign-in attempts, else null (and the attempt is counted). */
    private PortalReply limit(PortalRequest r) {
        long key = r.client() == null ? 0 : AddressRateLimiter.key(r.client());
        long result = signIns.tryAcquire(key, nanoClock.getAsLong());
        if (AddressRateLimiter.isAdmitted(result)) {
            return null;
        }
        long seconds = Math.max(1, (signIns.waitNanos(result) + 999_999_999L) / 1_000_000_000L);
        return PortalReply.problem(429, "rate-limited", "Too many sign-in attempts", "this address has tried to sign"
                + " in too often; try again in " + seconds + " s", "Retry-After", Long.toString(seconds));
    }

    /**
     * 403 when a browser says the form was posted from another site. {@code Sec-Fetch-Site} decides where the browser
     * sends it: {@code same-origin} or {@code none} (typed or bookmarked) only. Without it, an {@code Origin} must be
     * this host's. {@code Origin: null} alone proves nothing: under {@code Referrer-Policy: no-referrer} a browser
     * sends it for its own forms too, so it passes only with a same-origin {@code Sec-Fetch-Site}. A client that
     * sends neither (a script, an old browser) is not a browser being led by another site, and goes on.
     */
    private static PortalReply crossSite(PortalRequest r) {
        String site = r.header("sec-fetch-site");
        if (site != null) {
            return site.equals("same-origin") || site.equals("none") ? null
                    : forbidden("a form posted from another site (Sec-Fetch-Site: " + site + ")");
        }
        String origin = r.header("origin");
        String host = r.header("host");
        if (origin != null
                && (host == null || !(origin.equals("http://" + host) || origin.equals("https://" + host)))) {
            return forbidden("a form posted from another origin");
        }
        return null;
    }

    private static PortalReply forbidden(String detail) {
        return PortalReply.problem(403, "cross-site", "Cross-site request refused", detail);
    }

    private static boolean secure(PortalRequest r) {
        return "https".equalsIgnoreCase(r.header("x-forwarded-proto"));
    }

    /** {@code /docs/{provider}[/{service}]}: the OpenAPI document as it is, read off the event loop. */
    private CompletableFuture<PortalReply> docs(String rest) {
        String[] parts = rest.split("/", -1);
        GatewayConfig gateway = snapshot.get().config();
        ProviderConfig p = gateway.providers().get(parts[0]);
        Path file = null;
        if (p != null && parts.length == 1) {
            file = p.listing().docs();
        } else if (p != null && parts.length == 2) {
            ServiceConfig s = p.services().get(parts[1]);
            file = s == null ? null : s.listing().docs();
        }
        if (file == null) {
            return done(notFound("/docs/" + rest));
        }
        Path docs = file;
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    byte[] body = Files.readAllBytes(docs);
                    String name = docs.getFileName().toString();
                    String type = name.endsWith(".json") ? "application/json" : "application/yaml";
                    return new PortalReply(200, type + "; charset=utf-8", body, List.of());
                } catch (IOException e) {
                    return PortalReply.problem(503, "docs-unavailable", "Document unavailable",
                            "the OpenAPI document cannot be read now");
                }
            }, work);
        } catch (RejectedExecutionException e) {
            return done(busy());
        }
    }

    private static boolean get(PortalRequest r) {
        return r.method().equals("GET") || r.method().equals("HEAD");
    }

    private static boolean post(PortalRequest r) {
        return r.method().equals("POST");
    }

    private static CompletableFuture<PortalReply> done(PortalReply reply) {
        return CompletableFuture.completedFuture(reply);
    }

    private static PortalReply notFound(String path) {
        return PortalReply.problem(404, "not-found", "Not found", "nothing at " + path
                + "; see /, /statistics, /me, /api/services, /api/statistics, /api/me");
    }

    private static PortalReply notAllowed(String allow) {
        return PortalReply.problem(405, "method-not-allowed", "Method not allowed", "this endpoint takes " + allow,
                "Allow", allow);
    }

    private static PortalReply busy() {
        return PortalReply.problem(503, "busy", "Busy", "the portal is reading the journal for others; try again",
                "Retry-After", "1");
    }
}
