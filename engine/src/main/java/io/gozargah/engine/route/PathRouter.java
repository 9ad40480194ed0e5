package io.gozargah.engine.route;

import io.netty.buffer.ByteBuf;

/**
 * Maps a request-target to {@code /{provider}/{service}[/rest][?query]} without decoding or allocating.
 *
 * <p>Nothing is decoded, so the upstream receives the rest of the path byte for byte; instead anything
 * that some upstream might decode into an escape from the service prefix is refused (400): dot-segments
 * ({@code .} and {@code ..}, also before a {@code ;} parameter as Tomcat-style servers strip it), encoded
 * dots, slashes, backslashes and control characters ({@code %2e %2f %5c %00}...), raw backslashes, empty
 * segments and malformed percent-encoding. RFC 3986 §3.3 and §5.2.4 define the dot-segments;
 * §2.1 the percent-encoding.
 */
public final class PathRouter {

    /** Routing verdicts. */
    public enum Verdict { ROUTED, BAD_PATH, UNKNOWN_SERVICE }

    private PathRouter() {
    }

    /**
     * Routes the target {@code buf[start, start+length)} against {@code snapshot}, filling {@code match}.
     */
    public static Verdict route(RoutingSnapshot snapshot, ByteBuf buf, int start, int length, RouteMatch match) {
        int end = start + length;
        int pathStart = start;
        if (length == 0) {
            return Verdict.BAD_PATH;
        }
        if (buf.getByte(start) != '/') {
            // absolute-form (RFC 9112 §3.2.2): route by its path; authority- and asterisk-form cannot be routed.
            pathStart = absoluteFormPath(buf, start, end);
            if (pathStart < 0) {
                return Verdict.BAD_PATH;
            }
        }
        int pathEnd = buf.indexOf(pathStart, end, (byte) '?');
        if (pathEnd < 0) {
            pathEnd = end;
            match.queryStart = end;
            match.queryLength = 0;
        } else {
            match.queryStart = pathEnd;
            match.queryLength = end - pathEnd;
        }
        if (!safePath(buf, pathStart, pathEnd)) {
            return Verdict.BAD_PATH;
        }
        // pathStart is '/'; provider segment follows
        int provStart = pathStart + 1;
        int provEnd = segmentEnd(buf, provStart, pathEnd);
        if (provEnd == provStart || provEnd >= pathEnd) {
            return Verdict.UNKNOWN_SERVICE;
        }
        int svcStart = provEnd + 1;
        int svcEnd = segmentEnd(buf, svcStart, pathEnd);
        ServiceRoute service = snapshot.service(buf, provStart, provEnd - provStart, svcStart, svcEnd - svcStart);
        if (service == null) {
            return Verdict.UNKNOWN_SERVICE;
        }
        match.service = service;
        match.restStart = svcEnd;
        match.restLength = pathEnd - svcEnd;
        return Verdict.ROUTED;
    }

    private static int segmentEnd(ByteBuf buf, int from, int pathEnd) {
        int slash = buf.indexOf(from, pathEnd, (byte) '/');
        return slash < 0 ? pathEnd : slash;
    }

    private static int absoluteFormPath(ByteBuf buf, int start, int end) {
        int colon = buf.indexOf(start, end, (byte) ':');
        if (colon < 0 || colon + 2 >= end || buf.getByte(colon + 1) != '/' || buf.getByte(colon + 2) != '/') {
            return -1;
        }
        int slash = buf.indexOf(colon + 3, end, (byte) '/');
        return slash;
    }

    /** Checks every segment of {@code [from, to)}, which starts with '/'. */
    static boolean safePath(ByteBuf buf, int from, int to) {
        int segStart = from + 1;
        for (int i = from + 1; i <= to; i++) {
            byte b = i < to ? buf.getByte(i) : (byte) '/';
            if (b == '/') {
                int segLength = i - segStart;
                if (segLength == 0 && i < to) {
                    return false; // "//": an empty segment some servers collapse and others do not
                }
                if (isDotSegment(buf, segStart, i)) {
                    return false;
                }
                segStart = i + 1;
            } else if (b == '\\' || b < 0x21 || b == 0x7F) {
                return false;
            } else if (b == '%') {
                if (i + 2 >= to) {
                    return false;
                }
                int hi = hexValue(buf.getByte(i + 1));
                int lo = hexValue(buf.getByte(i + 2));
                if (hi < 0 || lo < 0) {
                    return false;
                }
                int decoded = hi << 4 | lo;
                if (decoded == '/' || decoded == '\\' || decoded == '.' || decoded < 0x20 || decoded == 0x7F) {
                    return false;
                }
                i += 2;
            }
        }
        return true;
    }

    /** "." or "..", alone or before a ';' path parameter. */
    private static boolean isDotSegment(ByteBuf buf, int start, int end) {
        int semi = buf.indexOf(start, end, (byte) ';');
        int nameEnd = semi < 0 ? end : semi;
        int n = nameEnd - start;
        if (n == 1) {
            return buf.getByte(start) == '.';
        }
        return n == 2 && buf.getByte(start) == '.' && buf.getByte(start + 1) == '.';
    }

    private static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }
}
