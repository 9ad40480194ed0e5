package io.gozargah.engine.tls;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.H2Client;
import io.gozargah.engine.testing.TestCertificates;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bodies larger than every buffer on the way, echoed by a provider that streams them back as it reads them, so that
 * both directions back up at once: the provider's socket stops taking the request (the gateway must stop reading
 * the consumer and resume when it drains) while the consumer's socket stops taking the response (the gateway must
 * stop reading the provider and resume). Over HTTPS with h2 and http/1.1 by ALPN, and over cleartext h2c, on epoll,
 * NIO and io_uring (what transport auto runs where the kernel allows it). Each exchange must finish long before the provider's 60 s request timeout would end a stalled one.
 */
class TlsBackpressureIT {
    /** Far below the 60 s request timeout that ends a stalled exchange, far above a working one's time. */
    private static final long EXCHANGE_SECONDS = 15;

    private static TestCertificates certs;
    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCertificates.create();
    }

    /** A provider that answers 200 with a chunked body and writes each piece of the request back as it reads it. */
    private static TestUpstream echoProvider() throws InterruptedException {
        return TestUpstream.raw(() -> new ChannelDuplexHandler() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                ctx.pipeline().addBefore(ctx.name(), null, new HttpServerCodec());
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof io.netty.handler.codec.http.HttpRequest) {
                    io.netty.handler.codec.http.HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                    ctx.write(head);
                }
                if (msg instanceof HttpContent) {
                    HttpContent content = (HttpContent) msg;
                    if (content.content().isReadable()) {
                        ctx.write(new DefaultHttpContent(content.content().retain()));
                    }
                    if (msg instanceof LastHttpContent) {
                        ctx.write(LastHttpContent.EMPTY_LAST_CONTENT);
                    }
                }
                ReferenceCountUtil.release(msg);
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                ctx.flush();
            }
        });
    }

    private GatewayFixture tlsGateway(String transport, int upstreamPort) throws Exception {
        String yaml = GatewayFixture.standardYaml(upstreamPort, null, null)
                .replaceFirst("transport: \\S+", "transport: " + transport)
                .replace("    - { name: test, host: 127.0.0.1, port: 0 }\n",
                        "    - { name: test, host: 127.0.0.1, port: 0, tls: { certificate: "
                                + certs.server.certificatePem() + ", key: " + certs.server.keyPem() + " } }\n")
                .replace("    responseTimeout: 2s\n", "    responseTimeout: 60s\n");
        return setup.start(yaml);
    }

    private GatewayFixture cleartextGateway(String transport, int upstreamPort) throws Exception {
        return setup.start(GatewayFixture.standardYaml(upstreamPort, null, null)
                .replaceFirst("transport: \\S+", "transport: " + transport)
                .replace("    responseTimeout: 2s\n", "    responseTimeout: 60s\n"));
    }

    private static void assumeAvailable(String transport) {
        Assumptions.assumeTrue(!"epoll".equals(transport) || Epoll.isAvailable(), "epoll not available here");
        Assumptions.assumeTrue(!"io_uring".equals(transport) || IoUring.isAvailable(), "io_uring not available here");
    }

    private static byte[] bodyOf(int size) {
        byte[] body = new byte[size];
        new Random(size).nextBytes(body);
        return body;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @ParameterizedTest(name = "{0}, h2 over {1}, {2} bytes")
    @CsvSource({
            "epoll, tls, 786432", "epoll, tls, 4194304", "epoll, h2c, 786432", "epoll, h2c, 4194304",
            "nio, tls, 786432", "nio, tls, 4194304", "nio, h2c, 786432", "nio, h2c, 4194304",
            "io_uring, tls, 786432", "io_uring, tls, 4194304", "io_uring, h2c, 786432", "io_uring, h2c, 4194304"})
    void shouldEchoALargeBodyOverHttp2(String transport, String security, int size) throws Exception {
        assumeAvailable(transport);
        TestUpstream provider = setup.provider(echoProvider());
        boolean tls = "tls".equals(security);
        GatewayFixture gateway = tls ? tlsGateway(transport, provider.port()) : cleartextGateway(transport, provider.port());
        SslContext context = tls ? H2Client.tls(certs.ca.certificate()) : null;
        H2Client client = setup.closeAfter(new H2Client(gateway.port(), 65535, false, context));
        byte[] body = bodyOf(size);

        H2Client.Exchange x = client.open(H2Client.request("POST", "/prov/svc", "x-api-key", ALICE_KEY), false);
        x.data(body, true);
        H2Client.Response r = x.response.get(EXCHANGE_SECONDS, TimeUnit.SECONDS);

        assertEquals(-1, r.resetCode, "the stream was reset");
        assertEquals(200, r.status());
        assertEquals(sha256(body), sha256(r.bodyBytes()));
    }

    /** As the JDK's own client sends it: the provider reads the whole request before it answers. */
    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"epoll, HTTP_2", "epoll, HTTP_1_1", "nio, HTTP_2", "nio, HTTP_1_1", "io_uring, HTTP_2", "io_uring, HTTP_1_1"})
    void shouldEchoALargeBodyReadWholeByTheProvider(String transport, HttpClient.Version version) throws Exception {
        assumeAvailable(transport);
        TestUpstream provider = setup.provider(TestUpstream.http((ctx, req) -> {
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    req.content().retainedDuplicate());
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
            ctx.writeAndFlush(resp);
        }));
        GatewayFixture gateway = tlsGateway(transport, provider.port());
        byte[] body = bodyOf(768 * 1024);
        HttpClient client = HttpClient.newBuilder().version(version).sslContext(certs.clientContext(null)).build();

        HttpResponse<byte[]> r = client.sendAsync(HttpRequest.newBuilder(
                                URI.create("https://127.0.0.1:" + gateway.port() + "/prov/svc"))
                        .header("X-Api-Key", ALICE_KEY).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray()).get(EXCHANGE_SECONDS, TimeUnit.SECONDS);

        assertEquals(version, r.version());
        assertEquals(200, r.statusCode());
        assertEquals(sha256(body), sha256(r.body()));
    }

    @ParameterizedTest(name = "{0}, h2 over {1}")
    @CsvSource({"epoll, tls", "epoll, h2c", "nio, tls", "nio, h2c", "io_uring, tls", "io_uring, h2c"})
    void shouldFinishALargeResponseToAConsumerThatReadsSlowly(String transport, String security) throws Exception {
        assumeAvailable(transport);
        int size = 4 << 20;
        byte[] body = bodyOf(size);
        TestUpstream provider = setup.provider(TestUpstream.http((ctx, req) -> {
            io.netty.handler.codec.http.HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_LENGTH, size);
            ctx.write(head);
            for (int off = 0; off < size; off += 64 * 1024) {
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(body, off, Math.min(64 * 1024, size - off))));
            }
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }));
        boolean tls = "tls".equals(security);
        GatewayFixture gateway = tls ? tlsGateway(transport, provider.port()) : cleartextGateway(transport, provider.port());
        SslContext context = tls ? H2Client.tls(certs.ca.certificate()) : null;
        // A stream window as large as the body: only the consumer's socket, not HTTP/2 flow control, holds it back.
        H2Client client = setup.closeAfter(new H2Client(gateway.port(), size, false, context));
        client.readSlowly(16 * 1024, 1);

        H2Client.Response r = client.open(H2Client.request("GET", "/prov/svc", "x-api-key", ALICE_KEY), true)
                .response.get(EXCHANGE_SECONDS, TimeUnit.SECONDS);

        assertEquals(-1, r.resetCode, "the stream was reset");
        assertEquals(200, r.status());
        assertEquals(sha256(body), sha256(r.bodyBytes()));
    }

    @ParameterizedTest(name = "{0}, {1} bytes")
    @CsvSource({"epoll, 786432", "epoll, 4194304", "nio, 786432", "nio, 4194304", "io_uring, 786432", "io_uring, 4194304"})
    void shouldEchoALargeBodyOverHttp11WithTls(String transport, int size) throws Exception {
        assumeAvailable(transport);
        TestUpstream provider = setup.provider(echoProvider());
        GatewayFixture gateway = tlsGateway(transport, provider.port());
        byte[] body = bodyOf(size);

        try (Socket plain = new Socket("127.0.0.1", gateway.port());
             SSLSocket socket = (SSLSocket) certs.clientContext(null).getSocketFactory()
                     .createSocket(plain, "127.0.0.1", gateway.port(), true)) {
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(EXCHANGE_SECONDS));
            socket.startHandshake();
            // The whole request is written by another thread while this one reads the echo as it comes.
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST /prov/svc HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + ALICE_KEY
                            + "\r\nConnection: close\r\nContent-Length: " + size + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                } catch (Exception e) {
                    // the reader below fails on what is missing
                }
            });
            writer.start();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                response.write(buffer, 0, n);
            }
            writer.join(TimeUnit.SECONDS.toMillis(EXCHANGE_SECONDS));

            byte[] raw = response.toByteArray();
            String text = new String(raw, StandardCharsets.ISO_8859_1);
            assertTrue(text.startsWith("HTTP/1.1 200 "), text.substring(0, Math.min(200, text.length())));
            assertEquals(sha256(body), sha256(dechunk(raw, text.indexOf("\r\n\r\n") + 4)));
        }
    }

    /** The body of a chunked message that starts at {@code from}. */
    private static byte[] dechunk(byte[] raw, int from) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = from;
        while (true) {
            int eol = indexOfCrlf(raw, i);
            String sizeLine = new String(raw, i, eol - i, StandardCharsets.ISO_8859_1);
            int semicolon = sizeLine.indexOf(';');
            int n = Integer.parseInt(semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon), 16);
            i = eol + 2;
            if (n == 0) {
                return out.toByteArray();
            }
            out.write(raw, i, n);
            i += n + 2;
        }
    }

    private static int indexOfCrlf(byte[] raw, int from) {
        for (int i = from; i + 1 < raw.length; i++) {
            if (raw[i] == '\r' && raw[i + 1] == '\n') {
                return i;
            }
        }
        throw new AssertionError("a chunk size line without its end");
    }
}
