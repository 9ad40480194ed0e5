package io.gozargah.engine.subject;

import io.netty.util.AsciiString;

/**
 * A request's header fields by name, as a protocol front end has them: the value of the field named
 * {@code lowerCaseName} (compared without regard to case), or null when the request has none. Where a field appears
 * more than once, the first. The value may be a view that the next call re-points: read it before asking again.
 */
@FunctionalInterface
public interface HeaderLookup {
    HeaderLookup NONE = name -> null;

    CharSequence value(AsciiString lowerCaseName);
}
