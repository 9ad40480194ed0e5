package io.gozargah.engine.portal;

import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the portal needs of a request, copied out of the parse buffer (the portal is not on the gateway's hot path).
 *
 * @param method  the method token as sent
 * @param path    the target up to '?'
 * @param query   the target after '?', or "" when it has none
 * @param headers the first value of each field the portal reads, by lower-case name
 * @param body    the request body (a sign-in form), at most {@link PortalConnection#MAX_BODY_BYTES}
 * @param client  the client's address
 */
record PortalRequest(String method, String path, String query, Map<String, String> headers, byte[] body,
                     InetAddress client) {
    /** The first value of {@code name} (lower case), or null. */
    String header(String name) {
        return headers.get(name);
    }

    /** The query's parameters (first value of each); a malformed escape leaves the parameter out. */
    Map<String, String> parameters() {
        return form(query);
    }

    /** The body as {@code application/x-www-form-urlencoded} parameters (first value of each). */
    Map<String, String> formBody() {
        return form(new String(body, StandardCharsets.UTF_8));
    }

    /** The value of cookie {@code name}, or null (RFC 6265 §5.4: {@code name=value; name2=value2}). */
    String cookie(String name) {
        String cookies = header("cookie");
        if (cookies == null) {
            return null;
        }
        for (String pair : cookies.split(";")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).strip().equals(name)) {
                return pair.substring(eq + 1).strip();
            }
        }
        return null;
    }

    static Map<String, String> form(String text) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return parameters;
        }
        for (String pair : text.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                parameters.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // a malformed %-escape: the parameter is left out, as if not sent
            }
        }
        return parameters;
    }
}
