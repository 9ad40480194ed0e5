package io.gozargah.engine.admin;

import io.gozargah.engine.json.Json;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One admin answer: status, content type, body, and any extra header fields (name, value pairs).
 */
record AdminReply(int status, String contentType, byte[] body, List<String> headers) {
    static final String JSON = "application/json";
    static final String PROBLEM_JSON = "application/problem+json";

    static AdminReply json(int status, Map<String, ?> document) {
        return new AdminReply(status, JSON, Json.write(document).getBytes(StandardCharsets.UTF_8), List.of());
    }

    static AdminReply text(String contentType, String body) {
        return new AdminReply(200, contentType, body.getBytes(StandardCharsets.UTF_8), List.of());
    }

    /** An RFC 9457 problem document of type {@code urn:gozargah:admin:<code>}. */
    static AdminReply problem(int status, String code, String title, String detail, String... headers) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("type", "urn:gozargah:admin:" + code);
        doc.put("title", title);
        doc.put("status", status);
        doc.put("detail", detail);
        return new AdminReply(status, PROBLEM_JSON, Json.write(doc).getBytes(StandardCharsets.UTF_8),
                List.of(headers));
    }
}
