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

    /**
     * Response content: {@code length} bytes at {@code in}'s reader index, which the listener must consume
     * (copy or slice them) before returning. Leaving the choice to the listener lets small bodies be copied
     * next to their head into one write, and large ones pass as slices without a copy.
     */
    void onResponseContent(ByteBuf in, int length);

    /** The response is complete; trailers valid only during the call (empty unless chunked with trailers). */
    void onResponseComplete(HeaderBlock trailers);

    /**
     * The connection failed or sent something unparseable before the response was complete.
     *
     * @param responseStarted whether any byte of a response had arrived, or on HTTP/2 whether the provider may
     *                        have processed the request (a reset other than REFUSED_STREAM); false means the
     *                        request is safe to send again
     * @param detail          for logs and problem details
     */
    void onUpstreamFailure(boolean responseStarted, String detail);

    /**
     * A read batch from the upstream ended, or content held back while the client was unwritable was delivered
     * on its resuming: the moment to flush what was written to the client.
     */
    void onUpstreamReadComplete();

    /** The upstream channel's writability changed (request-body backpressure). */
    void onUpstreamWritabilityChanged(boolean writable);
}
