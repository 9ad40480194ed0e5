package io.gozargah.engine.subject;

import io.gozargah.engine.config.SubjectConfig;
import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.route.ServiceRoute;
import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;

/**
 * Finds the subject a request is about, as its service's {@link SubjectConfig} says, and puts its keyed hash
 * ({@link SubjectKey}) in the {@link Exchange}, for the journal. One per service in a routing snapshot, shared by
 * the event loops; each thread matches in its own scratch (a byte array of {@code maxLength}, a reused
 * {@link Matcher} over a view of it), so nothing is allocated per request beyond what the pattern's matching needs.
 *
 * <p>What is matched, as the request came, before it is forwarded:
 * <ul>
 *   <li>{@code from: path}: the path after {@code /{provider}/{service}/}, up to {@code ?} or {@code #},
 *       percent-decoded ({@code /nocr/identity/0012345679} gives {@code 0012345679});</li>
 *   <li>{@code from: query}: the value of the first parameter named {@code param}, names and values
 *       percent-decoded and {@code +} read as a space;</li>
 *   <li>{@code from: header}: the value of the named field, without surrounding spaces.</li>
 * </ul>
 * The pattern's one capturing group is the subject, hashed as the bytes it matched (a decoded {@code %xx} is its
 * byte; the pattern sees each byte as the character of that code, so {@code \d} means ASCII digits). No subject
 * (the place is empty or absent, malformed percent-encoding, longer than {@code maxLength}, or the pattern does not
 * match) leaves the exchange without one: the request is served as any other, and journaled with no subject.
 */
public final class SubjectExtractor {
    private final SubjectConfig config;
    private final byte[] kind;
    private final byte[] parameter;
    private final AsciiString header;
    private final SubjectKey key;
    private final ThreadLocal<Scratch> scratch;

    /** A thread's working space for one extractor. */
    private static final class Scratch {
        final byte[] value;
        final ByteView view;
        final Matcher matcher;
        final byte[] hash = new byte[SubjectKey.HASH_LENGTH];
        /** The request target being read: a buffer range, or characters. */
        ByteBuf buf;
        int base;
        CharSequence chars;

        Scratch(SubjectConfig config) {
            value = new byte[config.maxLength()];
            view = new ByteView(value);
            matcher = config.pattern().matcher("");
        }

        int at(int i) {
            return buf != null ? buf.getByte(base + i) & 0xFF : chars.charAt(i);
        }
    }

