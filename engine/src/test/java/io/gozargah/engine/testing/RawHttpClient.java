package io.gozargah.engine.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A blocking HTTP/1.1 client over a plain socket on 127.0.0.1, for exact bytes in and a simple, separate
 * reading of what comes back (independent of the gateway's own codec).
 */
public final class RawHttpClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttpClient(int port) throws IOException {
        this(null, port, 0);
    }

    /**
     * A client whose socket is bound to {@code local} (null: any), so a test can be another client address: all
     * of 127.0.0.0/8 is loopback on Linux.
     */
    public RawHttpClient(String local, int port) throws IOException {
        this(local, port, 0);
    }

    /**
     * A client whose socket receive buffer is {@code receiveBufferBytes} (set before connecting, so the kernel does
     * not grow it), or the system's when 0: a client that reads little holds little in its kernel buffer.
     */
    public RawHttpClient(int port, int receiveBufferBytes) throws IOException {
        this(null, port, receiveBufferBytes);
    }

    private RawHttpClient(String local, int port, int receiveBufferBytes) throws IOException {
        socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        if (local != null) {
            socket.bind(new java.net.InetSocketAddress(InetAddress.getByName(local), 0));
        }
        // Untimed: a timed connect polls, and would report a reset that arrives right after the handshake
        // (a connection the gateway refuses at once) as a failed connect instead of a closed connection.
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = new java.io.BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public RawHttpClient send(String raw) throws IOException {
        return send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttpClient send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    /** Sets how long a read may block before it throws {@link SocketTimeoutException} (10 s by default). */
    public RawHttpClient soTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
        return this;
    }

    public OutputStream output() {
        return out;
    }

    public InputStream input() {
        return in;
    }

    /** Reads one response (its body per its framing; none when {@code headRequest}). 1xx are returned too. */
    public Response read(boolean headRequest) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new EOFException("connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        List<String[]> headers = new ArrayList<>();
        for (String l = line(); l != null && !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            headers.add(new String[] {l.substring(0, colon), l.substring(colon + 1).trim()});
        }
        Response r = new Response(statusLine, status, headers);
        if (headRequest || status / 100 == 1 || status == 204 || status == 304) {
            return r.withBody(new byte[0], List.of());
        }
        String te = r.header("Transfer-Encoding");
        String cl = r.header("Content-Length");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            List<String[]> trailers = new ArrayList<>();
            while (true) {
                String size = line();
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    for (String l = line(); l != null && !l.isEmpty(); l = line()) {
                        int colon = l.indexOf(':');
                        trailers.add(new String[] {l.substring(0, colon), l.substring(colon + 1).trim()});
                    }
                    break;
                }
                body.write(in.readNBytes(n));
                line();
            }
            return r.withBody(body.toByteArray(), trailers);
        }
        if (cl != null) {
            return r.withBody(in.readNBytes(Integer.parseInt(cl)), List.of());
        }
        return r.withBody(in.readAllBytes(), List.of());
    }

    public Response read() throws IOException {
        return read(false);
    }

    /** Reads the final response, skipping interim 1xx ones. */
    public Response readFinal() throws IOException {
        Response r;
        do {
            r = read(false);
        } while (r.status() / 100 == 1);
        return r;
    }

    /** True when the server has closed the connection (reads EOF within the socket timeout). */
    public boolean closedByPeer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A response as read. */
    public record Response(String statusLine, int status, List<String[]> headers, byte[] body, List<String[]> trailers) {
        Response(String statusLine, int status, List<String[]> headers) {
            this(statusLine, status, headers, new byte[0], List.of());
        }

        Response withBody(byte[] b, List<String[]> t) {
            return new Response(statusLine, status, headers, b, t);
        }

        public String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        public int count(String name) {
            int n = 0;
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    n++;
                }
            }
            return n;
        }

        public String trailer(String name) {
            for (String[] h : trailers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
