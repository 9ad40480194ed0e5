package io.gozargah.engine.exchange;

import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.ResponseHead;
import io.netty.buffer.ByteBuf;

/**
 * What {@link ProxyExchange} asks of the protocol the consumer speaks: render what it decided, and control the
 * reading of the request. An HTTP/1.1 connection implements it for its one exchange at a time; an HTTP/2 stream
 * for its own. Every call arrives on the connection's event loop, in the order of the exchange's lifecycle.
 *
 * <p>For each method, what each protocol does:
 * <ul>
 *   <li>Rendering: HTTP/1.1 writes text into the connection's gathering buffer (a status line, the fields, its own
 *       framing: {@code Content-Length}, chunked, {@code Connection}); HTTP/2 writes HEADERS and DATA frames
 *       through the connection's encoder, with pre-encoded names.</li>
 *   <li>Reading: HTTP/1.1 stops parsing and turns auto-read off; HTTP/2 stops returning the stream's consumed
 *       bytes ({@code consumeBytes}), so no WINDOW_UPDATE lets the client send more.</li>
 *   <li>Writability: HTTP/1.1 is the channel's; HTTP/2 the stream's window in the remote flow controller
 *       together with the connection's buffer.</li>
 * </ul>
 */
public interface ClientSide {

    /** How the front end ends an exchange it cannot finish; HTTP/2 sends it as the RST_STREAM code (RFC 9113 §7). */
    enum Abort {
        /** The client's request is complete enough; the rest is not wanted (RFC 9113 §8.1). */
        NO_ERROR,
        /** The request was malformed (RFC 9113 §8.1.1): counts against the client's provoked resets. */
        PROTOCOL_ERROR,
        /** The gateway, or the provider behind it, failed mid-response. */
        INTERNAL_ERROR,
        /** The gateway gives up on the exchange (a deadline passed). */
        CANCEL
    }

    /**
     * The provider's final response head: its status, the fields {@link ResponseFields} passes and the gateway's
     * ({@link ProxyExchange#writeResponseFields}). HTTP/1.1 also chooses its framing to the client; HTTP/2 ends the
     * stream on the HEADERS when the response has no body.
     */
    void sendResponseHead(ResponseHead head);

    /** An interim response (1xx other than 100, which is the gateway's own): HTTP/1.1 passes 103 on, HTTP/2 drops it. */
    void sendInformational(ResponseHead head);

    /** Response content: {@code length} bytes at {@code in}'s reader index, which must be consumed (copied or sliced). */
    void sendResponseContent(ByteBuf in, int length);

    /** The end of the provider's response, with its trailers (empty unless it sent some). */
    void sendResponseEnd(HeaderBlock trailers);

    /**
     * An answer made by the gateway: {@code status}, the fields {@link ProxyExchange#writeAnswerFields} adds, and the
     * problem document {@code body} (the front end owns it and releases it; it is not sent when {@code withBody} is
     * false, for HEAD).
     */
    void sendAnswer(int status, ByteBuf body, boolean withBody);

    /** {@code 100 Continue}: the client may send the body it holds back (HTTP/1.0 clients are not told). */
    void sendContinue();

    /** Writes out what was rendered (HTTP/1.1: the gathering buffer and a flush; HTTP/2: a flush of the encoder). */
    void flush();

    /**
     * Whether the driver, having admitted a request, waits for {@link ProxyExchange#dispatch} before it asks for an
     * upstream connection: HTTP/1.1 no; HTTP/2 yes, until the end of the read batch, so that a RST_STREAM or a
     * stream error in the same batch (Rapid Reset, MadeYouReset) ends the stream before it takes, writes to or
     * costs an upstream connection.
     */
    boolean acquiresAfterRead();

    /** The request side cannot take more now: stop reading the body (see the class comment). */
    void pauseReading();

    /** The request side can take more: read and deliver what is buffered, then from the network. */
    void resumeReading();

    /** Whether the client takes what is written to it now (its channel, or its stream's window). */
    boolean clientWritable();

    /**
     * The rest of the request will not be read for this exchange: HTTP/1.1 cannot tell the client to stop, so it
     * says {@code Connection: close} in the answer (called before the answer is rendered) and closes after it;
     * HTTP/2 sends RST_STREAM with {@code code} once the answer is flushed.
     */
    void declineRequestRest(Abort code);

    /**
     * Whether this protocol reads and drops a refused request's rest (up to {@code limits.maxDiscardBytes}) to
     * keep the client's connection: HTTP/1.1 yes, since closing costs the client a new connection; HTTP/2 no,
     * since {@link #declineRequestRest} ends the stream at once and costs nothing else.
     */
    boolean discardsRequestRest();

    /**
     * This exchange ends the client's connection once it is answered (a throttled authentication failure):
     * HTTP/1.1 answers with {@code Connection: close} and closes; HTTP/2 sends GOAWAY after the read batch.
     * Called before the answer is rendered.
     */
    void closeAfterExchange();

    /**
     * The exchange cannot end normally: HTTP/1.1 flushes what is written and closes the connection (the client
     * sees a truncated response); HTTP/2 resets the stream with {@code code}. The driver has completed the
     * exchange; the front end reports the close or reset back with {@link ProxyExchange#onClientGone}.
     */
    void abort(Abort code);

    /**
     * A stage could not record the exchange (the journal had no room): its answer must not reach the client, who
     * would hold a transaction id the journal lacks. Whatever is not flushed is dropped and the connection closed
     * (HTTP/2: the whole connection, before the stream's last frame is flushed).
     */
    void withhold();

    /**
     * The exchange is over on both sides: HTTP/1.1 keeps the connection alive (or closes it, as the exchange or the
     * client asked) and goes on parsing pipelined requests; HTTP/2 forgets the stream. {@code nowNanos} is a
     * reading of the loop's clock taken as the exchange ended, which the connection's idle deadline starts from.
     */
    void exchangeOver(long nowNanos);
}
