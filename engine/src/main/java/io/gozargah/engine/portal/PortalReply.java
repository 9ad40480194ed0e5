package io.gozargah.engine.portal;

import io.gozargah.engine.json.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One portal answer: status, content type, body, and any extra header fields (name, value pairs). The security
 * fields every answer carries are added by {@link PortalConnection}.
 */
record PortalReply(int status, String contentType, byte[] body, List<String> headers) {
    static final String HTML = "text/html; charset=utf-8";
    static final String JSON = "application/json";
    static final String PROBLEM_JSON = "application/problem+json";

    static PortalReply html(int status, String page) {
        return new PortalReply(status, HTML, page.getBytes(StandardCharsets.UTF_8), List.of());
    }

    static PortalReply json(Map<String, ?> document) {
        return new PortalReply(200, JSON, Json.write(document).getBytes(StandardCharsets.UTF_8), List.of());
    }

    /** An RFC 9457 problem document of type {@code urn:gozargah:portal:<code>}. */
    static PortalReply problem(int status, String code, String title, String detail, String... headers) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("type", "urn:gozargah:portal:" + code);
        doc.put("title", title);
        doc.put("status", status);
        doc.put("detail", detail);
        return new PortalReply(status, PROBLEM_JSON, Json.write(doc).getBytes(StandardCharsets.UTF_8),
                List.of(headers));
    }

    /** A 303 to {@code location} (after a form POST: the browser then GETs it). */
    static PortalReply seeOther(String location, String... headers) {
        List<String> fields = new ArrayList<>(List.of(headers));
        fields.add("Location");
        fields.add(location);
        return new PortalReply(303, "text/plain; charset=utf-8", new byte[0], fields);
    }

    /** This reply with more header fields. */
    PortalReply with(String... more) {
        List<String> fields = new ArrayList<>(headers);
        fields.addAll(List.of(more));
        return new PortalReply(status, contentType, body, fields);
    }
}
