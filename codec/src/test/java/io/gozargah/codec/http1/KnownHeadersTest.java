package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KnownHeadersTest {

    private static int idOf(String name) {
        // Offset 3 inside a larger buffer, as names sit inside a head.
        ByteBuf buf = Unpooled.copiedBuffer("ab:" + name + ": v", StandardCharsets.US_ASCII);
        try {
            return KnownHeaders.idOf(buf, 3, name.length());
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-Gozargah-A", "x-gozargah-ab", "X-GOZARGAH-Abc", "X-Gozargah-Foo", "X-Gozargah-Role",
            "X-Gozargah-Roles", "X-Gozargah-Consumer", "X-Gozargah-Transaction", "X-Gozargah-Something-Much-Longer"})
    void shouldRecogniseTheGatewayNamespaceAtEveryLength(String name) {
        assertEquals(KnownHeaders.X_GOZARGAH, idOf(name), name);
    }

    @ParameterizedTest
    @CsvSource({"Host,1", "content-length,2", "Transfer-Encoding,3", "CONNECTION,4", "Keep-Alive,5",
            "Proxy-Connection,6", "TE,7", "Trailer,8", "Upgrade,9", "Expect,10", "Proxy-Authorization,11",
            "Proxy-Authenticate,12", "X-Api-Key,13", "X-Forwarded-For,14", "X-Forwarded-Proto,15", "Date,17",
            "Server,18", "Forwarded,19", "x-real-ip,20", "True-Client-IP,21", "X-Forwarded-Host,22",
            "X-HTTP-Method-Override,23", "X-Http-Method,24", "X-Method-Override,25", "traceparent,26",
            "TraceParent,26", "tracestate,27", "TraceState,27", "traceparents,0", "traceparenu,0", "tracestatf,0",
            "X-Real-IQ,0", "Forwardee,0",
            "X-Method-Overrida,0", "X-Gozargah-,0", "X-Gozargah,0", "X-Gozargahx-A,0", "Accept,0", "Hosts,0", "X-Api-Kez,0"})
    void shouldRecogniseKnownNamesCaseInsensitively(String name, int id) {
        assertEquals(id, idOf(name), name);
        // HTTP/2 names are lower case; the same name must get the same id there.
        assertEquals(id, KnownHeaders.idOfLowerCase(name.toLowerCase()), name);
        assertEquals(id, KnownHeaders.idOfLowerCase(new io.netty.util.AsciiString(name.toLowerCase())), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Forwarded", "X-Real-IP", "True-Client-IP", "X-Forwarded-Host", "X-HTTP-Method-Override",
            "X-HTTP-Method", "X-Method-Override"})
    void shouldCallEveryOriginOrMethodFieldAClientClaim(String name) {
        assertTrue(KnownHeaders.isClientClaim(idOf(name)), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-Forwarded-For", "X-Forwarded-Proto", "Host", "Accept", "X-Api-Key", "X-Gozargah-A"})
    void shouldNotCallOtherFieldsClientClaims(String name) {
        assertFalse(KnownHeaders.isClientClaim(idOf(name)), name);
    }
}
