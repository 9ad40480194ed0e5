package io.gozargah.engine.testing;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider on 127.0.0.1 that misbehaves as agencies' servers do, by a script deciding per request what it does:
 * answer (echoing the request body, so a replayed body can be checked whole), answer and then close without saying
 * so ({@code Connection: close} missing), drop the request and close (its connection went away as the request
 * arrived), reset the connection before answering, close it in the middle of its answer's body, answer 503, or
 * never answer. It records every request its HTTP layer saw, by
 * the gateway's transaction id, so that tests can count first attempts, retries and replayed bodies at the provider,
 * and how many retries were at the provider at once.
 */
public final class FaultyProvider implements AutoCloseable {

    /** What the provider does with one request. */
    public enum Action {
        ANSWER, ANSWER_AND_CLOSE, DROP_AND_CLOSE, RESET, ANSWER_503,
        /** Takes the request and never answers (the connection stays open until the gateway closes it). */
        HOLD,
        /**
         * Sends the head and part of the body of its answer, then closes the connection (a FIN: a reset could make
         * the kernel drop the partial answer before the gateway reads it, which would be a failure before the answer).
         */
        CLOSE_MID_BODY
    }

    /** Decides the action for a request: {@code answered} is how many the request's connection answered before. */
    @FunctionalInterface
    public interface Script {
        Action next(int answered, int arrivalOfTransaction);
    }

    /** One request as the provider's HTTP layer saw it, and what was done with it. */
    public record Arrival(String transaction, String method, String uri, byte[] body, Action action) {
    }

    private final TestUpstream server;
    private final Script script;
    private final long answerDelayMillis;
    private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> byTransaction = new ConcurrentHashMap<>();
    private final AtomicInteger retriesHere = new AtomicInteger();
    private final AtomicInteger mostRetriesHere = new AtomicInteger();

    private FaultyProvider(Script script, long answerDelayMillis) throws InterruptedException {
        this.script = script;
        this.answerDelayMillis = answerDelayMillis;
        this.server = TestUpstream.raw(() -> new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Handler());
            }
        });
    }

    /** A provider that follows {@code script}, answering at once. */
    public static FaultyProvider scripted(Script script) throws InterruptedException {
        return new FaultyProvider(script, 0);
    }

    /** A provider that follows {@code script}, answering each request {@code delayMillis} after it came. */
    public static FaultyProvider scripted(Script script, long delayMillis) throws InterruptedException {
        return new FaultyProvider(script, delayMillis);
    }

    /**
     * Closes each keep-alive connection after {@code n} answers without {@code Connection: close}: right after the
     * n-th answer ({@code dropNext} false, the race as it comes), or when the next request arrives, which it drops
     * unanswered ({@code dropNext} true: the race lost every time, made deterministic).
     */
    public static Script closingAfter(int n, boolean dropNext) {
        return (answered, arrival) -> {
            if (dropNext) {
                return answered >= n ? Action.DROP_AND_CLOSE : Action.ANSWER;
            }
            return answered == n - 1 ? Action.ANSWER_AND_CLOSE : Action.ANSWER;
        };
    }

    public int port() {
        return server.port();
    }

    /** Connections accepted. */
    public int connections() {
        return server.connections();
    }

    public List<Arrival> arrivals() {
        return arrivals;
    }

    /** How many times the request of {@code transaction} reached the provider's HTTP layer. */
    public int arrivalsOf(String transaction) {
        AtomicInteger n = byTransaction.get(transaction);
        return n == null ? 0 : n.get();
    }

    /** Requests that reached the provider's HTTP layer for a transaction it had seen before. */
    public long retries() {
        return byTransaction.values().stream().mapToLong(n -> Math.max(0, n.get() - 1)).sum();
    }

    /** The most retried requests the provider was working on at once (arrived, not yet answered). */
    public int mostConcurrentRetries() {
        return mostRetriesHere.get();
    }

    @Override
    public void close() {
        server.close();
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private int answered;
        private boolean closing;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            FullHttpRequest req = (FullHttpRequest) msg;
            try {
                if (closing) {
                    return; // what a closing server never reads
                }
                String tx = req.headers().get("X-Gozargah-Transaction", "");
                int arrival = byTransaction.computeIfAbsent(tx, k -> new AtomicInteger()).incrementAndGet();
                byte[] body = new byte[req.content().readableBytes()];
                req.content().getBytes(req.content().readerIndex(), body);
                Action action = script.next(answered, arrival);
                arrivals.add(new Arrival(tx, req.method().name(), req.uri(), body, action));
                boolean retry = arrival > 1;
                switch (action) {
                    case HOLD -> {
                        closing = true; // nothing more is answered on this connection
                    }
                    case CLOSE_MID_BODY -> {
                        closing = true;
                        String part = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789";
                        // Below the HTTP encoder: these bytes are the answer's start as they go on the wire.
                        ctx.pipeline().firstContext().writeAndFlush(
                                Unpooled.copiedBuffer(part, java.nio.charset.StandardCharsets.US_ASCII))
                                .addListener(ChannelFutureListener.CLOSE);
                    }
                    case DROP_AND_CLOSE -> {
                        closing = true;
                        ctx.close();
                    }
                    case RESET -> {
                        closing = true;
                        ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                        ctx.close();
                    }
                    default -> {
                        if (retry) {
                            mostRetriesHere.accumulateAndGet(retriesHere.incrementAndGet(), Math::max);
                        }
                        if (answerDelayMillis > 0) {
                            ctx.executor().schedule(() -> answer(ctx, action, body, retry), answerDelayMillis,
                                    TimeUnit.MILLISECONDS);
                        } else {
                            answer(ctx, action, body, retry);
                        }
                    }
                }
            } finally {
                req.release();
            }
        }

        private void answer(ChannelHandlerContext ctx, Action action, byte[] body, boolean retry) {
            if (retry) {
                retriesHere.decrementAndGet();
            }
            answered++;
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    action == Action.ANSWER_503 ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
            if (action == Action.ANSWER_AND_CLOSE) {
                closing = true;
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(response);
            }
        }
    }
}
