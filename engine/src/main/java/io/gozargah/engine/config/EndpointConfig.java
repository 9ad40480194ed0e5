package io.gozargah.engine.config;

/**
 * One upstream base URL such as {@code http://10.0.0.5:8080/api}.
 *
 * @param scheme     {@code http} or {@code https}
 * @param host       host name or address literal (IPv6 without brackets)
 * @param port       port (default 80 for http, 443 for https)
 * @param pathPrefix path prepended before the service path; empty or starting with '/' and not ending with '/'
 */
public record EndpointConfig(String scheme, String host, int port, String pathPrefix) {

    /** The {@code Host} header value to send upstream. */
    public String authority() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == defaultPort(scheme) ? h : h + ":" + port;
    }

    /** Whether connections to this endpoint use TLS. */
    public boolean tls() {
        return "https".equals(scheme);
    }

    static int defaultPort(String scheme) {
        return "https".equals(scheme) ? 443 : 80;
    }

    @Override
    public String toString() {
        return scheme + "://" + authority() + pathPrefix;
    }
}
