package io.gozargah.engine.upstream;

import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.ResponseHead;
import io.netty.buffer.ByteBuf;

/**
 * The exchange an upstream connection currently serves. All calls arrive on the shared event loop.
 */
public interface UpstreamListener {

    /** A response head (interim 1xx or final); views are valid only during the call. */
    void onResponseHead(ResponseHead head);

    /** Response content: the listener takes ownership of {@code content}. */
    void onResponseContent(ByteBuf content);

    /** The response is complete; trailers valid only during the call (empty unless chunked with trailers). */
    void onResponseComplete(HeaderBlock trailers);

    /**
     * The connection failed or sent something unparseable before the response was complete.
     *
     * @param responseStarted whether any byte of a response had arrived
     * @param detail          for logs and problem details
     */
    void onUpstreamFailure(boolean responseStarted, String detail);

    /** A read batch from the upstream ended: the moment to flush what was written to the client. */
    void onUpstreamReadComplete();

    /** The upstream channel's writability changed (request-body backpressure). */
    void onUpstreamWritabilityChanged(boolean writable);
}
