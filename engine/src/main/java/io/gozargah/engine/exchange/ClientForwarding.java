package io.gozargah.engine.exchange;

import io.gozargah.codec.http1.KnownHeaders;
import io.netty.util.AsciiString;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * What the gateway tells a provider about a client connection ({@code X-Forwarded-For}, {@code X-Forwarded-Proto}):
 * made once per connection, as HTTP/1.1 field lines for HTTP/1.1 providers and as values for HTTP/2 ones.
 */
public final class ClientForwarding {
    private static final AsciiString HTTPS = AsciiString.cached("https");
    private static final AsciiString HTTP = AsciiString.cached("http");

    private final InetSocketAddress address;
    private final AsciiString forwardedFor;
    private final AsciiString forwardedProto;
    private final byte[] http1Lines;

    private ClientForwarding(InetSocketAddress address, String host, boolean secure) {
        this.address = address;
        this.forwardedFor = new AsciiString(host);
        this.forwardedProto = secure ? HTTPS : HTTP;
        this.http1Lines = (KnownHeaders.NAME_X_FORWARDED_FOR + ": " + host + "\r\n"
                + KnownHeaders.NAME_X_FORWARDED_PROTO + ": " + forwardedProto + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** The connection from {@code remote}, over TLS when {@code secure}. */
    public static ClientForwarding of(SocketAddress remote, boolean secure) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return new ClientForwarding(inet, inet.getAddress().getHostAddress(), secure);
        }
        return new ClientForwarding(null, String.valueOf(remote), secure);
    }

    /** The client's address, or null when the connection has none (an embedded channel). */
    public InetSocketAddress address() {
        return address;
    }

    public AsciiString forwardedFor() {
        return forwardedFor;
    }

    public AsciiString forwardedProto() {
        return forwardedProto;
    }

    /** {@code X-Forwarded-For: <address>CRLF X-Forwarded-Proto: <http|https>CRLF}. */
    public byte[] http1Lines() {
        return http1Lines;
    }
}