    public SubjectExtractor(SubjectConfig config, SubjectKey key) {
        this.config = config;
        this.key = key;
        this.kind = config.kind().getBytes(StandardCharsets.US_ASCII);
        this.parameter = config.from() == SubjectConfig.From.QUERY
                ? config.name().getBytes(StandardCharsets.UTF_8) : null;
        this.header = config.from() == SubjectConfig.From.HEADER ? AsciiString.cached(config.name()) : null;
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(config));
    }

    /**
     * What a protocol front end calls once per request, after routing and before the request is forwarded: the
     * subject of the exchange's service, if it has a rule, from the request target
     * {@code target[index, index + length)} (origin or absolute form, as received) and the request's header fields.
     */
    public static void extract(Exchange x, ByteBuf target, int index, int length, HeaderLookup headers) {
        ServiceRoute service = x.service();
        if (service != null && service.subject() != null) {
            service.subject().extractInto(x, target, index, length, headers);
        }
    }

    /** {@link #extract(Exchange, ByteBuf, int, int, HeaderLookup)} for a target held as characters (HTTP/2 :path). */
    public static void extract(Exchange x, CharSequence target, HeaderLookup headers) {
        ServiceRoute service = x.service();
        if (service != null && service.subject() != null) {
            service.subject().extractInto(x, target, headers);
        }
    }

    /** The kind of subject this finds. */
    public String kind() {
        return config.kind();
    }

    /** Sets the exchange's subject hash when the request names a subject; returns whether it did. */
    public boolean extractInto(Exchange x, ByteBuf target, int index, int length, HeaderLookup headers) {
        Scratch s = scratch.get();
        s.buf = target;
        s.base = index;
        s.chars = null;
        try {
            return found(x, s, length, headers);
        } finally {
            s.buf = null;
        }
    }

    /** As {@link #extractInto(Exchange, ByteBuf, int, int, HeaderLookup)}, the target as characters. */
    public boolean extractInto(Exchange x, CharSequence target, HeaderLookup headers) {
        Scratch s = scratch.get();
        s.buf = null;
        s.chars = target;
        try {
            return found(x, s, target.length(), headers);
        } finally {
            s.chars = null;
        }
    }

    private boolean found(Exchange x, Scratch s, int length, HeaderLookup headers) {
        int n = switch (config.from()) {
            case PATH -> pathRest(s, length);
            case QUERY -> queryValue(s, length);
            case HEADER -> headerValue(s, headers);
        };
        if (n < 0) {
            return false;
        }
        s.view.length(n);
        Matcher m = s.matcher.reset(s.view);
        if (!m.find()) {
            return false;
        }
        int start = m.start(1);
        int end = m.end(1);
        if (start < 0 || end <= start) {
            return false;
        }
        key.hash(kind, s.value, start, end - start, s.hash);
        x.subjectHash(bigEndian(s.hash, 0), bigEndian(s.hash, 8));
        return true;
    }

    /** Where the path starts: 0 in origin form, after the authority in absolute form; -1 when there is none. */
    private static int pathStart(Scratch s, int length) {
        if (length > 0 && s.at(0) == '/') {
            return 0;
        }
        for (int i = 0; i + 2 < length; i++) {
            if (s.at(i) == ':' && s.at(i + 1) == '/' && s.at(i + 2) == '/') {
                for (int j = i + 3; j < length; j++) {
                    int c = s.at(j);
                    if (c == '/') {
                        return j;
                    }
                    if (c == '?' || c == '#') {
                        return -1;
                    }
                }
                return -1;
            }
        }
        return -1;
    }

    private int pathRest(Scratch s, int length) {
        int p = pathStart(s, length);
        if (p < 0) {
            return -1;
        }
        int end = p + 1;
        while (end < length && s.at(end) != '?' && s.at(end) != '#') {
            end++;
        }
        int from = p + 1;
        for (int segment = 0; segment < 2; segment++) {
            while (from < end && s.at(from) != '/') {
                from++;
            }
            if (from == end) {
                return -1; // /{provider}/{service} with nothing after it
            }
            from++;
        }
        return decode(s, from, end, false);
    }

    private int queryValue(Scratch s, int length) {
        int p = Math.max(0, pathStart(s, length));
        int q = p;
        while (q < length && s.at(q) != '?' && s.at(q) != '#') {
            q++;
        }
        if (q == length || s.at(q) != '?') {
            return -1;
        }
        int end = q + 1;
        while (end < length && s.at(end) != '#') {
            end++;
        }
        for (int a = q + 1; a < end; ) {
            int b = a;
            while (b < end && s.at(b) != '&') {
                b++;
            }
            int eq = a;
            while (eq < b && s.at(eq) != '=') {
                eq++;
            }
            if (nameMatches(s, a, eq)) {
                return eq == b ? 0 : decode(s, eq + 1, b, true);
            }
            a = b + 1;
        }
        return -1;
    }

    private boolean nameMatches(Scratch s, int from, int to) {
        int n = decode(s, from, to, true);
        if (n != parameter.length) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (s.value[i] != parameter[i]) {
                return false;
            }
        }
        return true;
    }

    private int headerValue(Scratch s, HeaderLookup headers) {
        CharSequence v = headers.value(header);
        if (v == null) {
            return -1;
        }
        int from = 0;
        int to = v.length();
        while (from < to && isSpace(v.charAt(from))) {
            from++;
        }
        while (to > from && isSpace(v.charAt(to - 1))) {
            to--;
        }
        if (to - from > s.value.length) {
            return -1;
        }
        for (int i = from; i < to; i++) {
            char c = v.charAt(i);
            if (c > 0xFF) {
                return -1;
            }
            s.value[i - from] = (byte) c;
        }
        return to - from;
    }

    /**
     * Percent-decodes {@code [from, to)} of the target into the scratch value; {@code plusIsSpace} for query
     * components. Returns the decoded length, or -1 when it is malformed or longer than the value's room.
     */
    private static int decode(Scratch s, int from, int to, boolean plusIsSpace) {
        byte[] out = s.value;
        int n = 0;
        for (int i = from; i < to; i++) {
            if (n == out.length) {
                return -1;
            }
            int c = s.at(i);
            if (c == '%') {
                if (i + 2 >= to) {
                    return -1;
                }
                int hi = Character.digit(s.at(i + 1), 16);
                int lo = Character.digit(s.at(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return -1;
                }
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else if (c > 0xFF) {
                return -1;
            } else {
                out[n++] = (byte) (plusIsSpace && c == '+' ? ' ' : c);
            }
        }
        return n;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    private static long bigEndian(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | b[at + i] & 0xFFL;
        }
        return v;
    }

    /** Bytes seen as the characters of their codes (ISO-8859-1), for the matcher; its length changes per use. */
    private static final class ByteView implements CharSequence {
        private final byte[] bytes;
        private int length;

        ByteView(byte[] bytes) {
            this.bytes = bytes;
        }

        void length(int n) {
            this.length = n;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(int index) {
            if (index >= length) {
                throw new IndexOutOfBoundsException(index);
            }
            return (char) (bytes[index] & 0xFF);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return toString().substring(start, end);
        }

        @Override
        public String toString() {
            return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        }
    }
}
