package io.gozargah.engine.subject;

/**
 * A request's header fields by name, as a protocol front end has them: the value of the field named
 * {@code lowerCaseName}, or null when the request has none. Where a field appears more than once, the first.
 */
@FunctionalInterface
public interface HeaderLookup {
    HeaderLookup NONE = name -> null;

    CharSequence value(CharSequence lowerCaseName);
}
