package io.gozargah.engine.config;

import java.util.regex.Pattern;

/**
 * Where a service's requests name the person or company they are about (a national code, a postal code), for the
 * journal's keyed subject hash.
 *
 * @param from      where the subject is: the path after {@code /{provider}/{service}/}, a query parameter, or a
 *                  header field
 * @param name      the query parameter's name (from QUERY), or the header field's name in lower case (from HEADER);
 *                  null for PATH
 * @param pattern   matched against the (percent-decoded) path rest, parameter value or field value; its one
 *                  capturing group is the subject. A request it does not match names no subject (and is served
 *                  as usual)
 * @param kind      what the subject is ({@code national-code}, {@code postal-code}): part of the hashed input, so the
 *                  same digits as two kinds are two subjects
 * @param maxLength the longest subject, in bytes, and the longest value looked at: a longer one names none
 */
public record SubjectConfig(From from, String name, Pattern pattern, String kind, int maxLength) {
    /** Where the subject is taken from. */
    public enum From {
        PATH, QUERY, HEADER
    }

    /** Kinds: lower-case words joined by '-'; never a zero byte, which separates kind and subject in the hash. */
    public static final Pattern KIND = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    public static final int DEFAULT_MAX_LENGTH = 64;
    public static final int MAX_MAX_LENGTH = 1024;
    /** Without a pattern (query and header), the whole value is the subject. */
    public static final String WHOLE_VALUE = "^(.+)$";
}
