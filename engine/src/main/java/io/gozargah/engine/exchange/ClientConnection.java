package io.gozargah.engine.exchange;

import io.gozargah.engine.auth.ApiKeyAuthenticator;
import io.gozargah.engine.auth.ClientCertificate;
import io.gozargah.engine.server.LoopResources;
import io.gozargah.engine.server.ServerContext;
import io.netty.channel.Channel;

/**
 * What the exchanges of one client connection share, whichever protocol it speaks: the gateway, its loop's
 * resources, the connection's gate (which remembers its authentication failures) and key authenticator, the client
 * certificate of its TLS handshake and the forwarded fields naming the client. Made once per connection, when its
 * front end joins the pipeline; an HTTP/1.1 connection's one driver and an HTTP/2 connection's stream drivers all
 * read it.
 */
public final class ClientConnection {
    private final ServerContext server;
    private final LoopResources loop;
    private final Channel channel;
    private final ExchangeGate gate;
    private final ApiKeyAuthenticator keys;
    private final ClientCertificate certificate;
    private final ClientForwarding forwarding;

    /**
     * @param secure      the connection is TLS (upstreams are told {@code X-Forwarded-Proto: https})
     * @param certificate the client certificate of the TLS handshake, or {@link ClientCertificate#NONE}
     */
    public ClientConnection(ServerContext server, Channel channel, boolean secure, ClientCertificate certificate) {
        this.server = server;
        this.loop = server.loop(channel.eventLoop());
        this.channel = channel;
        this.gate = new ExchangeGate(server.stages(), server.authFailures());
        this.keys = new ApiKeyAuthenticator(loop.sha256(), loop.keyScratch(), loop.digestScratch());
        this.certificate = certificate;
        this.forwarding = ClientForwarding.of(channel.remoteAddress(), secure);
    }

    public ServerContext server() {
        return server;
    }

    public LoopResources loop() {
        return loop;
    }

    /** The client's channel: its allocator makes problem bodies, forward heads and chunk framing. */
    public Channel channel() {
        return channel;
    }

    ExchangeGate gate() {
        return gate;
    }

    ApiKeyAuthenticator keys() {
        return keys;
    }

    ClientCertificate certificate() {
        return certificate;
    }

    ClientForwarding forwarding() {
        return forwarding;
    }
}
