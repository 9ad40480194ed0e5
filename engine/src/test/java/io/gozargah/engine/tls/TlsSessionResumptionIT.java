package io.gozargah.engine.tls;

import io.gozargah.engine.config.TlsConfig;
import io.gozargah.engine.testing.TestCertificates;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.OpenSslSessionStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Session resumption on a listener's {@link ServerTls} over real sockets: a TLS echo server on 127.0.0.1 with the
 * listener's handler, and a JDK client whose session cache brings back the ticket it was given. What the server
 * did is read from BoringSSL's own counters: a ticket opened with the sealing key (resume), with a replaced key
 * (renew: it resumes and the client gets a ticket under the new key), or not at all (fail: a full handshake).
 */
class TlsSessionResumptionIT {
    private static final Duration LIFETIME = Duration.ofHours(1);
    private static TestCertificates certs;

    private EventLoopGroup group;
    private ServerTls tls;
    private int port;
    private TlsConfig config;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCertificates.create();
    }

    @BeforeEach
    void start() throws Exception {
        config = new TlsConfig(certs.server.certificatePem(), certs.server.keyPem(), TlsConfig.ClientAuth.NONE, null,
                new TlsConfig.Sessions(1024, LIFETIME, true, Duration.ofMinutes(10)));
        tls = ServerTls.create("test", config);
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()), new Echo());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
        tls.close();
    }

    @Test
    void shouldResumeTheSecondConnectionFromItsTicket() throws Exception {
        SSLContext client = certs.clientContext(null);

        exchange(client);
        exchange(client);

        OpenSslSessionStats stats = tls.sessionStats();
        assertEquals(1, stats.ticketKeyResume(), "the second connection's ticket opened with the sealing key");
        assertEquals(0, stats.ticketKeyFail());
    }

    @Test
    void shouldStillResumeFromATicketOfTheReplacedKeyWithinTheGracePeriod() throws Exception {
        SSLContext client = certs.clientContext(null);
        exchange(client);

        tls.rotateTicketKeys(System.nanoTime());
        exchange(client);

        OpenSslSessionStats stats = tls.sessionStats();
        assertEquals(1, stats.ticketKeyRenew(), "opened with the replaced key, and renewed under the new one");
        assertEquals(0, stats.ticketKeyFail());
    }

    @Test
    void shouldRefuseATicketOfAKeyReplacedLongerAgoThanTheGracePeriod() throws Exception {
        SSLContext client = certs.clientContext(null);
        exchange(client);

        long now = System.nanoTime();
        tls.rotateTicketKeys(now);
        tls.rotateTicketKeys(now + LIFETIME.toNanos());
        exchange(client);

        OpenSslSessionStats stats = tls.sessionStats();
        assertEquals(1, stats.ticketKeyFail(), "the ticket's key is gone: a full handshake instead");
        assertEquals(0, stats.ticketKeyResume() + stats.ticketKeyRenew());
    }

    @Test
    void shouldResumeAcrossAReloadWithTheSameKeys() throws Exception {
        SSLContext client = certs.clientContext(null);
        exchange(client);

        tls.reload(config);
        exchange(client);

        assertEquals(1, tls.sessionStats().ticketKeyResume(), "the reloaded context opened the earlier ticket");
    }

    /** One connection: handshake, one byte each way (which also delivers TLS 1.3's ticket), close. */
    private void exchange(SSLContext client) throws Exception {
        try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write('x');
            socket.getOutputStream().flush();
            assertEquals('x', socket.getInputStream().read());
        }
    }

    /** Sends back what it reads. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }
    }
}
