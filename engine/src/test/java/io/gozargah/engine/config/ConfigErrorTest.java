package io.gozargah.engine.config;

import static io.gozargah.engine.config.ConfigLoaderTest.MINIMAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import io.gozargah.engine.auth.ApiKeys;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad config names file, line and field. Each case is {@link ConfigLoaderTest#MINIMAL} with lines
 * replaced, inserted or dropped, so the expected line numbers can be checked against the listing:
 *
 * <pre>
 *  1 server:
 *  2   listeners:
 *  3     - port: 8080
 *  4 providers:
 *  5   nocr:
 *  6     endpoints: [ "http://127.0.0.1:9201" ]
 *  7     services:
 *  8       identity:
 *  9         path: /api/v1/identity
 * 10 consumers:
 * 11   snapp:
 * 12     apiKeys: [ "sha256:..." ]
 * 13     grants:
 * 14       - service: nocr/identity
 * </pre>
 */
class ConfigErrorTest {
    private static final String SNAPP_HASH = ApiKeys.configHash("gzk_test_snapp");
    private static final String TOKEN = "admin-token-0123456789";
    private static final String CACHE = "providers.nocr.services.identity.cache";

    @TempDir
    Path dir;

    record Case(String name, String yaml, int line, String field, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> badConfigs() {
        return Stream.of(
                // unknown keys, at every level
                new Case("unknown top-level key", after(14, "extra: 1"), 15, "extra",
                        "unknown key 'extra'; allowed: server, limits, http2, admission, providers, consumers, journal,"
                                + " admin, metrics"),
                new Case("unknown server key", after(1, "  listners: []"), 2, "server.listners",
                        "allowed: listeners, eventLoops, transport, idleTimeout, requestHeadTimeout, shutdownGrace"),
                // the journal section and a service's journal block
                new Case("unknown journal key", after(14, "journal:\n  dir: j\n  retain: 3"), 17, "journal.retain",
                        "unknown key 'retain'; allowed: enabled, dir, rollCycle, ringBytes, retainDays, archiveDir,"
                        + " summaryInterval, summaryKeys, minFreeBytes, subjectKeyFile, signingKeyFile,"
                        + " checkpointInterval"),
                new Case("journal without a dir", after(14, "journal:\n  ringBytes: 1MiB"), 15, "journal",
                        "missing required key 'dir'"),
                new Case("journal enabled not a boolean", after(14, "journal:\n  enabled: yes\n  dir: j"), 16,
                        "journal.enabled", "expected true or false, got 'yes'"),
                new Case("daily roll cycle too small", after(14, "journal:\n  dir: j\n  rollCycle: DAILY"), 17,
                        "journal.rollCycle", "expected one of LARGE_DAILY, XLARGE_DAILY, HUGE_DAILY, FAST_HOURLY,"
                        + " LARGE_HOURLY, got 'DAILY'"),
                new Case("ring not a power of two", after(14, "journal:\n  dir: j\n  ringBytes: 3MiB"), 17,
                        "journal.ringBytes", "must be a power of two (such as 16MiB), got 3145728"),
                new Case("ring too small", after(14, "journal:\n  dir: j\n  ringBytes: 1KiB"), 17,
                        "journal.ringBytes", "1KiB is less than the least allowed, 4096 bytes"),
                new Case("negative retention", after(14, "journal:\n  dir: j\n  retainDays: -1"), 17,
                        "journal.retainDays", "-1 is out of range 0..36500"),
                new Case("archive without retention", after(14, "journal:\n  dir: j\n  archiveDir: old"), 17,
                        "journal.archiveDir", "archiveDir needs retainDays"),
                new Case("summary interval too short", after(14, "journal:\n  dir: j\n  summaryInterval: 1ms"), 17,
                        "journal.summaryInterval", "must be from 10ms to 10m, got 1ms"),
                new Case("no summary keys", after(14, "journal:\n  dir: j\n  summaryKeys: 0"), 17,
                        "journal.summaryKeys", "0 is out of range 1..1048576"),
                new Case("free-space floor below a new cycle's index", after(14, "journal:\n  dir: j\n  minFreeBytes: 64KiB"),
                        17, "journal.minFreeBytes", "64KiB is less than the least allowed, 1048576 bytes"),
                // a service's subject
                new Case("subject without a subject key", after(9, "        subject: { from: path, pattern: '^(\\d{10})$',"
                        + " kind: national-code }") + "journal:\n  dir: j\n", 16, "journal",
                        "service nocr/identity names a subject, and the journal keeps only its keyed hash: set"
                        + " journal.subjectKeyFile"),
                new Case("subject from nowhere", after(9, "        subject: { from: body, kind: national-code }"), 10,
                        "providers.nocr.services.identity.subject.from", "expected path, query or header, got 'body'"),
                new Case("subject pattern without a group", after(9, "        subject: { from: path, pattern: '^\\d{10}$',"
                        + " kind: national-code }"), 10, "providers.nocr.services.identity.subject.pattern",
                        "must have exactly one capturing group"),
                new Case("subject param on a path", after(9, "        subject: { from: path, pattern: '(x)', param: a,"
                        + " kind: k }"), 10, "providers.nocr.services.identity.subject.param",
                        "applies only to from: query"),
                new Case("subject query without a param", after(9, "        subject: { from: query, kind: k }"), 10,
                        "providers.nocr.services.identity.subject", "missing required key 'param'"),
                new Case("subject kind not a word", after(9, "        subject: { from: header, header: X-Subject,"
                        + " kind: National Code }"), 10, "providers.nocr.services.identity.subject.kind",
                        "is not a kind"),
                new Case("unreadable subject key", after(14, "journal:\n  dir: j\n  subjectKeyFile: no-such-key"), 17,
                        "journal.subjectKeyFile", "cannot read"),
                new Case("unreadable signing key", after(14, "journal:\n  dir: j\n  signingKeyFile: no-such-key"), 17,
                        "journal.signingKeyFile", "cannot read"),
                new Case("checkpoint interval without a key", after(14, "journal:\n  dir: j\n  checkpointInterval: 10s"),
                        17, "journal.checkpointInterval", "needs signingKeyFile"),
                new Case("archive inside the journal", after(14,
                        "journal:\n  dir: j\n  retainDays: 30\n  archiveDir: j/old"), 18, "journal.archiveDir",
                        "must be outside the journal directory"),
                new Case("unknown body mode", after(9, "        journal: { bodies: full }"), 10,
                        "providers.nocr.services.identity.journal.bodies", "expected none or hash, got 'full'"),
                new Case("unknown service journal key", after(9, "        journal: { body: hash }"), 10,
                        "providers.nocr.services.identity.journal.body", "unknown key 'body'; allowed: bodies"),
                new Case("unknown listener key", after(3, "      prot: 1"), 4, "server.listeners[0].prot",
                        "allowed: name, host, port"),
                new Case("listener maxConnections zero", after(3, "      maxConnections: 0"), 4,
                        "server.listeners[0].maxConnections", "0 is out of range 1..10000000"),
                new Case("server maxConnections not a number", after(3, "  maxConnections: many"), 4,
                        "server.maxConnections", "many"),
                new Case("server maxConnectionsPerAddress zero", after(3, "  maxConnectionsPerAddress: 0"), 4,
                        "server.maxConnectionsPerAddress", "0 is out of range 1..10000000"),
                new Case("unknown authFailures key", after(3, "  authFailures: { rate: 10, period: 1s }"), 4,
                        "server.authFailures.period", "unknown key 'period'; allowed: enabled, rate, burst, addresses"),
                new Case("authFailures rate zero", after(3, "  authFailures:\n    rate: 0/m"), 5,
                        "server.authFailures.rate",
                        "rate must be more than zero (enabled: false turns the throttle off)"),
                new Case("authFailures rate not a rate", after(3, "  authFailures:\n    rate: fast"), 5,
                        "server.authFailures.rate", "expected a rate such as 100, 100/s, 600/m or 3600/h, got 'fast'"),
                new Case("authFailures burst too long", after(3, "  authFailures:\n    rate: 1/h\n    burst: 200"), 6,
                        "server.authFailures.burst", "a burst of 200 at 1/h takes more than 7 days to refill"),
                new Case("authFailures addresses too few", after(3, "  authFailures:\n    addresses: 4"), 5,
                        "server.authFailures.addresses", "4 is out of range 8..16777216"),
                new Case("authFailures enabled not a boolean", after(3, "  authFailures:\n    enabled: maybe"), 5,
                        "server.authFailures.enabled", "maybe"),
                new Case("unknown limits key", after(3, "limits:\n  maxHeaders: 10"), 5, "limits.maxHeaders",
                        "unknown key 'maxHeaders'"),
                new Case("unknown provider key", after(6, "    timeout: 2s"), 7, "providers.nocr.timeout",
                        "allowed: endpoints, protocol, trustedCas, verifyHostname, connectTimeout, responseTimeout,"
                                + " maxConnectionsPerLoop, idleTimeout, maxInFlight, services"),
                new Case("unknown service key", after(9, "        method: [GET]"), 10,
                        "providers.nocr.services.identity.method",
                        "allowed: path, methods, responseTimeout, maxInFlight, journal, passFields"),
                new Case("unknown consumer key", after(12, "    keys: []"), 13, "consumers.snapp.keys",
                        "allowed: apiKeys, certificates, rate, burst, grants"),
                new Case("unknown grant key", after(14, "        rates: 5"), 15, "consumers.snapp.grants[0].rates",
                        "allowed: service, rate, burst, quotaDay, quotaMonth"),
                new Case("unknown admission key", after(3, "admission:\n  counters: x.dat"), 5, "admission.counters",
                        "allowed: calendar, zone, countersFile, counterSlots"),
                new Case("YAML merge key is not a schema key", after(8, "        <<: { path: /x }"), 9,
                        "providers.nocr.services.identity.<<", "unknown key '<<'"),
                // missing required
                new Case("missing server", drop(1, 3), 1, "", "missing required key 'server'"),
                new Case("missing listener port", edit(3, "    - host: 127.0.0.1"), 3, "server.listeners[0]",
                        "missing required key 'port'"),
                new Case("missing service path", edit(9, "        methods: [GET]"), 8,
                        "providers.nocr.services.identity", "missing required key 'path'"),
                new Case("missing services", drop(7, 9), 5, "providers.nocr", "missing required key 'services'"),
                new Case("no providers", drop(5, 14) + "  {}\n", 4, "providers", "at least one provider"),
                new Case("no endpoints", edit(6, "    endpoints: []"), 6, "providers.nocr.endpoints",
                        "at least one endpoint"),
                new Case("no API keys", edit(12, "    apiKeys:"), 12, "consumers.snapp.apiKeys",
                        "at least one API key hash"),
                // wrong types
                new Case("port not an integer", edit(3, "    - port: eighty"), 3, "server.listeners[0].port",
                        "expected an integer, got 'eighty'"),
                new Case("listeners not a list", edit(3, "    port: 8080"), 3, "server.listeners",
                        "expected a list, got a mapping"),
                new Case("provider not a mapping", drop(5, 14) + "  nocr: [ a ]\n", 5, "providers.nocr",
                        "expected a mapping of keys to values, got a list"),
                new Case("path is a list", edit(9, "        path: [ /a ]"), 9, "providers.nocr.services.identity.path",
                        "expected a single value, got a list"),
                new Case("root is a list", "- server\n", 1, "", "expected a mapping"),
                new Case("bad transport", after(3, "  transport: kqueue"), 4, "server.transport",
                        "expected one of auto, epoll, io_uring, nio"),
                new Case("negative pending queue", after(6, "    maxPendingAcquisitionsPerLoop: -1"), 7,
                        "providers.nocr.maxPendingAcquisitionsPerLoop", "-1 is out of range 0..1000000"),
                new Case("pending queue not a number", after(6, "    maxPendingAcquisitionsPerLoop: lots"), 7,
                        "providers.nocr.maxPendingAcquisitionsPerLoop", "expected an integer"),
                // a service's retry settings
                new Case("unknown retry key", after(9, "        retry: { attempts: 3 }"), 10,
                        "providers.nocr.services.identity.retry.attempts",
                        "unknown key 'attempts'; allowed: on, methods, maxAttempts, perTryTimeout, backoff, maxBodyBytes"),
                new Case("unknown retry failure", after(9, "        retry: { on: [ connect-failure, 4xx ] }"), 10,
                        "providers.nocr.services.identity.retry.on[1]", "unknown failure '4xx': expected one of"
                        + " connect-failure, refused-stream, reset, timeout, 5xx"),
                new Case("duplicate retry failure", after(9, "        retry: { on: [ reset, reset ] }"), 10,
                        "providers.nocr.services.identity.retry.on[1]", "duplicate failure reset"),
                new Case("retry method the service refuses", after(9, "        retry: { methods: [ GET, POST ] }"), 10,
                        "providers.nocr.services.identity.retry.methods[1]",
                        "method POST is not among the service's methods [GET, HEAD]"),
                new Case("lower-case retry method", after(9, "        retry: { methods: [ get ] }"), 10,
                        "providers.nocr.services.identity.retry.methods[0]", "unknown method 'get'"),
                new Case("no attempt at all", after(9, "        retry: { maxAttempts: 0 }"), 10,
                        "providers.nocr.services.identity.retry.maxAttempts", "0 is out of range 1..10"),
                new Case("a retry storm by config", after(9, "        retry: { maxAttempts: 11 }"), 10,
                        "providers.nocr.services.identity.retry.maxAttempts", "11 is out of range 1..10"),
                new Case("zero per-try timeout", after(9, "        retry: { perTryTimeout: 0ms }"), 10,
                        "providers.nocr.services.identity.retry.perTryTimeout", "more than zero"),
                new Case("backoff past any patience", after(9, "        retry: { backoff: 1m }"), 10,
                        "providers.nocr.services.identity.retry.backoff", "expected at most 10s"),
                new Case("retry body cap in decimal units", after(9, "        retry: { maxBodyBytes: 64KB }"), 10,
                        "providers.nocr.services.identity.retry.maxBodyBytes", "use KiB, MiB or GiB"),
                new Case("retry body cap too large", after(9, "        retry: { maxBodyBytes: 64MiB }"), 10,
                        "providers.nocr.services.identity.retry.maxBodyBytes", "64MiB is more than the most allowed, 16777216 bytes"),
                // a service's cache settings
                new Case("unknown cache key", after(9, "        cache: { ttl: 1m, size: 1MiB }"), 10,
                        CACHE + ".size",
                        "unknown key 'size'; allowed: ttl, maxBytes, maxEntryBytes, key, varyHeaders, scope, "
                        + "statuses, staleIfError, allowConsumerBypass"),
                new Case("cache ttl not a duration", after(9, "        cache: { ttl: 10 minutes }"), 10,
                        CACHE + ".ttl", "expected a duration such as 250ms, 2s, 1m"),
                new Case("zero cache ttl", after(9, "        cache: { ttl: 0s }"), 10,
                        CACHE + ".ttl", "duration must be more than zero"),
                new Case("cache ttl past a week", after(9, "        cache: { ttl: 169h }"), 10,
                        CACHE + ".ttl", "at most 7 days"),
                new Case("cache size in decimal units", after(9, "        cache: { maxBytes: 256MB }"), 10,
                        CACHE + ".maxBytes", "use KiB, MiB or GiB"),
                new Case("zero cache size", after(9, "        cache: { maxBytes: 0 }"), 10,
                        CACHE + ".maxBytes", "0 is less than the least allowed, 1 bytes"),
                new Case("cache size not a size", after(9, "        cache: { maxBytes: lots }"), 10,
                        CACHE + ".maxBytes", "expected a size such as 8192, 32KiB, 10MiB"),
                new Case("entry larger than the cache",
                        after(9, "        cache: { maxBytes: 1MiB, maxEntryBytes: 2MiB }"), 10,
                        CACHE + ".maxEntryBytes",
                        "an entry cannot be larger than the whole cache: expected at most maxBytes, 1048576 bytes, "
                        + "got 2097152"),
                new Case("entry larger than an array",
                        after(9, "        cache: { maxBytes: 8GiB, maxEntryBytes: 2GiB }"), 10,
                        CACHE + ".maxEntryBytes", "2GiB is more than the most allowed, 1073741824 bytes"),
                new Case("unknown cache key part", after(9, "        cache: { key: [ path, headers ] }"), 10,
                        CACHE + ".key[1]", "expected path or query, got 'headers'"),
                new Case("duplicate cache key part", after(9, "        cache: { key: [ query, path, query ] }"), 10,
                        CACHE + ".key[2]", "duplicate key part query"),
                new Case("empty cache key", after(9, "        cache: { key: [] }"), 10,
                        CACHE + ".key", "at least one key part is required"),
                new Case("vary header not a field name",
                        after(9, "        cache: { varyHeaders: [ \"accept language\" ] }"), 10,
                        CACHE + ".varyHeaders[0]", "'accept language' is not a header field name"),
                new Case("vary header duplicate", after(9, "        cache: { varyHeaders: [ Accept, accept ] }"), 10,
                        CACHE + ".varyHeaders[1]", "duplicate field 'accept'"),
                new Case("vary on a hop-by-hop field", after(9, "        cache: { varyHeaders: [ TE ] }"), 10,
                        CACHE + ".varyHeaders[0]", "cannot vary on 'TE': it describes the connection"),
                new Case("vary on the gateway's field",
                        after(9, "        cache: { varyHeaders: [ X-Gozargah-Consumer ] }"), 10,
                        CACHE + ".varyHeaders[0]", "cannot vary on 'X-Gozargah-Consumer': the gateway sets it"),
                new Case("vary on the API key", after(9, "        cache: { varyHeaders: [ x-api-key ] }"), 10,
                        CACHE + ".varyHeaders[0]", "it carries a credential"),
                new Case("vary on authorization", after(9, "        cache: { varyHeaders: [ Authorization ] }"), 10,
                        CACHE + ".varyHeaders[0]", "never answered from a shared cache"),
                new Case("vary on cookie", after(9, "        cache: { varyHeaders: [ cookie ] }"), 10,
                        CACHE + ".varyHeaders[0]", "never answered from a shared cache"),
                new Case("vary on a conditional field",
                        after(9, "        cache: { varyHeaders: [ If-None-Match ] }"), 10,
                        CACHE + ".varyHeaders[0]", "passed to the provider"),
                new Case("vary on a stripped claim", after(9, "        cache: { varyHeaders: [ X-Real-IP ] }"), 10,
                        CACHE + ".varyHeaders[0]", "the gateway strips it"),
                new Case("vary on an underscore field", after(9, "        cache: { varyHeaders: [ x_lang ] }"), 10,
                        CACHE + ".varyHeaders[0]", "fields with '_'"),
                new Case("unknown cache scope", after(9, "        cache: { scope: global }"), 10,
                        CACHE + ".scope", "expected shared or consumer, got 'global'"),
                new Case("cache status out of range", after(9, "        cache: { statuses: [ 200, 199 ] }"), 10,
                        CACHE + ".statuses[1]", "199 is out of range 200..599"),
                new Case("cache status never cacheable", after(9, "        cache: { statuses: [ 200, 500 ] }"), 10,
                        CACHE + ".statuses[1]", "status 500 is not one a cache may keep"),
                new Case("cache status not a number", after(9, "        cache: { statuses: [ ok ] }"), 10,
                        CACHE + ".statuses[0]", "expected an integer, got 'ok'"),
                new Case("duplicate cache status", after(9, "        cache: { statuses: [ 404, 200, 404 ] }"), 10,
                        CACHE + ".statuses[2]", "duplicate status 404"),
                new Case("no cache status", after(9, "        cache: { statuses: [] }"), 10,
                        CACHE + ".statuses", "at least one status is required"),
                new Case("stale-if-error not a duration", after(9, "        cache: { staleIfError: never }"), 10,
                        CACHE + ".staleIfError", "expected a duration"),
                new Case("consumer bypass not a boolean", after(9, "        cache: { allowConsumerBypass: yes }"), 10,
                        CACHE + ".allowConsumerBypass", "expected true or false, got 'yes'"),
                new Case("cache not a mapping", after(9, "        cache: true"), 10,
                        CACHE, "expected a mapping"),
                new Case("cache on a service without GET or HEAD",
                        after(9, "        methods: [ POST ]\n        cache: {}"), 11,
                        CACHE,
                        "only GET and HEAD are answered from a cache, and the service allows neither (methods: "
                        + "[POST])"),
                // durations and sizes
                new Case("bad duration", after(6, "    connectTimeout: 2 seconds"), 7, "providers.nocr.connectTimeout",
                        "expected a duration such as 250ms, 2s, 1m"),
                new Case("duration without unit", after(9, "        responseTimeout: 5"), 10,
                        "providers.nocr.services.identity.responseTimeout", "expected a duration"),
                new Case("zero duration", after(3, "  idleTimeout: 0s"), 4, "server.idleTimeout", "more than zero"),
                new Case("huge duration", after(3, "  shutdownGrace: 200h"), 4, "server.shutdownGrace", "at most 7 days"),
                new Case("decimal size unit", after(3, "limits:\n  maxHeaderBytes: 32KB"), 5, "limits.maxHeaderBytes",
                        "use KiB, MiB or GiB"),
                new Case("negative size", after(3, "limits:\n  maxRequestBodyBytes: -1"), 5,
                        "limits.maxRequestBodyBytes", "expected a size such as 8192, 32KiB, 10MiB"),
                new Case("size beyond int", after(3, "limits:\n  maxHeaderBytes: 2GiB"), 5, "limits.maxHeaderBytes",
                        "more than the most allowed, 2147483647 bytes"),
                // names
                new Case("bad provider name", edit(5, "  NoCR:"), 5, "providers.NoCR", "bad name 'NoCR'"),
                new Case("bad consumer name", edit(11, "  snapp.ir:"), 11, "consumers.snapp.ir", "bad name"),
                new Case("bad service name", edit(8, "      -identity:"), 8, "providers.nocr.services.-identity",
                        "bad name"),
                new Case("bad listener name", edit(3, "    - { name: Public, port: 8080 }"), 3,
                        "server.listeners[0].name", "bad name 'Public'"),
                // listeners
                new Case("port out of range", edit(3, "    - port: 70000"), 3, "server.listeners[0].port",
                        "70000 is out of range 0..65535"),
                new Case("negative event loops", after(3, "  eventLoops: -1"), 4, "server.eventLoops",
                        "out of range 0..1024"),
                new Case("bad listener host", after(3, "      host: 300.1.1.1"), 4, "server.listeners[0].host",
                        "bad host '300.1.1.1'"),
                new Case("listener host with a port", after(3, "      host: \"localhost:80\""), 4,
                        "server.listeners[0].host", "bad host"),
                new Case("two listeners on one port", after(3, "    - port: 8080"), 4, "server.listeners[1].port",
                        "same host and port as server.listeners[0]"),
                // endpoints
                new Case("endpoint not a URL", edit(6, "    endpoints: [ \"127.0.0.1:9201\" ]"), 6,
                        "providers.nocr.endpoints[0]", "expected an http:// or https:// URL"),
                // upstream protocol and TLS
                new Case("unknown protocol", after(6, "    protocol: http2"), 7, "providers.nocr.protocol",
                        "expected one of http1, h2, h2c, got 'http2'"),
                new Case("h2 over cleartext", after(6, "    protocol: h2"), 6, "providers.nocr.endpoints[0]",
                        "protocol h2 is HTTP/2 over TLS negotiated with ALPN, so endpoints must be https://"),
                new Case("h2c over TLS", edit(6, "    endpoints: [ \"https://127.0.0.1:9201\" ]\n    protocol: h2c"), 6,
                        "providers.nocr.endpoints[0]", "protocol h2c is cleartext HTTP/2, so endpoints must be http://"),
                new Case("trust without TLS", after(6, "    trustedCas: ca.pem"), 7, "providers.nocr.trustedCas",
                        "applies only to https:// endpoints, and this provider has none"),
                new Case("hostname check without TLS", after(6, "    verifyHostname: false"), 7,
                        "providers.nocr.verifyHostname", "applies only to https:// endpoints"),
                new Case("hostname check not a boolean",
                        edit(6, "    endpoints: [ \"https://127.0.0.1:9201\" ]\n    verifyHostname: no"), 7,
                        "providers.nocr.verifyHostname", "expected true or false, got 'no'"),
                new Case("missing CA file",
                        edit(6, "    endpoints: [ \"https://127.0.0.1:9201\" ]\n    trustedCas: missing-ca.pem"), 7,
                        "providers.nocr.trustedCas", "cannot read CA file"),
                new Case("CA file without certificates",
                        edit(6, "    endpoints: [ \"https://127.0.0.1:9201\" ]\n    trustedCas: bad.yaml"), 7,
                        "providers.nocr.trustedCas", "holds no readable PEM certificate"),
                new Case("endpoint with user info", edit(6, "    endpoints: [ \"http://u:p@127.0.0.1\" ]"), 6,
                        "providers.nocr.endpoints[0]", "must not have user information"),
                new Case("endpoint with query", edit(6, "    endpoints: [ \"http://127.0.0.1/a?x=1\" ]"), 6,
                        "providers.nocr.endpoints[0]", "must not have a query or fragment"),
                new Case("endpoint IPv6 without brackets", edit(6, "    endpoints: [ \"http://::1:80\" ]"), 6,
                        "providers.nocr.endpoints[0]", "IPv6 addresses must be in brackets"),
                new Case("endpoint port zero", edit(6, "    endpoints:\n      - http://a.example:0"), 7,
                        "providers.nocr.endpoints[0]", "port 0 is out of range 1..65535"),
                new Case("endpoint prefix with trailing slash", edit(6, "    endpoints: [ \"http://h.example/api/\" ]"),
                        6, "providers.nocr.endpoints[0]", "path prefix must not end with '/'"),
                // weighted and backup endpoints
                new Case("endpoint map without url", edit(6, "    endpoints:\n      - { weight: 2 }"), 7,
                        "providers.nocr.endpoints[0]", "missing required key 'url'"),
                new Case("endpoint map with unknown key",
                        edit(6, "    endpoints:\n      - { url: \"http://a.example\", zone: b }"), 7,
                        "providers.nocr.endpoints[0].zone", "unknown key 'zone'; allowed: url, weight, backup"),
                new Case("endpoint weight zero", edit(6, "    endpoints:\n      - { url: \"http://a.example\", weight: 0 }"),
                        7, "providers.nocr.endpoints[0].weight", "0 is out of range 1..1000"),
                new Case("endpoint weight not a number",
                        edit(6, "    endpoints:\n      - { url: \"http://a.example\", weight: heavy }"), 7,
                        "providers.nocr.endpoints[0].weight", "heavy"),
                new Case("endpoint backup not a boolean",
                        edit(6, "    endpoints:\n      - http://b.example\n      - { url: \"http://a.example\", backup: maybe }"),
                        8, "providers.nocr.endpoints[1].backup", "expected true or false, got 'maybe'"),
                new Case("endpoint map with a bad url", edit(6, "    endpoints:\n      - { url: \"ftp://a.example\" }"),
                        7, "providers.nocr.endpoints[0].url", "expected an http:// or https:// URL"),
                new Case("only backups", edit(6, "    endpoints:\n      - { url: \"http://a.example\", backup: true }"),
                        6, "providers.nocr.endpoints", "every endpoint is a backup"),
                // outlier detection
                new Case("unknown outlier key", after(6, "    outlierDetection: { consecutive5xx: 5 }"), 7,
                        "providers.nocr.outlierDetection.consecutive5xx", "unknown key 'consecutive5xx'; allowed:"
                        + " consecutiveFailures, on, baseEjectionTime, maxEjectionTime, maxEjectedPercent,"
                        + " panicThreshold"),
                new Case("unknown failure kind", after(6, "    outlierDetection: { on: [ connect, 4xx ] }"), 7,
                        "providers.nocr.outlierDetection.on[1]",
                        "expected one of connect, reset, timeout, gateway, 5xx, got '4xx'"),
                new Case("duplicate failure kind", after(6, "    outlierDetection: { on: [ reset, reset ] }"), 7,
                        "providers.nocr.outlierDetection.on[1]", "duplicate failure kind reset"),
                new Case("no failure kinds", after(6, "    outlierDetection: { on: [] }"), 7,
                        "providers.nocr.outlierDetection.on", "at least one failure kind"),
                new Case("negative consecutive failures", after(6, "    outlierDetection: { consecutiveFailures: -1 }"),
                        7, "providers.nocr.outlierDetection.consecutiveFailures", "-1 is out of range 0..1000000"),
                new Case("ejection time zero", after(6, "    outlierDetection: { baseEjectionTime: 0s }"), 7,
                        "providers.nocr.outlierDetection.baseEjectionTime", "duration must be more than zero"),
                new Case("cap below base", after(6, "    outlierDetection: { baseEjectionTime: 60s, maxEjectionTime: 10s }"),
                        7, "providers.nocr.outlierDetection.maxEjectionTime",
                        "maxEjectionTime 10000 ms is shorter than baseEjectionTime 60000 ms"),
                new Case("ejected share over 100", after(6, "    outlierDetection: { maxEjectedPercent: 101 }"), 7,
                        "providers.nocr.outlierDetection.maxEjectedPercent", "101 is out of range 0..100"),
                new Case("panic threshold negative", after(6, "    outlierDetection: { panicThreshold: -5 }"), 7,
                        "providers.nocr.outlierDetection.panicThreshold", "-5 is out of range 0..100"),
                // health checks
                new Case("health check without path", after(6, "    healthCheck: { interval: 5s }"), 7,
                        "providers.nocr.healthCheck", "missing required key 'path'"),
                new Case("health check relative path", after(6, "    healthCheck: { path: health }"), 7,
                        "providers.nocr.healthCheck.path", "path 'health' must start with '/'"),
                new Case("health check timeout over interval",
                        after(6, "    healthCheck: { path: /health, interval: 1s, timeout: 2s }"), 7,
                        "providers.nocr.healthCheck.timeout", "timeout 2000 ms is longer than the interval 1000 ms"),
                new Case("health check interval zero", after(6, "    healthCheck: { path: /h, interval: 0s }"), 7,
                        "providers.nocr.healthCheck.interval", "duration must be more than zero"),
                new Case("health check healthy zero", after(6, "    healthCheck: { path: /h, healthy: 0 }"), 7,
                        "providers.nocr.healthCheck.healthy", "0 is out of range 1..1000"),
                new Case("health check status not a number",
                        after(6, "    healthCheck: { path: /h, expectStatus: [ 2xx ] }"), 7,
                        "providers.nocr.healthCheck.expectStatus[0]",
                        "expected a status such as 200 or a range such as 200-399, got '2xx'"),
                new Case("health check range reversed",
                        after(6, "    healthCheck: { path: /h, expectStatus: [ 200, 399-200 ] }"), 7,
                        "providers.nocr.healthCheck.expectStatus[1]", "lowest first, got '399-200'"),
                new Case("health check status out of range",
                        after(6, "    healthCheck: { path: /h, expectStatus: [ 200-700 ] }"), 7,
                        "providers.nocr.healthCheck.expectStatus[0]", "within 100-599"),
                new Case("duplicate endpoint",
                        edit(6, "    endpoints: [ \"http://127.0.0.1:80\", \"http://127.0.0.1\" ]"), 6,
                        "providers.nocr.endpoints[1]", "duplicate endpoint http://127.0.0.1"),
                // service paths and methods
                new Case("path with '..'", edit(9, "        path: /api/../admin"), 9,
                        "providers.nocr.services.identity.path", "must not contain '..'"),
                new Case("path without leading slash", edit(9, "        path: api/v1"), 9,
                        "providers.nocr.services.identity.path", "must start with '/'"),
                new Case("path with trailing slash", edit(9, "        path: /api/v1/"), 9,
                        "providers.nocr.services.identity.path", "must not end with '/'"),
                new Case("path with query", edit(9, "        path: /api?v=1"), 9,
                        "providers.nocr.services.identity.path", "must not contain a query"),
                new Case("path with percent-encoding", edit(9, "        path: /api%2Fv1"), 9,
                        "providers.nocr.services.identity.path", "no percent-encoding"),
                new Case("lower-case method", after(9, "        methods: [ get ]"), 10,
                        "providers.nocr.services.identity.methods[0]", "unknown method 'get'"),
                new Case("duplicate method", after(9, "        methods: [ GET, POST, GET ]"), 10,
                        "providers.nocr.services.identity.methods[2]", "duplicate method GET"),
                // consumers, keys and grants
                new Case("grant to unknown service", edit(14, "      - service: nocr/address"), 14,
                        "consumers.snapp.grants[0].service", "unknown service 'address' of provider 'nocr'"),
                new Case("grant to unknown provider", edit(14, "      - service: moi/identity"), 14,
                        "consumers.snapp.grants[0].service", "unknown provider 'moi'; defined: nocr"),
                new Case("grant without provider", edit(14, "      - service: identity"), 14,
                        "consumers.snapp.grants[0].service", "expected provider/service"),
                new Case("duplicate grant", after(14, "      - service: nocr/identity"), 15,
                        "consumers.snapp.grants[1].service", "duplicate grant of nocr/identity"),
                new Case("key hash shared by two consumers",
                        after(14, "  tapsi:\n    apiKeys:\n      - " + SNAPP_HASH.substring(7).toUpperCase()), 17,
                        "consumers.tapsi.apiKeys[0]", "already belongs to consumer 'snapp'"),
                new Case("key hash twice in one consumer", edit(12, "    apiKeys: [ " + SNAPP_HASH + ", "
                        + SNAPP_HASH + " ]"), 12, "consumers.snapp.apiKeys[1]", "duplicate API key hash"),
                new Case("short key hash", edit(12, "    apiKeys: [ \"sha256:abc\" ]"), 12, "consumers.snapp.apiKeys[0]",
                        "expected an API key hash sha256:<64 hex digits>"),
                new Case("key hash not hex", edit(12, "    apiKeys: [ \"sha256:" + "g".repeat(64) + "\" ]"), 12,
                        "consumers.snapp.apiKeys[0]", "expected an API key hash"),
                new Case("key hash in Persian digits", edit(12, "    apiKeys: [ \"sha256:" + "۱".repeat(64) + "\" ]"),
                        12, "consumers.snapp.apiKeys[0]", "expected an API key hash"),
                new Case("raw key instead of hash", edit(12, "    apiKeys: [ gzk_demo_snapp_7f3a9c2e5b1d4068 ]"), 12,
                        "consumers.snapp.apiKeys[0]", "this is an API key, not its hash"),
                // admission: rates, quotas, in-flight caps, calendar
                new Case("rate not a number", after(14, "        rate: fast"), 15, "consumers.snapp.grants[0].rate",
                        "expected a rate such as 100, 100/s, 600/m or 3600/h, got 'fast'"),
                new Case("rate with a fraction", after(14, "        rate: 2.5"), 15, "consumers.snapp.grants[0].rate",
                        "expected a rate such as 100"),
                new Case("rate per day", after(14, "        rate: 100/d"), 15, "consumers.snapp.grants[0].rate",
                        "expected a rate"),
                new Case("zero rate", after(14, "        rate: 0"), 15, "consumers.snapp.grants[0].rate",
                        "rate must be more than zero"),
                new Case("huge rate", after(14, "        rate: 2000000"), 15, "consumers.snapp.grants[0].rate",
                        "at most 1000000 per second"),
                new Case("burst without rate", after(14, "        burst: 10"), 15, "consumers.snapp.grants[0].burst",
                        "burst needs a rate"),
                new Case("zero burst", after(14, "        rate: 10\n        burst: 0"), 16,
                        "consumers.snapp.grants[0].burst", "0 is out of range 1..1000000000"),
                new Case("burst that takes weeks to refill", after(14, "        rate: 1/h\n        burst: 500"), 16,
                        "consumers.snapp.grants[0].burst", "a burst of 500 at 1/h takes more than 7 days to refill"),
                new Case("negative daily quota", after(14, "        quotaDay: -5"), 15,
                        "consumers.snapp.grants[0].quotaDay", "out of range 1..1000000000000"),
                new Case("quota not an integer", after(14, "        quotaMonth: lots"), 15,
                        "consumers.snapp.grants[0].quotaMonth", "expected an integer, got 'lots'"),
                new Case("daily quota above monthly", after(14, "        quotaDay: 500\n        quotaMonth: 100"), 15,
                        "consumers.snapp.grants[0].quotaDay", "quotaDay 500 is more than quotaMonth 100"),
                new Case("consumer rate not a number", after(12, "    rate: many"), 13, "consumers.snapp.rate",
                        "expected a rate"),
                new Case("consumer burst without rate", after(12, "    burst: 5"), 13, "consumers.snapp.burst",
                        "burst needs a rate"),
                new Case("zero provider in-flight cap", after(6, "    maxInFlight: 0"), 7, "providers.nocr.maxInFlight",
                        "0 is out of range 1..1000000"),
                new Case("service in-flight cap not a number", after(9, "        maxInFlight: many"), 10,
                        "providers.nocr.services.identity.maxInFlight", "expected an integer"),
                new Case("passFields naming a field the gateway sets", after(9, "        passFields: [ X-Forwarded-For ]"),
                        10, "providers.nocr.services.identity.passFields[0]",
                        "'X-Forwarded-For' cannot be passed: passFields lists only fields the gateway would strip"),
                new Case("passFields naming an ordinary field", after(9, "        passFields: [ Forwarded, Accept ]"),
                        10, "providers.nocr.services.identity.passFields[1]", "'Accept' cannot be passed"),
                new Case("passFields listing a field twice", after(9, "        passFields: [ X-Real-IP, x-real-ip ]"),
                        10, "providers.nocr.services.identity.passFields[1]", "duplicate field 'x-real-ip'"),
                new Case("unknown underscore policy", after(3, "limits:\n  underscoreFields: fold"), 5,
                        "limits.underscoreFields", "expected drop or refuse, got 'fold'"),
                new Case("unknown calendar", after(3, "admission:\n  calendar: julian"), 5, "admission.calendar",
                        "expected persian or gregorian, got 'julian'"),
                new Case("unknown zone", after(3, "admission:\n  zone: Mars/Olympus"), 5, "admission.zone",
                        "unknown time zone 'Mars/Olympus'"),
                new Case("too few counter slots", after(3, "admission:\n  counterSlots: 2"), 5, "admission.counterSlots",
                        "out of range 16..4000000"),
                // client certificates, TLS and HTTP/2
                new Case("short certificate fingerprint", after(12, "    certificates: [ \"sha256:abcd\" ]"), 13,
                        "consumers.snapp.certificates[0]", "expected a certificate fingerprint sha256:<64 hex digits>"),
                new Case("certificate shared by two consumers", after(12, "    certificates: [ \"sha256:" + "ab".repeat(32)
                        + "\" ]") .replace("  snapp:", "  tapsi:\n    certificates: [ \"" + "AB:".repeat(31) + "AB\" ]\n  snapp:"),
                        15, "consumers.snapp.certificates[0]", "already belongs to consumer 'tapsi'"),
                new Case("consumer with no credential", drop(12, 12), 11, "consumers.snapp",
                        "needs apiKeys, certificates or both"),
                new Case("TLS certificate file missing", edit(3, "    - port: 8443\n      tls: { certificate: nope.crt,"
                        + " key: nope.key }"), 4, "server.listeners[0].tls.certificate", "cannot read file"),
                new Case("clientAuth without CAs", edit(3, "    - port: 8443\n      tls: { certificate: bad.yaml, key: bad.yaml,"
                        + " clientAuth: require }"), 4, "server.listeners[0].tls", "needs trustedCas"),
                new Case("bad clientAuth", edit(3, "    - port: 8443\n      tls: { certificate: bad.yaml, key: bad.yaml,"
                        + " clientAuth: maybe }"), 4, "server.listeners[0].tls.clientAuth",
                        "expected one of none, optional, require"),
                new Case("certificate file not PEM", edit(3, "    - port: 8443\n      tls: { certificate: bad.yaml, key: bad.yaml }"),
                        4, "server.listeners[0].tls", "the TLS files do not work"),
                new Case("unknown TLS key", edit(3, "    - port: 8443\n      tls: { certificate: bad.yaml, key: bad.yaml,"
                        + " tickets: true }"), 4, "server.listeners[0].tls.tickets", "allowed: certificate, key,"
                        + " clientAuth, trustedCas, sessionCacheSize, sessionTimeout, sessionTickets, ticketKeyRotation"),
                new Case("empty TLS session cache", edit(3, "    - port: 8443\n      tls: { certificate: bad.yaml,"
                        + " key: bad.yaml, sessionCacheSize: 0 }"), 4, "server.listeners[0].tls.sessionCacheSize",
                        "0 is out of range 1..10000000"),
                new Case("TLS session shorter than a second", edit(3, "    - port: 8443\n      tls: { certificate: bad.yaml,"
                        + " key: bad.yaml, sessionTimeout: 500ms }"), 4, "server.listeners[0].tls.sessionTimeout",
                        "must be at least 1s"),
                new Case("ticket key rotation without tickets", edit(3, "    - port: 8443\n      tls: { certificate:"
                        + " bad.yaml, key: bad.yaml, sessionTickets: false, ticketKeyRotation: 1h }"), 4,
                        "server.listeners[0].tls.ticketKeyRotation", "used only with sessionTickets: true"),
                new Case("ticket keys rotated too often", edit(3, "    - port: 8443\n      tls: { certificate: bad.yaml,"
                        + " key: bad.yaml, ticketKeyRotation: 30s }"), 4, "server.listeners[0].tls.ticketKeyRotation",
                        "must be at least 1m"),
                new Case("HTTP/2 frame size below RFC 9113's minimum", after(3, "http2:\n  maxFrameSize: 1024"), 5,
                        "http2.maxFrameSize", "less than the least allowed, 16384 bytes"),
                new Case("no provoked resets allowed", after(3, "http2:\n  maxProvokedRstFramesPerWindow: 0"), 5,
                        "http2.maxProvokedRstFramesPerWindow", "0 is out of range 1..1000000"),
                new Case("unknown http2 key", after(3, "http2:\n  maxStreams: 10"), 5, "http2.maxStreams",
                        "allowed: maxConcurrentStreams"),
                // YAML itself
                new Case("duplicate YAML key", after(9, "        path: /other"), 10,
                        "providers.nocr.services.identity.path", "duplicate key (first at line 9)"),
                new Case("duplicate provider", after(9, "  nocr:\n    endpoints: []"), 10, "providers.nocr",
                        "duplicate key (first at line 5)"),
                new Case("YAML syntax error", edit(9, "        path: /api/v1/identity: x"), 9, "",
                        "invalid YAML: mapping values are not allowed here"),
                new Case("unclosed flow sequence", edit(6, "    endpoints: [ \"http://127.0.0.1:9201\""), 7, "",
                        "invalid YAML"),
                new Case("tab indentation", edit(7, "\tservices:"), 7, "", "invalid YAML"),
                new Case("two documents", MINIMAL + "---\nserver: {}\n", 15, "", "expected a single document"),
                new Case("empty file", "", 1, "", "the file is empty"),
                new Case("only comments", "# nothing yet\n", 1, "", "the file is empty"),
                // admin and metrics
                new Case("admin listen without a port", after(14, "admin:\n  listen: 127.0.0.1\n  token: " + TOKEN),
                        16, "admin.listen", "expected HOST:PORT"),
                new Case("admin port out of range", after(14, "admin:\n  listen: 127.0.0.1:70000\n  token: " + TOKEN),
                        16, "admin.listen", "bad port '70000'"),
                new Case("admin IPv6 without brackets", after(14, "admin:\n  listen: ::1:9090\n  token: " + TOKEN),
                        16, "admin.listen", "needs brackets"),
                new Case("admin bad host", after(14, "admin:\n  listen: 'bad host:9090'\n  token: " + TOKEN),
                        16, "admin.listen", "bad host 'bad host'"),
                new Case("admin token too short", after(14, "admin:\n  token: short"), 16, "admin.token",
                        "shorter than 16 characters"),
                new Case("admin token with a space", after(14, "admin:\n  token: 'abcdefgh ijklmnopq'"), 16,
                        "admin.token", "visible ASCII"),
                new Case("admin without a token", after(14, "admin:\n  listen: 127.0.0.1:9090"), 15, "admin",
                        "token or tokenFile is required"),
                new Case("admin token and tokenFile", after(14, "admin:\n  token: " + TOKEN + "\n  tokenFile: t"),
                        17, "admin.tokenFile", "not both"),
                new Case("admin tokenFile missing", after(14, "admin:\n  tokenFile: no-such-token"), 16,
                        "admin.tokenFile", "cannot read"),
                new Case("unknown admin key", after(14, "admin:\n  port: 9090"), 16, "admin.port",
                        "allowed: listen, token, tokenFile"),
                new Case("admin maxConnections zero", after(14, "admin:\n  token: " + TOKEN + "\n  maxConnections: 0"),
                        17, "admin.maxConnections", "0 is out of range 1..65535"),
                new Case("admin idleTimeout without a unit", after(14, "admin:\n  token: " + TOKEN
                        + "\n  idleTimeout: 10"), 17, "admin.idleTimeout", "expected a duration such as 250ms"),
                new Case("admin requestHeadTimeout zero", after(14, "admin:\n  token: " + TOKEN
                        + "\n  requestHeadTimeout: 0s"), 17, "admin.requestHeadTimeout", "must be more than zero"),
                new Case("admin subjectResults zero", after(14, "admin:\n  token: " + TOKEN + "\n  subjectResults: 0"),
                        17, "admin.subjectResults", "0 is out of range 1..1000000"),
                new Case("admin subjectResults too many", after(14, "admin:\n  token: " + TOKEN
                        + "\n  subjectResults: 1000001"), 17, "admin.subjectResults", "out of range 1..1000000"),
                new Case("metrics enabled not a boolean", after(14, "metrics:\n  enabled: yes"), 16,
                        "metrics.enabled", "expected true or false, got 'yes'"),
                new Case("metrics maxSeries zero", after(14, "metrics:\n  maxSeries: 0"), 16, "metrics.maxSeries",
                        "out of range 1..1000000"),
                new Case("unknown metrics key", after(14, "metrics:\n  buckets: []"), 16, "metrics.buckets",
                        "allowed: enabled, maxSeries"),
                // the catalogue keys of providers and services, and the portal section
                new Case("title not a mapping", after(5, "    title: Civil registry"), 6, "providers.nocr.title",
                        "expected a mapping of keys to values, got 'Civil registry'"),
                new Case("title in another language", after(8, "        title: { de: Identität }"), 9,
                        "providers.nocr.services.identity.title.de", "unknown key 'de'; allowed: fa, en"),
                new Case("empty title", after(8, "        title: { }"), 9,
                        "providers.nocr.services.identity.title", "give fa, en or both"),
                new Case("blank Persian title", after(8, "        title: { fa: ' ' }"), 9,
                        "providers.nocr.services.identity.title.fa", "expected some text, got only white space"),
                new Case("title too long", after(8, "        title: { en: " + "x".repeat(201) + " }"), 9,
                        "providers.nocr.services.identity.title.en", "at most 200 characters, got 201"),
                new Case("description with a control character", after(8, "        description: \"a\\u0007b\""), 9,
                        "providers.nocr.services.identity.description", "control character U+0007 at 2"),
                new Case("owner without a name", after(5, "    owner: { contact: a@b.example }"), 6,
                        "providers.nocr.owner", "missing required key 'name'"),
                new Case("unknown owner key", after(5, "    owner: { name: NOCR, phone: 1 }"), 6,
                        "providers.nocr.owner.phone", "unknown key 'phone'; allowed: name, contact"),
                new Case("docs missing", after(8, "        docs: openapi/none.yaml"), 9,
                        "providers.nocr.services.identity.docs", "no such file: "),
                new Case("docs outside the config's folder", after(8, "        docs: ../secret.yaml"), 9,
                        "providers.nocr.services.identity.docs", "leaves the config's folder"),
                new Case("docs absolute", after(8, "        docs: /etc/passwd"), 9,
                        "providers.nocr.services.identity.docs", "got an absolute one"),
                new Case("docs not OpenAPI", after(8, "        docs: bad.yaml.txt"), 9,
                        "providers.nocr.services.identity.docs", "is .json, .yaml or .yml, got 'bad.yaml.txt'"),
                new Case("tags not a list", after(5, "    tags: identity"), 6, "providers.nocr.tags",
                        "expected a list, got 'identity'"),
                new Case("tag in upper case", after(5, "    tags: [ Identity ]"), 6, "providers.nocr.tags[0]",
                        "'Identity' is not a tag"),
                new Case("tag with markup", after(5, "    tags: [ '<b>' ]"), 6, "providers.nocr.tags[0]",
                        "'<b>' is not a tag"),
                new Case("duplicate tag", after(8, "        tags: [ a, b, a ]"), 9,
                        "providers.nocr.services.identity.tags[2]", "duplicate tag 'a'"),
                new Case("unknown portal key", after(14, "portal:\n  port: 8088"), 16, "portal.port",
                        "unknown key 'port'; allowed: listen, sessionLifetime, maxSessions, signInRate"),
                new Case("portal listen without a port", after(14, "portal:\n  listen: 127.0.0.1"), 16,
                        "portal.listen", "expected HOST:PORT"),
                new Case("portal port too big", after(14, "portal:\n  listen: 127.0.0.1:70000"), 16,
                        "portal.listen", "bad port '70000': expected 0..65535"),
                new Case("portal sessionLifetime zero", after(14, "portal:\n  sessionLifetime: 0s"), 16,
                        "portal.sessionLifetime", "must be more than zero"),
                new Case("portal maxSessions zero", after(14, "portal:\n  maxSessions: 0"), 16,
                        "portal.maxSessions", "0 is out of range 1..10000000"),
                new Case("portal signInRate zero", after(14, "portal:\n  signInRate: 0/m"), 16,
                        "portal.signInRate", "rate must be more than zero"),
                new Case("portal signInRate not a rate", after(14, "portal:\n  signInRate: often"), 16,
                        "portal.signInRate", "expected a rate such as 100"),
                new Case("portal signInBurst too big", after(14, "portal:\n  signInBurst: 1001"), 16,
                        "portal.signInBurst", "out of range 1..1000"),
                new Case("portal statisticsInterval without a unit", after(14, "portal:\n  statisticsInterval: 5"),
                        16, "portal.statisticsInterval", "expected a duration"),
                new Case("portal lastTransactions too many", after(14, "portal:\n  lastTransactions: 1001"), 16,
                        "portal.lastTransactions", "out of range 1..1000"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void shouldLocateTheProblem(Case c) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), c.yaml());

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file), c.yaml());

        String message = e.getMessage();
        assertEquals(file, e.file());
        assertEquals(c.line(), e.line(), message);
        assertEquals(c.field(), e.field(), message);
        String where = file + ":" + c.line() + ": " + (c.field().isEmpty() ? "" : c.field() + ": ");
        assertTrue(message.startsWith(where), message);
        assertTrue(e.reason().contains(c.reason()), message);
    }

    /** {@link ConfigLoaderTest#MINIMAL} with line {@code n} (1-based) replaced by {@code text}. */
    private static String edit(int n, String text) {
        List<String> lines = lines();
        lines.set(n - 1, text);
        return String.join("\n", lines) + "\n";
    }

    /** {@link ConfigLoaderTest#MINIMAL} with {@code text} inserted after line {@code n}. */
    private static String after(int n, String text) {
        List<String> lines = lines();
        lines.add(n, text);
        return String.join("\n", lines) + "\n";
    }

    /** {@link ConfigLoaderTest#MINIMAL} without lines {@code from..to} (1-based, inclusive). */
    private static String drop(int from, int to) {
        List<String> lines = lines();
        lines.subList(from - 1, to).clear();
        return String.join("\n", lines) + "\n";
    }

    private static List<String> lines() {
        return new ArrayList<>(Arrays.asList(MINIMAL.split("\n", -1)).subList(0, 14));
    }
}
