package io.gozargah.engine.config;

import java.time.Duration;
import java.util.List;

/**
 * @param listeners          consumer-facing listeners (at least one)
 * @param eventLoops         event loop threads; 0 means one per available core
 * @param transport          which Netty transport to use
 * @param idleTimeout        a downstream connection with no request in flight is closed after this
 * @param requestHeadTimeout a request head must arrive completely within this (slow-loris guard)
 * @param shutdownGrace      on SIGTERM, how long in-flight requests may take to finish
 */
public record ServerConfig(List<ListenerConfig> listeners, int eventLoops, Transport transport,
                           Duration idleTimeout, Duration requestHeadTimeout, Duration shutdownGrace) {

    public enum Transport { AUTO, EPOLL, IO_URING, NIO }
}
