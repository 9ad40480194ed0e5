package io.gozargah.engine.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostSyntaxTest {

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "127.0.0.1", "255.255.255.255", "10.0.0.5", "::", "::1", "1::", "fe80::1",
            "2001:db8::8a2e:370:7334", "2001:0db8:0000:0000:0000:ff00:0042:8329", "::ffff:192.0.2.128",
            "1:2:3:4:5:6:7::", "1:2:3:4:5:6:1.2.3.4", "localhost", "gw.example.ir", "a", "x-1.y-2.example",
            "host123"})
    void shouldAccept(String host) {
        assertTrue(HostSyntax.isValid(host), host);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "300.1.1.1", "1.2.3.-4", ":::",
            "1:::2", "1::2::3", ":1", "1:", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::1",
            "::1.2.3", "1.2.3.4::", "fe80::1%eth0", "[::1]", "-host", "host-", "ho_st", "a..b", "a.", ".a",
            "host:80", "a234567890123456789012345678901234567890123456789012345678901234", "a b", "héllo"})
    void shouldReject(String host) {
        assertFalse(HostSyntax.isValid(host), host);
    }
}
