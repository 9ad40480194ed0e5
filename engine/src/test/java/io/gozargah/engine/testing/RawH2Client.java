package io.gozargah.engine.testing;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * HTTP/2 frames written by hand over h2c with prior knowledge, for the attack shapes a well-behaved client
 * library will not send (HEADERS+RST_STREAM loops, endless CONTINUATION, oversized header blocks). Header
 * blocks are HPACK literals without indexing or Huffman coding (RFC 7541 §6.2.2), enough to be decoded. What
 * the server sends is kept frame by frame; its header blocks are decoded with Netty's HPACK decoder (one per
 * connection, in arrival order, as HPACK's dynamic table requires).
 */
public final class RawH2Client implements AutoCloseable {
    public static final int DATA = 0;
    public static final int HEADERS = 1;
    public static final int RST_STREAM = 3;
    public static final int SETTINGS = 4;
    public static final int GOAWAY = 7;
    public static final int WINDOW_UPDATE = 8;
    public static final int CONTINUATION = 9;
    public static final int END_STREAM = 0x1;
    public static final int END_HEADERS = 0x4;

    /** A frame the server sent; {@code headers} is the decoded block of a HEADERS frame, else null. */
    public record Frame(int type, int flags, int stream, byte[] payload, Http2Headers headers) {
        public Frame(int type, int flags, int stream, byte[] payload) {
            this(type, flags, stream, payload, null);
        }

        /** The error code of a GOAWAY frame. */
        public long goAwayCode() {
            return uint32(payload, 4);
        }

        /** The error code of a RST_STREAM frame. */
        public long rstCode() {
            return uint32(payload, 0);
        }

        /** The :status of a response HEADERS frame. */
        public int status() {
            return Integer.parseInt(headers.status().toString());
        }

        public boolean endStream() {
            return (flags & END_STREAM) != 0;
        }

        private static long uint32(byte[] b, int at) {
            return ((b[at] & 0xFFL) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final LinkedBlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    /** Every frame received, in order (the queue above is consumed by {@link #awaitGoAway}). */
    private final List<Frame> received = new ArrayList<>();
    private final DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(false);
    private final Thread reader;
    private volatile boolean closedByPeer;

    public RawH2Client(int port) throws IOException {
        this(null, port);
    }

    /**
     * A client whose socket is bound to {@code local} (null: any), so a test can be another client address: all of
     * 127.0.0.0/8 is loopback on Linux.
     */
    public RawH2Client(String local, int port) throws IOException {
        socket = new Socket();
        if (local != null) {
            socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName(local), 0));
        }
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        socket.setTcpNoDelay(true);
        out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        frame(SETTINGS, 0, 0, new byte[0]);
        flush();
        reader = new Thread(this::read, "raw-h2-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (true) {
                int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7FFFFFFF;
                byte[] payload = new byte[length];
                in.readFully(payload);
                if (type == SETTINGS && (flags & 1) == 0) {
                    synchronized (this) {
                        frame(SETTINGS, 1, 0, new byte[0]);
                        flush();
                    }
                }
                Frame f = new Frame(type, flags, stream, payload, type == HEADERS ? decode(stream, flags, payload)
                        : null);
                frames.add(f);
                synchronized (received) {
                    received.add(f);
                    received.notifyAll();
                }
            }
        } catch (IOException e) {
            closedByPeer = true;
        } finally {
            synchronized (received) {
                received.notifyAll();
            }
        }
    }

    /** The server's header block (never split into CONTINUATION frames by the gateway for these tests). */
    private Http2Headers decode(int stream, int flags, byte[] payload) throws IOException {
        int from = 0;
        int to = payload.length;
        if ((flags & 0x8) != 0) { // PADDED
            from = 1;
            to -= payload[0] & 0xFF;
        }
        if ((flags & 0x20) != 0) { // PRIORITY
            from += 5;
        }
        try {
            return hpack.decodeHeaders(stream, Unpooled.wrappedBuffer(payload, from, to - from));
        } catch (Http2Exception e) {
            throw new IOException("undecodable header block from the server", e);
        }
    }

