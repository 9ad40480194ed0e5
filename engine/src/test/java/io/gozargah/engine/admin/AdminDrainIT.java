package io.gozargah.engine.admin;

import io.gozargah.engine.testing.AdminFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code POST /admin/drain}: new connections are refused and /ready turns false at once, the request in flight
 * completes, and the answer comes when the last connection has closed; the process and the admin API stay up.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdminDrainIT {
    private final BlockingQueue<ChannelHandlerContext> held = new LinkedBlockingQueue<>();
    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private AdminFixture fixture;

    @Test
    void shouldFinishInFlightRefuseNewConnectionsAndReportWhenDone() throws Exception {
        upstream = setup.provider((ctx, req) -> held.add(ctx));
        fixture = setup.closeAfter(AdminFixture.start(setup.standardYaml(null, null), Duration.ofSeconds(10)));
        int port = fixture.gateway().port();

        try (RawHttpClient inFlight = new RawHttpClient(port)) {
            inFlight.send("GET /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
            ChannelHandlerContext upstreamSide = held.poll(10, TimeUnit.SECONDS);
            assertNotNull(upstreamSide, "the request reached the provider");

            CompletableFuture<Response> drain = CompletableFuture.supplyAsync(() -> {
                try {
                    return fixture.call("POST", "/admin/drain");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });

            Response ready = waitFor(() -> fixture.call("GET", "/ready", null), r -> r.status() == 503);
            assertEquals("{\"ready\":false,\"reasons\":[\"draining\"]}", ready.bodyText());
            waitFor(() -> connectRefused(port), refused -> refused);
            assertFalse(drain.isDone(), "the drain answers only when the in-flight exchange is over");

            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("late", StandardCharsets.UTF_8));
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, 4);
            upstreamSide.writeAndFlush(resp);

            Response answered = inFlight.read();
            assertEquals(200, answered.status());
            assertEquals("late", answered.bodyText());
            assertEquals("close", answered.header("Connection"));

            Response drained = drain.get(10, TimeUnit.SECONDS);
            assertEquals(200, drained.status(), drained.bodyText());
            assertTrue(drained.bodyText().matches("\\{\"drained\":true,\"millis\":[0-9]+,\"cutAtDeadline\":0}"),
                    drained.bodyText());
        }
        assertEquals(200, fixture.call("GET", "/health", null).status());
        assertTrue(fixture.call("GET", "/metrics").bodyText().contains("\ngozargah_draining 1\n"));
        Response again = fixture.call("POST", "/admin/drain");
        assertEquals(200, again.status(), "a second drain reports the finished one");
    }

    private static boolean connectRefused(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return false;
        } catch (ConnectException refused) {
            return true;
        }
    }

    interface Call<T> {
        T get() throws Exception;
    }

    private static <T> T waitFor(Call<T> call, java.util.function.Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            T value = call.get();
            if (done.test(value)) {
                return value;
            }
            Thread.onSpinWait();
        }
        fail("condition not reached within 10 s");
        return null;
    }
}
