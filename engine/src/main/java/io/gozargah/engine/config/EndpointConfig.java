package io.gozargah.engine.config;

/**
 * One upstream base URL such as {@code http://10.0.0.5:8080/api}.
 *
 * @param scheme     {@code http} (https arrives with the TLS work)
 * @param host       host name or address literal (IPv6 without brackets)
 * @param port       port (default 80 for http)
 * @param pathPrefix path prepended before the service path; empty or starting with '/' and not ending with '/'
 */
public record EndpointConfig(String scheme, String host, int port, String pathPrefix) {

    /** The {@code Host} header value to send upstream. */
    public String authority() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == 80 && "http".equals(scheme) ? h : h + ":" + port;
    }

    @Override
    public String toString() {
        return scheme + "://" + authority() + pathPrefix;
    }
}
