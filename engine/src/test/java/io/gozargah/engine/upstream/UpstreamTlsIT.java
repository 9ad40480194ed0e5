package io.gozargah.engine.upstream;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestCertificates;
import io.gozargah.engine.testing.TestH2Upstream;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS to providers with a CA made in the test: h2 negotiated by ALPN, HTTP/1.1 over https, trust from the
 * provider's {@code trustedCas}, hostname verification on by default (502 and a warning naming the reason when
 * the certificate is for another name), and a clear refusal when an h2 provider does not select h2.
 */
class UpstreamTlsIT {
    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private static TestCertificates.Issued ca;
    private static TestCertificates.Issued forLoopback;
    private static TestCertificates.Issued forOtherName;
    private static Path caFile;

    private TestH2Upstream upstream;
    private EventLoopGroup http1Group;
    private GatewayFixture gateway;
    private ListAppender<ILoggingEvent> tlsLog;

    @BeforeAll
    static void certificates() throws Exception {
        ca = TestCertificates.ca("Gozargah Test CA");
        forLoopback = TestCertificates.server(ca, "127.0.0.1");
        forOtherName = TestCertificates.server(ca, "other.example");
        Path dir = Files.createTempDirectory("gozargah-tls");
        caFile = TestCertificates.writePem(dir, "ca.pem", ca.certificate());
    }

    @AfterEach
    void stop() {
        if (http1Group != null) {
            http1Group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (tlsLog != null) {
            ((Logger) LoggerFactory.getLogger(UpstreamTls.class)).detachAppender(tlsLog);
        }
    }

    private static SslContext serverContext(TestCertificates.Issued leaf, String... alpn) throws Exception {
        return SslContextBuilder.forServer(leaf.key(), leaf.certificate())
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn))
                .build();
    }

    private void startGateway(int port, String providerExtra) throws Exception {
        String yaml = GatewayFixture.standardYaml(port, providerExtra, null)
                .replace("\"http://127.0.0.1:", "\"https://127.0.0.1:");
        gateway = setup.start(yaml);
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: gw.test\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n";
    }

    private void captureTlsLog() {
        tlsLog = new ListAppender<>();
        tlsLog.start();
        ((Logger) LoggerFactory.getLogger(UpstreamTls.class)).addAppender(tlsLog);
    }

    @Test
    void shouldSpeakH2OverTlsWithTheProvidersCa() throws Exception {
        upstream = setup.provider(TestH2Upstream.tls(serverContext(forLoopback, ApplicationProtocolNames.HTTP_2),
                Http2Settings.defaultSettings().maxConcurrentStreams(100),
                r -> r.respond(200, r.headers().scheme() + " " + r.path())));
        startGateway(upstream.port(), "    protocol: h2\n    trustedCas: " + caFile + "\n");
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            Response r = client.send(get("/prov/svc/x")).read();
            assertEquals(200, r.status(), r.bodyText());
            assertEquals("https /base/api/svc/x", r.bodyText());
        }
    }

    @Test
    void shouldRefuseACertificateForAnotherNameWithAClearLogLine() throws Exception {
        upstream = setup.provider(TestH2Upstream.tls(serverContext(forOtherName, ApplicationProtocolNames.HTTP_2),
                Http2Settings.defaultSettings(), r -> r.respond(200, "must not be reached")));
        startGateway(upstream.port(), "    protocol: h2\n    trustedCas: " + caFile + "\n");
        captureTlsLog();
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            assertProblem(client.send(get("/prov/svc/x")).read(), 502, "upstream-unavailable");
        }
        assertTrue(upstream.requests().isEmpty());
        assertTrue(tlsLog.list.stream().anyMatch(e -> e.getFormattedMessage().startsWith("TLS handshake with https://127.0.0.1:")
                        && e.getFormattedMessage().contains("127.0.0.1")
                        && e.getLevel() == ch.qos.logback.classic.Level.WARN),
                () -> "a warning names the failed handshake: " + tlsLog.list);
    }

    @Test
    void shouldSkipHostnameVerificationOnlyWhenConfiguredTo() throws Exception {
        upstream = setup.provider(TestH2Upstream.tls(serverContext(forOtherName, ApplicationProtocolNames.HTTP_2),
                Http2Settings.defaultSettings(), r -> r.respond(200, "reached")));
        startGateway(upstream.port(), "    protocol: h2\n    trustedCas: " + caFile + "\n    verifyHostname: false\n");
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            Response r = client.send(get("/prov/svc/x")).read();
            assertEquals(200, r.status(), r.bodyText());
            assertEquals("reached", r.bodyText());
        }
    }

    @Test
    void shouldRefuseAnUntrustedCertificate() throws Exception {
        TestCertificates.Issued otherCa = TestCertificates.ca("Someone Else");
        upstream = setup.provider(TestH2Upstream.tls(serverContext(TestCertificates.server(otherCa, "127.0.0.1"),
                ApplicationProtocolNames.HTTP_2), Http2Settings.defaultSettings(), r -> r.respond(200, "no")));
        startGateway(upstream.port(), "    protocol: h2\n    trustedCas: " + caFile + "\n");
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            assertProblem(client.send(get("/prov/svc/x")).read(), 502, "upstream-unavailable");
        }
        assertTrue(upstream.requests().isEmpty());
    }

    @Test
    void shouldRefuseAnH2ProviderThatDoesNotNegotiateH2() throws Exception {
        upstream = setup.provider(TestH2Upstream.tls(serverContext(forLoopback, ApplicationProtocolNames.HTTP_1_1),
                Http2Settings.defaultSettings(), r -> r.respond(200, "no")));
        startGateway(upstream.port(), "    protocol: h2\n    trustedCas: " + caFile + "\n");
        ListAppender<ILoggingEvent> poolLog = new ListAppender<>();
        poolLog.start();
        Logger logger = (Logger) LoggerFactory.getLogger(Http2UpstreamConnections.class);
        logger.addAppender(poolLog);
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            assertProblem(client.send(get("/prov/svc/x")).read(), 502, "upstream-unavailable");
        } finally {
            logger.detachAppender(poolLog);
        }
        assertTrue(poolLog.list.stream().anyMatch(e -> e.getFormattedMessage().contains("did not negotiate h2")),
                () -> "the refusal says why: " + poolLog.list);
    }

    @Test
    void shouldSpeakHttp1OverTls() throws Exception {
        SslContext tls = serverContext(forLoopback, ApplicationProtocolNames.HTTP_1_1);
        http1Group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(http1Group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()), new HttpServerCodec(),
                                new HttpObjectAggregator(1 << 16), new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        String protocol = String.valueOf(ctx.pipeline().get(SslHandler.class).engine()
                                                .getSession().getProtocol());
                                        byte[] body = (req.uri() + " " + protocol).getBytes(StandardCharsets.UTF_8);
                                        DefaultFullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
                                        resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
                                        ctx.writeAndFlush(resp);
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        int port = ((java.net.InetSocketAddress) server.localAddress()).getPort();
        startGateway(port, "    trustedCas: " + caFile + "\n");
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            Response r = client.send(get("/prov/svc/one")).read();
            assertEquals(200, r.status(), r.bodyText());
            assertTrue(r.bodyText().startsWith("/base/api/svc/one TLSv1."), r.bodyText());
            // The connection went back to the pool after its handshake and is reused.
            assertTrue(client.send(get("/prov/svc/two")).read().bodyText().startsWith("/base/api/svc/two"));
        }
    }
}
