package io.gozargah.codec.http1;

/**
 * The bytes {@link HttpRequestParser} accepts in a request-target (RFC 3986 §2 less the fragment's '#', RFC 9112
 * §3.2), for a front end that receives the target some other way, as HTTP/2's {@code :path}, and must hold it
 * to the same rule: no space, no '#', no control, no non-ASCII byte.
 */
public final class RequestTargetBytes {

    private RequestTargetBytes() {
    }

    /** Whether every character of {@code target} is a request-target byte. */
    public static boolean valid(CharSequence target) {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c > 0xFF || !Ascii.TARGET_CHARS.process((byte) c)) {
                return false;
            }
        }
        return true;
    }
}
