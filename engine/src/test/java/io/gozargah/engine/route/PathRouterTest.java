package io.gozargah.engine.route;

import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.testing.GatewayFixture;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** {@link PathRouter#route} over unpooled buffers, against the test fixture's routes (prov/svc, prov/slow, prov/root). */
class PathRouterTest {
    /** Bytes before the target in every buffer, so that ranges are checked as absolute indices. */
    private static final String PREFIX = "GET ";
    private static final String SUFFIX = " HTTP/1.1\r\n";

    private static RoutingSnapshot snapshot;
    private final RouteMatch match = new RouteMatch();
    private ByteBuf buf;

    @BeforeAll
    static void load(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, GatewayFixture.standardYaml(1, null, null));
        snapshot = RoutingSnapshot.build(ConfigLoader.load(file));
    }

    private PathRouter.Verdict route(String target) {
        return route(target.getBytes(StandardCharsets.ISO_8859_1));
    }

    private PathRouter.Verdict route(byte[] target) {
        byte[] prefix = PREFIX.getBytes(StandardCharsets.ISO_8859_1);
        byte[] suffix = SUFFIX.getBytes(StandardCharsets.ISO_8859_1);
        buf = Unpooled.buffer();
        buf.writeBytes(prefix).writeBytes(target).writeBytes(suffix);
        return PathRouter.route(snapshot, buf, prefix.length, target.length, match);
    }

    private String rest() {
        return buf.toString(match.restStart(), match.restLength(), StandardCharsets.ISO_8859_1);
    }

    private String query() {
        return buf.toString(match.queryStart(), match.queryLength(), StandardCharsets.ISO_8859_1);
    }

    private void assertRouted(String target, String service, String rest, String query) {
        assertEquals(PathRouter.Verdict.ROUTED, route(target), target);
        assertEquals(service, match.service().qualifiedName(), target);
        assertSame(snapshot.services().stream().filter(s -> s.qualifiedName().equals(service)).findFirst().orElseThrow(),
                match.service());
        assertEquals(rest, rest(), "rest of " + target);
        assertEquals(query, query(), "query of " + target);
    }

    @Test
    void shouldRouteServiceWithoutRestOrQuery() {
        assertRouted("/prov/svc", "prov/svc", "", "");
    }

    @Test
    void shouldRouteRestAndQueryAsRanges() {
        assertRouted("/prov/svc/12345?full=1&x=%20y", "prov/svc", "/12345", "?full=1&x=%20y");
        assertRouted("/prov/svc/a/b/c", "prov/svc", "/a/b/c", "");
        assertRouted("/prov/svc?q", "prov/svc", "", "?q");
        assertRouted("/prov/svc/", "prov/svc", "/", "");
        assertRouted("/prov/svc?", "prov/svc", "", "?");
        assertRouted("/prov/slow/x", "prov/slow", "/x", "");
        assertRouted("/prov/root/x/y?q", "prov/root", "/x/y", "?q");
    }

    @Test
    void shouldPassPercentEncodingThatCannotEscape() {
        assertRouted("/prov/svc/a%20b%41%7e", "prov/svc", "/a%20b%41%7e", "");
        assertRouted("/prov/svc/a..b/...", "prov/svc", "/a..b/...", "");
        assertRouted("/prov/svc/.well-known", "prov/svc", "/.well-known", "");
    }

    @Test
    void shouldNotInspectTheQuery() {
        // The query is forwarded byte for byte and never becomes part of the upstream path.
        assertRouted("/prov/svc?path=../../admin&x=%2f", "prov/svc", "", "?path=../../admin&x=%2f");
    }

    @Test
    void shouldRouteAbsoluteFormByItsPath() {
        assertRouted("http://gw.test/prov/svc/1?a=b", "prov/svc", "/1", "?a=b");
        assertRouted("https://elsewhere.example:8443/prov/root", "prov/root", "", "");
        assertEquals(PathRouter.Verdict.UNKNOWN_SERVICE, route("http://gw.test/nope/svc"));
        assertEquals(PathRouter.Verdict.BAD_PATH, route("http://gw.test/prov/svc/../x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/prov/nope", "/nope/svc", "/prov", "/prov/", "/", "/provsvc", "/prov/svcx", "/prov/sv",
        "/PROV/svc", "/prov/SVC", "/prov/svc;x", "/?prov/svc", "http://gw.test/"})
    void shouldNotRouteUnknownServices(String target) {
        assertEquals(PathRouter.Verdict.UNKNOWN_SERVICE, route(target), target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "gw.test:443", "http://gw.test", "http://gw.test?x", "http:/gw.test/prov/svc",
        "prov/svc", "http:"})
    void shouldRefuseTargetsWithoutARoutablePath(String target) {
        assertEquals(PathRouter.Verdict.BAD_PATH, route(target), target);
    }

    @Test
    void shouldRefuseEmptyTarget() {
        assertEquals(PathRouter.Verdict.BAD_PATH, route(""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/prov/svc/../x", "/prov/svc/..", "/prov/svc/./x", "/prov/svc/.", "/./prov/svc",
        "/../prov/svc", "/prov/../prov/svc", "/prov/svc/..;/x", "/prov/svc/.;x/y", "/prov/svc/..;jsessionid=1"})
    void shouldRefuseDotSegments(String target) {
        assertEquals(PathRouter.Verdict.BAD_PATH, route(target), target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/prov/svc/%2e%2e/x", "/prov/svc/%2E%2e/x", "/prov/svc/%2e", "/prov/svc/a%2eb",
        "/prov/svc/.%2e/x", "/prov/%73vc/%2E"})
    void shouldRefuseEncodedDots(String target) {
        assertEquals(PathRouter.Verdict.BAD_PATH, route(target), target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/prov/svc/a%2fb", "/prov/svc/a%2Fb", "/prov/svc/a%5cb", "/prov/svc/a%5Cb",
        "/prov%2fsvc", "/prov/svc%2f..%2fx"})
    void shouldRefuseEncodedSeparators(String target) {
        assertEquals(PathRouter.Verdict.BAD_PATH, route(target), target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/prov/svc/a%00b", "/prov/svc/a%0d%0ab", "/prov/svc/a%1fb", "/prov/svc/a%7fb",
        "/prov/svc/a%7Fb"})
    void shouldRefuseEncodedControls(String target) {
        assertEquals(PathRouter.Verdict.BAD_PATH, route(target), target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/prov/svc/a\\b", "/prov/svc\\..\\x", "/prov/svc/a b", "/prov/svc/a\tb", "/prov/svc/a\0b",
        "/prov/svc/a\u007fb", "/prov/svc/a\rb"})
    void shouldRefuseRawBackslashesAndControls(String target) {
        assertEquals(PathRouter.Verdict.BAD_PATH, route(target), target);
    }

    @Test
    void shouldRefuseRawNonAscii() {
        byte[] target = {'/', 'p', 'r', 'o', 'v', '/', 's', 'v', 'c', '/', (byte) 0xC3, (byte) 0xA9};
        assertEquals(PathRouter.Verdict.BAD_PATH, route(target));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/prov//svc", "//prov/svc", "/prov/svc//x", "/prov/svc/x//", "http://gw.test//prov/svc"})
    void shouldRefuseEmptySegments(String target) {
        assertEquals(PathRouter.Verdict.BAD_PATH, route(target), target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/prov/svc/a%zz", "/prov/svc/a%2", "/prov/svc/a%", "/prov/svc/%g0", "/prov/svc/%0g",
        "/prov/svc/a%2?x", "/prov/svc/a%?x"})
    void shouldRefuseMalformedEscapes(String target) {
        assertEquals(PathRouter.Verdict.BAD_PATH, route(target), target);
    }
}
