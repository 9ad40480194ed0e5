package io.gozargah.engine.demo;

import io.gozargah.engine.json.Json;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A provider's answer: status, JSON body and any extra headers.
 *
 * @param status  HTTP status
 * @param body    the JSON object, in the order it is written
 * @param headers extra response headers (e.g. {@code Allow} on 405)
 */
record JsonReply(int status, Map<String, ?> body, Map<String, String> headers) {
    static final String CONTENT_TYPE = "application/json; charset=utf-8";

    static JsonReply of(int status, Map<String, ?> body) {
        return new JsonReply(status, body, Map.of());
    }

    /** The error shape the demo agencies share: a stable code for programs and a sentence for people. */
    static JsonReply error(int status, String code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        return of(status, body);
    }

    /**
     * Sends this reply. For HEAD the headers, Content-Length included, are those GET would send, without the
     * body (RFC 9110 §9.3.2); the JDK server wants -1 and the length set by hand in that case.
     */
    void send(HttpExchange exchange) throws IOException {
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        headers.forEach(exchange.getResponseHeaders()::set);
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
