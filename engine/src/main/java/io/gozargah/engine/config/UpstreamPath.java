package io.gozargah.engine.config;

/**
 * Rules for paths the gateway sends upstream: a service's {@code path} and an endpoint's path prefix. The
 * gateway appends the consumer's remaining path to these, so they must be plain, already-normal paths: a
 * dot-segment or an encoded character here could move every request outside the prefix the provider meant
 * to expose.
 */
final class UpstreamPath {

    private UpstreamPath() {
    }

    /** What is wrong with {@code path}, or null when it is acceptable. "/" alone is acceptable. */
    static String problem(String path) {
        if (!path.startsWith("/")) {
            return "must start with '/'";
        }
        if (path.indexOf('?') >= 0 || path.indexOf('#') >= 0) {
            return "must not contain a query ('?') or fragment ('#')";
        }
        if (path.contains("..")) {
            return "must not contain '..'";
        }
        if (path.length() > 1 && path.endsWith("/")) {
            return "must not end with '/'";
        }
        if (path.contains("//")) {
            return "must not contain empty segments ('//')";
        }
        if (path.contains("/./") || path.endsWith("/.")) {
            return "must not contain '.' segments";
        }
        for (int i = 0; i < path.length(); i++) {
            if (!isPathChar(path.charAt(i))) {
                return "must not contain '" + path.charAt(i) + "': only letters, digits, '/' and -._~!$&'()*+,;=:@"
                        + " are allowed (no percent-encoding)";
            }
        }
        return null;
    }

    /** RFC 3986 §3.3 {@code pchar} without pct-encoded, plus '/'. */
    private static boolean isPathChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "/-._~!$&'()*+,;=:@".indexOf(c) >= 0;
    }
}
