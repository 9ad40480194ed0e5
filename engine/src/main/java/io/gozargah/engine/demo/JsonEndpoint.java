package io.gozargah.engine.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * One demo agency endpoint: checks the method, asks the subclass for a {@link JsonReply} and sends it. A bug
 * in a subclass becomes a 500 JSON error instead of the JDK server silently dropping the connection.
 */
abstract class JsonEndpoint implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(JsonEndpoint.class);

    private final Set<String> methods;

    JsonEndpoint(Set<String> methods) {
        this.methods = Set.copyOf(methods);
    }

    /** The reply to a request whose method is allowed. */
    abstract JsonReply reply(HttpExchange exchange) throws IOException;

    @Override
    public final void handle(HttpExchange exchange) throws IOException {
        try {
            JsonReply reply;
            if (!methods.contains(exchange.getRequestMethod())) {
                reply = methodNotAllowed();
            } else {
                try {
                    reply = reply(exchange);
                } catch (RuntimeException e) {
                    LOG.error("demo endpoint {} failed", exchange.getRequestURI().getRawPath(), e);
                    reply = JsonReply.error(500, "internal-error", "the demo provider failed; see its log");
                }
            }
            reply.send(exchange);
        } finally {
            exchange.close();
        }
    }

    /** RFC 9110 §15.5.6: a 405 carries {@code Allow}. */
    private JsonReply methodNotAllowed() {
        String allow = String.join(", ", methods.stream().sorted().toList());
        JsonReply error = JsonReply.error(405, "method-not-allowed", "allowed: " + allow);
        return new JsonReply(error.status(), error.body(), Map.of("Allow", allow));
    }

    /** The path after {@code prefix}, still percent-encoded, so that "%2F" cannot pass for a separator. */
    static String rawPathAfter(HttpExchange exchange, String prefix) {
        String path = exchange.getRequestURI().getRawPath();
        return path.startsWith(prefix) ? path.substring(prefix.length()) : "";
    }
}
