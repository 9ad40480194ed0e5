package io.gozargah.engine.upstream;

import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.codec.http1.HttpMethod;
import io.gozargah.codec.http1.ResponseHead;
import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.config.HealthCheckConfig;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The active health check of one endpoint: every {@code interval} (less up to a tenth of it at random, so the
 * checks of many endpoints spread out and no gap exceeds the interval; half of that while an unhealthy endpoint
 * is passing checks, so a recovered endpoint is back within {@code interval x healthy}) a GET of the check's
 * path, after the endpoint's path prefix, over a
 * connection of the probe's own pool, in the protocol the provider speaks. At most one check is in flight: the
 * next is scheduled only when one has ended (answered, failed or timed out). Everything happens on the probe's
 * event loop, off every request's path; {@link #stop} ends it there and closes its connections.
 */
final class HealthProbe implements AcquireCallback, UpstreamListener {
    private static final AsciiString GET = AsciiString.cached("GET");
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString HTTPS = AsciiString.cached("https");

    private final EventLoop loop;
    private final NanoClock clock;
    private final UpstreamEndpoint endpoint;
    private final HealthCheckConfig check;
    private final EndpointHealth health;
    private final UpstreamPool pool;
    private final byte[] http1Request;
    private final String path;

    private boolean stopped;
    private boolean inFlight;
    /** An acquire asked of the pool and not yet answered: the next check waits for it instead of asking again. */
    private boolean acquirePending;
    private UpstreamConnection connection;
    private int status;
    private int passes;
    private int failures;
    private ScheduledFuture<?> next;
    private ScheduledFuture<?> timeout;
    private long checks;

    HealthProbe(EventLoop loop, UpstreamEndpoint endpoint, HealthCheckConfig check, ChannelFactory<? extends Channel> channels,
                Http1Limits limits, WriteBufferWaterMark waterMark, NanoClock clock) {
        this.loop = loop;
        this.clock = clock;
        this.endpoint = endpoint;
        this.check = check;
        this.health = endpoint.health();
        this.pool = new UpstreamPool(loop, endpoint, channels, limits, waterMark, clock);
        this.path = new String(endpoint.pathPrefix(), StandardCharsets.US_ASCII) + check.path();
        this.http1Request = ("GET " + path + new String(endpoint.requestLineEnd(), StandardCharsets.US_ASCII)
                + "User-Agent: gozargah-health-check\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Schedules the first check within one interval (spread at random); call on any thread. */
    void start() {
        loop.execute(() -> {
            if (!stopped) {
                long interval = check.interval().toNanos();
                next = loop.schedule(this::check, ThreadLocalRandom.current().nextLong(interval / 10 + 1),
                        TimeUnit.NANOSECONDS);
            }
        });
    }

    /** Ends the probe on its loop: no further check, the one in flight abandoned, its connections closed. */
    void stop() {
        if (loop.isShuttingDown()) {
            return; // the loop's channels close with it
        }
        loop.execute(() -> {
            stopped = true;
            cancel(next);
            cancel(timeout);
            abandon();
            pool.closeIdle();
        });
    }

    /** Checks made so far (read on the probe's loop, or approximately elsewhere). */
    long checks() {
        return checks;
    }

    UpstreamPool pool() {
        return pool;
    }

    private void check() {
        if (stopped) {
            return;
        }
        inFlight = true;
        status = 0;
        checks++;
        timeout = loop.schedule(this::timedOut, check.timeout().toNanos(), TimeUnit.NANOSECONDS);
        if (!acquirePending) {
            acquirePending = true;
            pool.acquire(this);
        }
    }

    @Override
    public void acquired(UpstreamConnection c, boolean reused) {
        acquirePending = false;
        if (stopped || !inFlight) {
            c.close();
            return;
        }
        connection = c;
        c.bind(this, HttpMethod.GET);
        Channel ch = c.channel();
        if (endpoint.protocol().multiplexed()) {
            Http2Headers headers = new DefaultHttp2Headers()
                    .method(GET).scheme(endpoint.tls() ? HTTPS : HTTP).authority(endpoint.http2Authority())
                    .path(path);
            ch.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true), ch.voidPromise());
        } else {
            ByteBuf request = ch.alloc().buffer(http1Request.length).writeBytes(http1Request);
            ch.writeAndFlush(request, ch.voidPromise());
        }
    }

    @Override
    public void acquireFailed(boolean overloaded, String detail) {
        acquirePending = false;
        if (inFlight) {
            ended(false, detail);
        }
    }

    @Override
    public void onResponseHead(ResponseHead head) {
        if (!head.informational()) {
            status = head.status();
        }
    }

    @Override
    public void onResponseContent(ByteBuf in, int length) {
        in.skipBytes(length);
    }

    @Override
    public void onResponseComplete(HeaderBlock trailers) {
        UpstreamConnection c = connection;
        connection = null;
        if (c != null) {
            c.release(true, clock.nanoTime());
        }
        if (inFlight) {
            ended(check.expected(status), "answered " + status + " to GET " + path);
        }
    }

    @Override
    public void onUpstreamFailure(boolean responseStarted, String detail) {
        connection = null;
        if (inFlight) {
            ended(false, detail);
        }
    }

    @Override
    public void onUpstreamReadComplete() {
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
    }

    private void timedOut() {
        timeout = null;
        if (!inFlight) {
            return;
        }
        abandon();
        ended(false, "no answer to GET " + path + " within " + check.timeout().toMillis() + " ms");
    }

    /** Drops the check in flight: its connection closed, a waiting acquire withdrawn. */
    private void abandon() {
        UpstreamConnection c = connection;
        connection = null;
        if (c != null) {
            c.close();
        }
        if (acquirePending && pool.cancel(this)) {
            acquirePending = false;
        }
    }

    private void ended(boolean passed, String why) {
        inFlight = false;
        cancel(timeout);
        timeout = null;
        long now = clock.nanoTime();
        if (passed) {
            failures = 0;
            if (++passes >= check.healthy()) {
                health.healthy(true, now, why);
            }
        } else {
            passes = 0;
            if (++failures >= check.unhealthy()) {
                health.healthy(false, now, why);
            }
        }
        if (!stopped) {
            long interval = check.interval().toNanos();
            if (passes > 0 && !health.healthy()) {
                interval /= 2; // recovering: the passes that confirm it come sooner
            }
            next = loop.schedule(this::check, interval - ThreadLocalRandom.current().nextLong(interval / 10 + 1),
                    TimeUnit.NANOSECONDS);
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}
