package io.gozargah.engine.config;

import java.util.Locale;

/**
 * Parses an upstream base URL such as {@code http://10.0.0.5:8080/api} or {@code https://registry.example:8443} into an {@link EndpointConfig}. Done
 * by hand rather than with {@link java.net.URI}, which accepts user-info, empty hosts and registry-based
 * authorities and would need the same checks afterwards.
 */
final class EndpointUrl {
    static final String EXAMPLE = "http://10.0.0.5:8080/api";

    private EndpointUrl() {
    }

    /** @throws IllegalArgumentException with the reason as its message */
    static EndpointConfig parse(String url) {
        int colon = url.indexOf("://");
        String scheme = colon < 0 ? "" : url.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("expected an http:// or https:// URL such as " + EXAMPLE + ", got '"
                    + url + "'");
        }
        String rest = url.substring(colon + 3);
        if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
            throw new IllegalArgumentException("must not have a query or fragment");
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        if (authority.indexOf('@') >= 0) {
            throw new IllegalArgumentException("must not have user information ('user@'); credentials do not belong"
                    + " in the URL");
        }
        String host;
        String portText;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '[' in IPv6 address");
            }
            host = authority.substring(1, close);
            if (!HostSyntax.isIpv6(host)) {
                throw new IllegalArgumentException("bad IPv6 address '" + host + "'");
            }
            String after = authority.substring(close + 1);
            if (!after.isEmpty() && !after.startsWith(":")) {
                throw new IllegalArgumentException("unexpected '" + after + "' after the IPv6 address");
            }
            portText = after.isEmpty() ? null : after.substring(1);
        } else {
            int portColon = authority.indexOf(':');
            if (portColon >= 0 && authority.indexOf(':', portColon + 1) >= 0) {
                throw new IllegalArgumentException("IPv6 addresses must be in brackets, e.g. http://[::1]:8080");
            }
            host = portColon < 0 ? authority : authority.substring(0, portColon);
            portText = portColon < 0 ? null : authority.substring(portColon + 1);
            if (host.isEmpty()) {
                throw new IllegalArgumentException("missing host");
            }
            if (!HostSyntax.isValid(host)) {
                throw new IllegalArgumentException("bad host '" + host + "': expected a host name or address");
            }
        }
        int port = portText == null ? EndpointConfig.defaultPort(scheme) : port(portText);
        String prefix = path.equals("/") ? "" : path;
        if (!prefix.isEmpty()) {
            String problem = UpstreamPath.problem(prefix);
            if (problem != null) {
                throw new IllegalArgumentException("path prefix " + problem);
            }
        }
        return new EndpointConfig(scheme, host.toLowerCase(Locale.ROOT), port, prefix);
    }

    private static int port(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("bad port '" + text + "': expected 1..65535");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 1..65535");
        }
        return port;
    }
}
