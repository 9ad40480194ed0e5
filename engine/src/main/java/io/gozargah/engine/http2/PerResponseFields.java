package io.gozargah.engine.http2;

import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.util.AsciiString;

/**
 * The response fields whose value is new in (nearly) every response, which the HPACK encoder is told never to
 * index: {@code x-gozargah-transaction} and {@code traceparent} (unique per exchange), {@code ratelimit} (the
 * remaining quota and reset time) and {@code retry-after} (seconds to the next token). Indexing them would add an
 * entry per response to the client's dynamic table and push out the entries that do repeat ({@code content-type},
 * {@code ratelimit-policy}, {@code server}...), which then go out as literals again (RFC 7541 §7.1.3); Netty's
 * encoder would also allocate a table entry per indexed field and keep the value alive until it is evicted.
 *
 * <p>Netty's detector can only choose "never indexed" (RFC 7541 §6.2.3) over indexing; it takes as many bytes as
 * "without indexing" (§6.2.2, the same 4-bit prefix), and the one difference, that an intermediary must not index
 * the field either, is right for values that never repeat. Every other field (the provider's among them) is
 * indexed as Netty's encoder decides.
 */
final class PerResponseFields implements Http2HeadersEncoder.SensitivityDetector {
    static final PerResponseFields INSTANCE = new PerResponseFields();

    private static final AsciiString TRANSACTION = AsciiString.cached("x-gozargah-transaction");
    private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
    private static final AsciiString RATELIMIT = AsciiString.cached("ratelimit");
    private static final AsciiString RETRY_AFTER = AsciiString.cached("retry-after");

    private PerResponseFields() {
    }

    @Override
    public boolean isSensitive(CharSequence name, CharSequence value) {
        // The length picks the names worth comparing (a provider field of another length costs one switch).
        switch (name.length()) {
            case 22:
                return TRANSACTION.contentEqualsIgnoreCase(name);
            case 11:
                return TRACEPARENT.contentEqualsIgnoreCase(name) || RETRY_AFTER.contentEqualsIgnoreCase(name);
            case 9:
                return RATELIMIT.contentEqualsIgnoreCase(name);
            default:
                return false;
        }
    }
}
