package io.gozargah.engine.config;

/**
 * @param name a label for logs
 * @param host address to bind (e.g. 127.0.0.1, 0.0.0.0, ::)
 * @param port port to bind; 0 picks a free port (tests)
 */
public record ListenerConfig(String name, String host, int port) {
}
