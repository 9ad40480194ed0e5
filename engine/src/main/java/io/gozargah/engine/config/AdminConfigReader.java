package io.gozargah.engine.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the {@code admin:} section (schema in config/gozargah.yaml). */
final class AdminConfigReader {
    private AdminConfigReader() {
    }

    static AdminConfig read(Path file, ConfigNode node) throws ConfigException {
        ConfigMap m = node.asMap("listen", "token", "tokenFile", "maxConnections", "idleTimeout",
                "requestHeadTimeout", "subjectResults");
        String host = AdminConfig.DEFAULT_HOST;
        int port = AdminConfig.DEFAULT_PORT;
        ConfigNode listen = m.optional("listen");
        if (listen != null) {
            InetSocketAddress address = listen(listen);
            host = address.getHostString();
            port = address.getPort();
        }
        ConfigNode tokenNode = m.optional("token");
        ConfigNode tokenFileNode = m.optional("tokenFile");
        if (tokenNode != null && tokenFileNode != null) {
            throw tokenFileNode.keyError("give token or tokenFile, not both");
        }
        String token;
        if (tokenNode != null) {
            token = tokenNode.asString();
            check(tokenNode, token, "token");
        } else if (tokenFileNode != null) {
            Path tokenFile = Path.of(tokenFileNode.asString());
            if (!tokenFile.isAbsolute() && file != null && file.toAbsolutePath().getParent() != null) {
                tokenFile = file.toAbsolutePath().getParent().resolve(tokenFile);
            }
            try {
                token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw tokenFileNode.error("cannot read " + tokenFile + ": " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            }
            check(tokenFileNode, token, "the token in " + tokenFile);
        } else {
            throw node.keyError("token or tokenFile is required: the admin API reloads and drains the gateway");
        }
        return new AdminConfig(host, port, token,
                m.integer("maxConnections", AdminConfig.DEFAULT_MAX_CONNECTIONS, 1, 65_535),
                m.duration("idleTimeout", AdminConfig.DEFAULT_IDLE_TIMEOUT),
                m.duration("requestHeadTimeout", AdminConfig.DEFAULT_REQUEST_HEAD_TIMEOUT),
                m.integer("subjectResults", AdminConfig.DEFAULT_SUBJECT_RESULTS, 1, AdminConfig.MAX_SUBJECT_RESULTS));
    }

    /**
     * A {@code listen: HOST:PORT} value (IPv6 in brackets), checked for syntax only: nothing is looked up. The
     * result is unresolved.
     */
    static InetSocketAddress listen(ConfigNode listen) throws ConfigException {
        String text = listen.asString();
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw listen.error("expected HOST:PORT such as 127.0.0.1:9090 or [::1]:9090, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw listen.error("an IPv6 address needs brackets: [" + host + "]:PORT");
        }
        if (!HostSyntax.isValid(host)) {
            throw listen.error("bad host '" + host + "': expected an IPv4 or IPv6 address or a host name");
        }
        String portText = text.substring(colon + 1);
        if (!portText.matches("[0-9]{1,5}") || Integer.parseInt(portText) > 65535) {
            throw listen.error("bad port '" + portText + "': expected 0..65535");
        }
        return InetSocketAddress.createUnresolved(host, Integer.parseInt(portText));
    }

    /** Sent as {@code Authorization: Bearer <token>}: visible ASCII only (RFC 6750 §2.1 b64token and more). */
    private static void check(ConfigNode node, String token, String what) throws ConfigException {
        if (token.length() < AdminConfig.MIN_TOKEN_LENGTH) {
            throw node.error(what + " is shorter than " + AdminConfig.MIN_TOKEN_LENGTH + " characters");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                throw node.error(what + " may hold only visible ASCII characters (no spaces)");
            }
        }
    }
}