    /** Writes one frame (buffered; {@link #flush()} sends). */
    public synchronized void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        out.write(payload.length >>> 16);
        out.write(payload.length >>> 8);
        out.write(payload.length);
        out.write(type);
        out.write(flags);
        out.write(stream >>> 24);
        out.write(stream >>> 16);
        out.write(stream >>> 8);
        out.write(stream);
        out.write(payload);
    }

    public synchronized void flush() throws IOException {
        out.flush();
    }

    public void rst(int stream, int code) throws IOException {
        frame(RST_STREAM, 0, stream, uint32(code));
    }

    /** A WINDOW_UPDATE of {@code increment} (31 bits; 0 is the MadeYouReset trigger) on {@code stream}. */
    public void windowUpdate(int stream, int increment) throws IOException {
        frame(WINDOW_UPDATE, 0, stream, uint32(increment));
    }

    private static byte[] uint32(int v) {
        return new byte[]{(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** An HPACK block of literal fields (name, value, name, value...). */
    public static byte[] block(String... fields) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < fields.length; i += 2) {
            b.write(0x00); // literal without indexing, new name
            string(b, fields[i]);
            string(b, fields[i + 1]);
        }
        return b.toByteArray();
    }

    /** A GET of {@code path} with {@code apiKey}. */
    public static byte[] get(String path, String apiKey) {
        return block(":method", "GET", ":scheme", "http", ":path", path, ":authority", "gw", "x-api-key", apiKey);
    }

    private static void string(ByteArrayOutputStream b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        integer(b, bytes.length, 7, 0);
        b.write(bytes, 0, bytes.length);
    }

    /** RFC 7541 §5.1 integer with an {@code n}-bit prefix. */
    private static void integer(ByteArrayOutputStream b, int value, int n, int firstBits) {
        int max = (1 << n) - 1;
        if (value < max) {
            b.write(firstBits | value);
            return;
        }
        b.write(firstBits | max);
        value -= max;
        while (value >= 128) {
            b.write((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        b.write(value);
    }

    /**
     * What a server sent, read as HTTP/2 frames: the whole of {@code bytes} must be frames, or this throws (an
     * HTTP/1.1 answer, say, is not a sequence of frames).
     */
    public static java.util.List<Frame> parseFrames(byte[] bytes) {
        java.util.List<Frame> out = new java.util.ArrayList<>();
        int i = 0;
        while (i < bytes.length) {
            if (bytes.length - i < 9) {
                throw new IllegalArgumentException("a partial frame header at byte " + i + " of " + bytes.length);
            }
            int length = (bytes[i] & 0xFF) << 16 | (bytes[i + 1] & 0xFF) << 8 | (bytes[i + 2] & 0xFF);
            int type = bytes[i + 3] & 0xFF;
            if (type > CONTINUATION || i + 9 + length > bytes.length) {
                throw new IllegalArgumentException("not an HTTP/2 frame at byte " + i + ": "
                        + new String(bytes, i, Math.min(bytes.length - i, 40), StandardCharsets.ISO_8859_1));
            }
            int stream = ((bytes[i + 5] & 0x7F) << 24) | (bytes[i + 6] & 0xFF) << 16 | (bytes[i + 7] & 0xFF) << 8
                    | (bytes[i + 8] & 0xFF);
            out.add(new Frame(type, bytes[i + 4] & 0xFF, stream,
                    java.util.Arrays.copyOfRange(bytes, i + 9, i + 9 + length)));
            i += 9 + length;
        }
        return out;
    }

    /** The next GOAWAY within {@code seconds}, or null (frames before it are dropped). */
    public Frame awaitGoAway(int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            Frame f = frames.poll(50, TimeUnit.MILLISECONDS);
            if (f != null && f.type() == GOAWAY) {
                return f;
            }
        }
        return null;
    }

    /** Frames received so far of {@code type}. */
    public long count(int type) {
        synchronized (received) {
            return received.stream().filter(f -> f.type() == type).count();
        }
    }

    /** The first frame received that matches, waiting up to {@code seconds} for it; null if none came. */
    public Frame await(Predicate<Frame> match, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        synchronized (received) {
            while (true) {
                for (Frame f : received) {
                    if (match.test(f)) {
                        return f;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !reader.isAlive()) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(received, left);
            }
        }
    }

    /** The response HEADERS on {@code stream}, waiting up to {@code seconds}; null if none came. */
    public Frame awaitHeaders(int stream, int seconds) throws InterruptedException {
        return await(f -> f.type() == HEADERS && f.stream() == stream, seconds);
    }

    /** The RST_STREAM the server sent on {@code stream}, waiting up to {@code seconds}; null if none came. */
    public Frame awaitReset(int stream, int seconds) throws InterruptedException {
        return await(f -> f.type() == RST_STREAM && f.stream() == stream, seconds);
    }

    /** The DATA received so far on {@code stream}, as text. */
    public String body(int stream) {
        StringBuilder b = new StringBuilder();
        synchronized (received) {
            for (Frame f : received) {
                if (f.type() == DATA && f.stream() == stream) {
                    b.append(new String(f.payload(), StandardCharsets.UTF_8));
                }
            }
        }
        return b.toString();
    }

    /** Waits up to {@code seconds} for a frame that ends {@code stream} (END_STREAM or RST_STREAM). */
    public boolean awaitStreamEnd(int stream, int seconds) throws InterruptedException {
        return await(f -> f.stream() == stream && (f.type() == RST_STREAM
                || ((f.type() == DATA || f.type() == HEADERS) && f.endStream())), seconds) != null;
    }

    /** Waits up to {@code seconds} for the server to close the connection. */
    public boolean awaitClosed(int seconds) throws InterruptedException {
        reader.join(TimeUnit.SECONDS.toMillis(seconds));
        return closedByPeer;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
