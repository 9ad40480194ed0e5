package io.gozargah.engine.http2;

import io.gozargah.engine.admission.Admission;
import io.gozargah.engine.auth.ClientCertificate;
import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.deadline.DeadlineWheel;
import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.ExchangeStage;
import io.gozargah.engine.exchange.ExchangeStages;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.server.ServerContext;
import io.gozargah.engine.testing.GatewayFixture;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2EventAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP/2 front end and its exchange driver on embedded channels: raw frames from a client written by Netty's
 * frame writer into the connection, the frames it answers read back by Netty's frame reader, the real upstream
 * connections the pool opens (embedded too), and the loop's clock moved by hand with its deadline wheel advanced
 * by the test, so that every deadline a stream's exchange keeps is checked without waiting.
 */
class Http2ConnectionTest {
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    private long now = 1_000 * SECOND;
    private final List<EmbeddedChannel> upstreams = new ArrayList<>();
    private final List<Outcome> outcomes = new ArrayList<>();
    private final List<String> frames = new ArrayList<>();
    /** The HPACK block of each HEADERS frame the gateway wrote, as it was on the wire. */
    private final List<byte[]> headerBlocks = new ArrayList<>();
    private Admission admission;
    private EmbeddedChannel client;
    private EmbeddedChannel framing;
    private DeadlineWheel wheel;
    private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
    private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader(false);
    private ByteBuf received = Unpooled.buffer();
    /** Upstream connects are held in {@link #heldConnects} until the test runs them (an embedded one is at once). */
    private boolean deferConnects;
    private final List<Runnable> heldConnects = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        String yaml = GatewayFixture.standardYaml(9, "    requestTimeout: 10s\n    sendTimeout: 20s\n",
                "  maxDiscardBytes: 1024\n")
                .replace("consumers:\n", ""
                        + "  other:\n"
                        + "    endpoints: [ \"http://127.0.0.1:10/o\" ]\n"
                        + "    responseTimeout: 30s\n"
                        + "    services:\n"
                        + "      svc: { path: /api, methods: [ GET ] }\n"
                        + "consumers:\n")
                .replace("      - service: prov/root\n", "      - service: prov/root\n      - service: other/svc\n");
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, yaml);
        GatewayConfig config = ConfigLoader.load(file);
        admission = Admission.open(config.admission(), () -> now);
        ExchangeStage recorder = new ExchangeStage() {
            @Override
            public void complete(Exchange x) {
                outcomes.add(x.outcome());
            }
        };
        ServerContext server = new ServerContext(config, () -> {
            EmbeddedChannel upstream = new EmbeddedChannel(DefaultChannelId.newInstance(), false, false);
            if (deferConnects) {
                upstream.pipeline().addFirst(new DeferredConnect());
            }
            upstreams.add(upstream);
            return upstream;
        }, new ExchangeStages(List.of(recorder)), admission, null, () -> now);
        client = new EmbeddedChannel();
        Http2Connection.addHandlers(client.pipeline(), server, false, ClientCertificate.NONE);
        wheel = server.loop(client.eventLoop()).deadlines();
        framing = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
        client.writeInbound(preface);
        write((ctx, p) -> writer.writeSettings(ctx, new Http2Settings(), p));
        readFrames();
        write((ctx, p) -> writer.writeSettingsAck(ctx, p));
        frames.clear();
    }

    @AfterEach
    void stop() throws Exception {
        for (EmbeddedChannel upstream : upstreams) {
            upstream.finishAndReleaseAll();
        }
        client.finishAndReleaseAll();
        framing.finishAndReleaseAll();
        received.release();
        admission.close();
    }

    // ---------------------------------------------------------------------------------------------
    // A proxied exchange
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldProxyAStreamToItsUpstreamAndBack() throws Exception {
        headers(1, "GET", "/prov/svc/x", true);
        EmbeddedChannel upstream = upstream(0);
        String forwarded = readText(upstream);
        assertTrue(forwarded.startsWith("GET /base/api/svc/x HTTP/1.1\r\n"), forwarded);
        assertTrue(forwarded.contains("X-Gozargah-Consumer: alice\r\n"), forwarded);

        respond(upstream, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        readFrames();
        assertTrue(frames.contains("HEADERS 1 :status=200 end=false"), frames.toString());
        assertTrue(frames.contains("DATA 1 ok end=true"), frames.toString());
        assertEquals(List.of(Outcome.PROXIED), outcomes);
        assertEquals(0, client.pipeline().get(Http2Connection.class).connection().numActiveStreams(),
                "the stream closed with its response");
    }

    @Test
    void shouldNeverIndexTheFieldsThatAreNewInEveryResponse() throws Exception {
        for (int stream = 1; stream <= 3; stream += 2) {
            headers(stream, "GET", "/prov/svc/x", true);
            EmbeddedChannel upstream = upstream(0);
            readText(upstream);
            respond(upstream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\nok");
            readFrames();
        }
        assertEquals(2, headerBlocks.size(), frames.toString());
        int[] first = representations(headerBlocks.get(0));
        int[] second = representations(headerBlocks.get(1));
        assertEquals(2, first[NEVER_INDEXED], "x-gozargah-transaction and traceparent, never indexed");
        assertEquals(2, second[NEVER_INDEXED], "x-gozargah-transaction and traceparent, never indexed");
        assertTrue(first[INCREMENTAL] > 0, "the provider's fields are indexed the first time");
        assertEquals(0, second[INCREMENTAL], "nothing of a repeated response is added to the client's table");
    }

    // ---------------------------------------------------------------------------------------------
    // A closed stream's object serving the next stream
    // ---------------------------------------------------------------------------------------------

    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String TRACE = "00-" + TRACE_ID + "-b7ad6b7169203331-01";

    @Test
    void shouldServeTheNextStreamWithAClosedStreamsObjectCarryingNothingOfIt() throws Exception {
        Http2Connection h2 = client.pipeline().get(Http2Connection.class);
        Http2Headers first = request("POST", "/prov/svc/a").add("traceparent", TRACE).add("x-first", "1");
        write((ctx, p) -> writer.writeHeaders(ctx, 1, first, 0, false, p));
        data(1, "abcd", false); // the body goes on: the request deadline (10 s) runs
        String forwarded = readText(upstream(0));
        assertTrue(forwarded.contains("x-first: 1\r\n") && forwarded.contains(TRACE_ID), forwarded);
        Http2ClientStream firstObject = h2.exchange(h2.connection().stream(1));
        write((ctx, p) -> writer.writeRstStream(ctx, 1, Http2Error.CANCEL.code(), p));
        assertEquals(List.of(Outcome.CLIENT_ABORTED), outcomes);

        headers(3, "GET", "/other/svc/b", true);
        assertSame(firstObject, h2.exchange(h2.connection().stream(3)), "the closed stream's object serves stream 3");
        forwarded = readText(upstream(1));
        assertTrue(forwarded.startsWith("GET /o/api/b HTTP/1.1\r\n"), forwarded);
        assertFalse(forwarded.contains("x-first"), forwarded);
        assertFalse(forwarded.contains(TRACE_ID), "the gateway's own trace, not stream 1's: " + forwarded);
        assertFalse(forwarded.contains("Content-Length") || forwarded.contains("chunked"), forwarded);
        advance(11 * SECOND);
        readFrames();
        assertEquals(List.of(), frames, "stream 1's request deadline (10 s) does not end stream 3");
        assertEquals(List.of(Outcome.CLIENT_ABORTED), outcomes);

        respond(upstreams.get(1), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        readFrames();
        assertEquals(List.of("HEADERS 3 :status=200 end=false", "DATA 3 ok end=true"), frames);
        assertEquals(List.of(Outcome.CLIENT_ABORTED, Outcome.PROXIED), outcomes);
    }

    @Test
    void shouldNotServeTheNextStreamWithAnObjectWhoseConnectIsStillUnderWay() throws Exception {
        Http2Connection h2 = client.pipeline().get(Http2Connection.class);
        deferConnects = true;
        Http2Headers first = request("GET", "/prov/svc/a");
        writeHoldingTasks((ctx, p) -> writer.writeHeaders(ctx, 1, first, 0, true, p));
        Http2ClientStream firstObject = h2.exchange(h2.connection().stream(1));
        assertEquals(1, upstreams.size(), "stream 1's upstream connection is being opened");
        writeHoldingTasks((ctx, p) -> writer.writeRstStream(ctx, 1, Http2Error.CANCEL.code(), p));
        assertEquals(List.of(Outcome.CLIENT_ABORTED), outcomes);

        Http2Headers third = request("GET", "/other/svc/b");
        writeHoldingTasks((ctx, p) -> writer.writeHeaders(ctx, 3, third, 0, true, p));
        assertNotSame(firstObject, h2.exchange(h2.connection().stream(3)),
                "an object whose pool may still answer it serves no other stream");
        // Both connects complete: stream 1's comes late, to its own object, which hands the connection back.
        assertEquals(2, heldConnects.size());
        heldConnects.forEach(Runnable::run);
        client.runPendingTasks();
        assertEquals("", readText(upstreams.get(0)), "nothing went to stream 1's provider");
        String forwarded = readText(upstream(1));
        assertTrue(forwarded.startsWith("GET /o/api/b HTTP/1.1\r\n"), forwarded);
        respond(upstreams.get(1), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        readFrames();
        assertEquals(List.of("HEADERS 3 :status=200 end=false", "DATA 3 ok end=true"), frames);
        assertEquals(List.of(Outcome.CLIENT_ABORTED, Outcome.PROXIED), outcomes);
    }

    // ---------------------------------------------------------------------------------------------
    // The exchange's deadlines
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldAnswer504WhenTheProviderGivesNoHeadWithinTheResponseTimeout() throws Exception {
        headers(1, "GET", "/prov/svc/x", true);
        readText(upstream(0));
        advance(2 * SECOND - wheel.tickNanos());
        readFrames();
        assertEquals(List.of(), frames, "nothing answered within the response timeout (2 s)");

        advance(2 * wheel.tickNanos());
        readFrames();
        assertTrue(frames.contains("HEADERS 1 :status=504 end=false"), frames.toString());
        assertEquals(List.of(Outcome.UPSTREAM_TIMEOUT), outcomes);
    }

    @Test
    void shouldAnswer408AndResetWhenTheBodyDoesNotArriveWithinTheRequestTimeout() throws Exception {
        headers(1, "POST", "/prov/svc", false);
        data(1, "abcd", false);
        assertTrue(readText(upstream(0)).endsWith("4\r\nabcd\r\n"));
        advance(10 * SECOND - wheel.tickNanos());
        readFrames();
        assertEquals(List.of(), frames, "nothing answered within the request timeout (10 s)");

        advance(2 * wheel.tickNanos());
        readFrames();
        assertTrue(frames.contains("HEADERS 1 :status=408 end=false"), frames.toString());
        assertTrue(frames.contains("RST_STREAM 1 " + Http2Error.NO_ERROR.code()), frames.toString());
        assertEquals(List.of(Outcome.REQUEST_TIMEOUT), outcomes);
    }

    @Test
    void shouldResetAStreamThatTakesNoneOfItsResponseWithinTheSendTimeout() throws Exception {
        headers(1, "GET", "/prov/svc/x", true);
        EmbeddedChannel upstream = upstream(0);
        readText(upstream);
        String big = "x".repeat(70_000); // past the client's initial stream window of 65,535 bytes
        respond(upstream, "HTTP/1.1 200 OK\r\nContent-Length: " + big.length() + "\r\n\r\n" + big);
        readFrames();
        frames.clear();
        advance(20 * SECOND - wheel.tickNanos());
        readFrames();
        assertEquals(List.of(), frames, "not reset within the send timeout (20 s)");

        advance(2 * wheel.tickNanos());
        readFrames();
        assertEquals(List.of("RST_STREAM 1 " + Http2Error.CANCEL.code()), frames);
    }

    @Test
    void shouldDropARefusedBodyWithinTheDiscardLimitAndResetPastIt() throws Exception {
        headers(1, "POST", "/prov/nosuch", false);
        readFrames();
        assertTrue(frames.contains("HEADERS 1 :status=404 end=false"), frames.toString());
        frames.clear();
        data(1, "x".repeat(1000), false);
        readFrames();
        assertEquals(List.of(), frames, "dropped within maxDiscardBytes (1024)");

        data(1, "x".repeat(100), false);
        readFrames();
        assertEquals(List.of("RST_STREAM 1 " + Http2Error.NO_ERROR.code()), frames);
        assertTrue(upstreams.isEmpty(), "nothing went upstream");
    }

    @Test
    void shouldResetARefusedBodyThatStopsComingWithinTheHeadTimeout() throws Exception {
        headers(1, "POST", "/prov/nosuch", false);
        readFrames();
        frames.clear();
        advance(5 * SECOND - wheel.tickNanos());
        readFrames();
        assertEquals(List.of(), frames, "not reset within the head timeout (5 s)");

        advance(2 * wheel.tickNanos());
        readFrames();
        assertEquals(List.of("RST_STREAM 1 " + Http2Error.NO_ERROR.code()), frames);
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    private interface FrameWrite {
        void write(ChannelHandlerContext ctx, io.netty.channel.ChannelPromise promise) throws Exception;
    }

    /** Writes a frame as the client would and hands its bytes to the gateway. */
    private void write(FrameWrite frame) throws Exception {
        ChannelHandlerContext ctx = framing.pipeline().firstContext();
        frame.write(ctx, ctx.newPromise());
        ctx.flush();
        ByteBuf bytes;
        while ((bytes = framing.readOutbound()) != null) {
            client.writeInbound(bytes);
        }
        client.runPendingTasks();
    }

    /**
     * Hands a frame to the gateway as one read batch without running the loop's pending tasks, so that an upstream
     * connect it starts is still under way afterwards.
     */
    private void writeHoldingTasks(FrameWrite frame) throws Exception {
        ChannelHandlerContext ctx = framing.pipeline().firstContext();
        frame.write(ctx, ctx.newPromise());
        ctx.flush();
        ByteBuf bytes;
        while ((bytes = framing.readOutbound()) != null) {
            client.pipeline().fireChannelRead(bytes);
        }
        client.pipeline().fireChannelReadComplete();
    }

    private static Http2Headers request(String method, String path) {
        Http2Headers h = new DefaultHttp2Headers().method(method).path(path).scheme("http").authority("gw");
        return h.add("x-api-key", ALICE_KEY);
    }

    private void headers(int stream, String method, String path, boolean endStream) throws Exception {
        Http2Headers h = request(method, path);
        write((ctx, p) -> writer.writeHeaders(ctx, stream, h, 0, endStream, p));
    }

    private void data(int stream, String text, boolean endStream) throws Exception {
        ByteBuf bytes = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        write((ctx, p) -> writer.writeData(ctx, stream, bytes, 0, endStream, p));
    }

    /** Reads the frames the gateway wrote into {@link #frames}, one line each. */
    private void readFrames() throws Http2Exception {
        ByteBuf bytes;
        while ((bytes = client.readOutbound()) != null) {
            received.writeBytes(bytes);
            bytes.release();
        }
        ChannelHandlerContext ctx = framing.pipeline().firstContext();
        while (received.readableBytes() >= Http2CodecUtil.FRAME_HEADER_LENGTH) {
            int length = received.getUnsignedMedium(received.readerIndex());
            if (received.readableBytes() < Http2CodecUtil.FRAME_HEADER_LENGTH + length) {
                break;
            }
            if (received.getByte(received.readerIndex() + 3) == 0x1) { // HEADERS (never padded or prioritised here)
                byte[] block = new byte[length];
                received.getBytes(received.readerIndex() + Http2CodecUtil.FRAME_HEADER_LENGTH, block);
                headerBlocks.add(block);
            }
            reader.readFrame(ctx, received, new Recorder());
        }
        received.discardReadBytes();
    }

    private static final int INDEXED = 0;
    private static final int INCREMENTAL = 1;
    private static final int WITHOUT_INDEXING = 2;
    private static final int NEVER_INDEXED = 3;
    private static final int SIZE_UPDATE = 4;

    /** Counts each kind of HPACK representation in a header block (RFC 7541 §6), by the bits of its first byte. */
    private static int[] representations(byte[] block) {
        int[] kinds = new int[5];
        ByteBuf in = Unpooled.wrappedBuffer(block);
        while (in.isReadable()) {
            int b = in.getUnsignedByte(in.readerIndex());
            if ((b & 0x80) != 0) {
                kinds[INDEXED]++;
                hpackInteger(in, 7);
            } else if ((b & 0x40) != 0) {
                kinds[INCREMENTAL]++;
                skipLiteral(in, hpackInteger(in, 6));
            } else if ((b & 0x20) != 0) {
                kinds[SIZE_UPDATE]++;
                hpackInteger(in, 5);
            } else {
                kinds[(b & 0x10) != 0 ? NEVER_INDEXED : WITHOUT_INDEXING]++;
                skipLiteral(in, hpackInteger(in, 4));
            }
        }
        return kinds;
    }

    /** An integer with an N-bit prefix (RFC 7541 §5.1); the bits above the prefix are dropped. */
    private static int hpackInteger(ByteBuf in, int prefixBits) {
        int max = (1 << prefixBits) - 1;
        int value = in.readUnsignedByte() & max;
        if (value < max) {
            return value;
        }
        int shift = 0;
        int b;
        do {
            b = in.readUnsignedByte();
            value += (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return value;
    }

    /** A literal's name (when not indexed) and value strings (§5.2: Huffman bit, 7-bit-prefixed length). */
    private static void skipLiteral(ByteBuf in, int nameIndex) {
        if (nameIndex == 0) {
            in.skipBytes(hpackInteger(in, 7));
        }
        in.skipBytes(hpackInteger(in, 7));
    }

    private void advance(long nanos) {
        now += nanos;
        wheel.tick();
        client.runPendingTasks();
    }

    private void respond(EmbeddedChannel upstream, String text) {
        upstream.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
        client.runPendingTasks();
    }

    private EmbeddedChannel upstream(int i) {
        client.runPendingTasks();
        assertTrue(upstreams.size() > i, "upstream connection " + i + " was opened");
        return upstreams.get(i);
    }

    private static String readText(EmbeddedChannel ch) {
        StringBuilder text = new StringBuilder();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            text.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return text.toString();
    }

    /** Holds a connect back in {@link #heldConnects}. */
    private final class DeferredConnect extends io.netty.channel.ChannelOutboundHandlerAdapter {
        @Override
        public void connect(ChannelHandlerContext ctx, java.net.SocketAddress remote, java.net.SocketAddress local,
                            io.netty.channel.ChannelPromise promise) {
                heldConnects.add(() -> ctx.connect(remote, local, promise));
        }
    }

    private final class Recorder extends Http2EventAdapter {
        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                  boolean endOfStream) {
            frames.add("HEADERS " + streamId + " :status=" + headers.status() + " end=" + endOfStream);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int dependency,
                                  short weight, boolean exclusive, int padding, boolean endOfStream) {
            onHeadersRead(ctx, streamId, headers, padding, endOfStream);
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean end) {
            String text = data.readableBytes() > 64 ? data.readableBytes() + " bytes"
                    : data.toString(StandardCharsets.ISO_8859_1);
            frames.add("DATA " + streamId + " " + text + " end=" + end);
            return data.readableBytes() + padding;
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            frames.add("RST_STREAM " + streamId + " " + errorCode);
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
            frames.add("GOAWAY " + lastStreamId + " " + errorCode);
        }
    }
}
