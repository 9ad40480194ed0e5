package io.gozargah.codec.http1;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Drives a parser over input delivered in fragments, as a channel would (one cumulation buffer, bytes
 * consumed as the parser asks), and writes what it reports as text. Two runs over the same bytes cut
 * differently must write the same text. Every buffer is released.
 */
final class Transcript {

    private final StringBuilder out = new StringBuilder();
    private final StringBuilder body = new StringBuilder();

    private Transcript() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(ISO_8859_1);
    }

    /** {@code input} cut at every offset in {@code cuts} (ascending). */
    static byte[][] split(byte[] input, int... cuts) {
        byte[][] fragments = new byte[cuts.length + 1][];
        int from = 0;
        for (int i = 0; i < cuts.length; i++) {
            fragments[i] = Arrays.copyOfRange(input, from, cuts[i]);
            from = cuts[i];
        }
        fragments[cuts.length] = Arrays.copyOfRange(input, from, input.length);
        return fragments;
    }

    static byte[][] byteByByte(byte[] input) {
        byte[][] fragments = new byte[input.length][];
        for (int i = 0; i < input.length; i++) {
            fragments[i] = new byte[] {input[i]};
        }
        return fragments;
    }

    static String request(Http1Limits limits, byte[]... fragments) {
        HttpRequestParser parser = new HttpRequestParser(limits);
        Transcript t = new Transcript();
        ByteBuf cumulation = PooledByteBufAllocator.DEFAULT.heapBuffer();
        try {
            for (byte[] fragment : fragments) {
                cumulation.writeBytes(fragment);
                if (!t.drainRequests(parser, cumulation)) {
                    break;
                }
            }
            if (parser.error() == null) {
                t.flushBody();
                t.out.append("END ").append(parser.endOfInput()).append(parser.error() == null ? "" : " " + parser.error());
            }
        } finally {
            cumulation.release();
        }
        return t.out.toString();
    }

    static String request(byte[]... fragments) {
        return request(Http1Limits.defaults(), fragments);
    }

    /** Responses to {@code methods} in order; a close follows the last fragment. */
    static String response(List<HttpMethod> methods, byte[]... fragments) {
        HttpResponseParser parser = new HttpResponseParser(Http1Limits.defaults());
        Deque<HttpMethod> pending = new ArrayDeque<>(methods);
        parser.expectResponseTo(pending.isEmpty() ? HttpMethod.GET : pending.poll());
        Transcript t = new Transcript();
        ByteBuf cumulation = PooledByteBufAllocator.DEFAULT.heapBuffer();
        try {
            for (byte[] fragment : fragments) {
                cumulation.writeBytes(fragment);
                if (!t.drainResponses(parser, cumulation, pending)) {
                    break;
                }
            }
            if (parser.error() == null) {
                ParseResult end = parser.endOfInput();
                t.flushBody();
                t.out.append("END ").append(end).append(parser.error() == null ? "" : " " + parser.error());
            }
        } finally {
            cumulation.release();
        }
        return t.out.toString();
    }

    private boolean drainRequests(HttpRequestParser parser, ByteBuf in) {
        for (;;) {
            ParseResult result = parser.parse(in);
            switch (result) {
                case NEED_MORE:
                    // Between messages or in a body the caller may compact; the parser keeps no absolute index.
                    if (!parser.inBody()) {
                        in.discardSomeReadBytes();
                    }
                    return true;
                case HEAD:
                    requestHead(parser.head());
                    break;
                case BODY:
                    consumeBody(in, parser.bodyBytes());
                    break;
                case MESSAGE_COMPLETE:
                    complete(parser.trailers());
                    break;
                default:
                    flushBody();
                    out.append("ERROR ").append(parser.error()).append('\n');
                    return false;
            }
        }
    }

    private boolean drainResponses(HttpResponseParser parser, ByteBuf in, Deque<HttpMethod> pending) {
        boolean interim = false;
        for (;;) {
            ParseResult result = parser.parse(in);
            switch (result) {
                case NEED_MORE:
                    return true;
                case HEAD:
                    interim = parser.head().informational();
                    responseHead(parser.head());
                    break;
                case BODY:
                    consumeBody(in, parser.bodyBytes());
                    break;
                case MESSAGE_COMPLETE:
                    complete(parser.trailers());
                    if (!interim && !pending.isEmpty()) {
                        parser.expectResponseTo(pending.poll());
                    }
                    break;
                default:
                    flushBody();
                    out.append("ERROR ").append(parser.error()).append('\n');
                    return false;
            }
        }
    }

    private void requestHead(RequestHead head) {
        out.append("HEAD ").append(head.method()).append(' ').append(head.methodString()).append(' ')
                .append(head.targetString()).append(" HTTP/1.").append(head.versionMinor())
                .append(" framing=").append(head.framing()).append(" length=").append(head.contentLength())
                .append(" keepAlive=").append(head.keepAlive()).append(" continue=").append(head.expectContinue())
                .append(" hosts=").append(head.hostCount()).append(" headLength=").append(head.headLength())
                .append('\n');
        fields(head.headers());
    }

    private void responseHead(ResponseHead head) {
        out.append("HEAD ").append(head.status()).append(" '").append(head.reason()).append("' HTTP/1.")
                .append(head.versionMinor()).append(" framing=").append(head.framing())
                .append(" length=").append(head.contentLength()).append(" keepAlive=").append(head.keepAlive())
                .append(" headLength=").append(head.headLength()).append('\n');
        fields(head.headers());
    }

    private void fields(HeaderBlock block) {
        for (int i = 0; i < block.size(); i++) {
            out.append("  ").append(block.name(i)).append(": '").append(block.value(i)).append("' id=")
                    .append(block.id(i)).append(block.hopByHop(i) ? " hop-by-hop" : "")
                    .append(block.underscoreInName(i) ? " underscore" : "")
                    .append(" line=").append(block.lineEnd(i) - block.lineStart(i)).append('\n');
        }
    }

    private void consumeBody(ByteBuf in, int n) {
        body.append(in.toString(in.readerIndex(), n, ISO_8859_1));
        in.skipBytes(n);
    }

    private void flushBody() {
        if (body.length() > 0) {
            out.append("BODY '").append(body).append("'\n");
            body.setLength(0);
        }
    }

    private void complete(HeaderBlock trailers) {
        flushBody();
        if (trailers.size() > 0) {
            out.append("TRAILERS\n");
            fields(trailers);
        }
        out.append("COMPLETE\n");
    }
}
