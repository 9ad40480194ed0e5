package io.gozargah.bench.http1;

import io.gozargah.codec.http1.BodyFraming;
import io.gozargah.codec.http1.HttpMethod;

import java.nio.charset.StandardCharsets;

/**
 * The requests the HTTP/1.1 parser benchmarks feed to both parsers, byte for byte the same. Shaped like
 * what consumers of the bus send: a client library's usual headers, an API key, a request id and a W3C
 * trace context.
 */
public enum SampleRequest {

    /** An identity inquiry: a 418-byte GET with 8 header fields and no body. */
    GET_8_HEADERS(HttpMethod.GET, "/nocr/identity?nationalId=0012345678&birthDate=1370-01-01",
            "Accept: application/json\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n", 0),

    /** An SMS send: a POST with 8 header fields and a 1024-byte body framed by Content-Length. */
    POST_1K_BODY(HttpMethod.POST, "/sms/send",
            "Accept: application/json\r\nContent-Type: application/json\r\nContent-Length: 1024\r\n", 1024);

    /** Both requests carry these 5 fields; each adds 3 of its own: 8 in all. */
    private static final String COMMON_HEADERS = ""
            + "Host: gateway.gozargah.example\r\n"
            + "User-Agent: snapp-backend/4.12.3 okhttp/4.12.0\r\n"
            + "X-Api-Key: gzk_bench0loopback0only0not0a0secret00000000000\r\n"
            + "X-Request-Id: 7f3c9a52-1b7e-4c1e-9e4b-2d8f6a0c5e91\r\n"
            + "Traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n";

    static final int HEADER_COUNT = 8;

    private final HttpMethod method;
    private final String target;
    private final byte[] bytes;
    private final int bodyLength;

    SampleRequest(HttpMethod method, String target, String specificHeaders, int bodyLength) {
        this.method = method;
        this.target = target;
        this.bodyLength = bodyLength;
        String head = method.name() + ' ' + target + " HTTP/1.1\r\n" + COMMON_HEADERS + specificHeaders + "\r\n";
        this.bytes = (head + jsonBody(bodyLength)).getBytes(StandardCharsets.US_ASCII);
    }

    /** A JSON document of exactly {@code length} bytes (empty for 0). */
    private static String jsonBody(int length) {
        if (length == 0) {
            return "";
        }
        String open = "{\"to\":\"+989121234567\",\"text\":\"";
        String close = "\"}";
        StringBuilder sb = new StringBuilder(length).append(open);
        String filler = "Your inquiry 0012345678 was registered. ";
        while (sb.length() < length - close.length()) {
            sb.append(filler.charAt((sb.length() - open.length()) % filler.length()));
        }
        return sb.append(close).toString();
    }

    /** The whole request, head and body; callers copy it, never change it. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    public HttpMethod method() {
        return method;
    }

    public String target() {
        return target;
    }

    public int bodyLength() {
        return bodyLength;
    }

    public BodyFraming framing() {
        return bodyLength == 0 ? BodyFraming.NONE : BodyFraming.CONTENT_LENGTH;
    }
}
