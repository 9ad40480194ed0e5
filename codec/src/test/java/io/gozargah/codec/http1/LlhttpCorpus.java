package io.gozargah.codec.http1;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads llhttp's Markdown test cases (nodejs/llhttp {@code test/request/*.md}, {@code test/response/*.md}):
 * the heading, the meta comment, the raw input and the expected event log, turned into the messages
 * llhttp saw. Span contents are taken from the input at the logged offset and length, so the log's own
 * string escaping never matters.
 */
final class LlhttpCorpus {

    private static final Pattern META_TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern SPAN = Pattern.compile("^off=(\\d+) len=(\\d+) span\\[([a-z_]+)\\]=");
    private static final Pattern HEADERS_COMPLETE = Pattern.compile("headers complete (?:method=\\d+ )?(?:status=(\\d+) )?");
    private static final Pattern ERROR = Pattern.compile("error code=(\\d+) reason=\"(.*)\"");
    /** llhttp's HPE_PAUSED_UPGRADE and HPE_PAUSED_H2_UPGRADE: not a rejection, the rest is not HTTP/1. */
    private static final int PAUSED_UPGRADE = 22;
    private static final int PAUSED_H2_UPGRADE = 23;

    private LlhttpCorpus() {
    }

    /** One case: where it is, its mode, its bytes and what llhttp reported. */
    static final class Case {
        final String file;
        final String heading;
        final String type;
        final String meta;
        final byte[] input;
        final List<Message> messages = new ArrayList<>();
        /** The error reason when llhttp rejected the input, or null. */
        String rejection;
        /** llhttp stopped at a CONNECT or Upgrade: bytes after the last message are not HTTP/1. */
        boolean pausedForUpgrade;

        Case(String file, String heading, String meta, byte[] input) {
            this.file = file;
            this.heading = heading;
            this.meta = meta;
            Matcher m = META_TYPE.matcher(meta);
            this.type = m.find() ? m.group(1) : "";
            this.input = input;
        }

        /** The messages whose head llhttp completed (a trailing "message begin" alone is not a message). */
        List<Message> headedMessages() {
            List<Message> headed = new ArrayList<>();
            for (Message m : messages) {
                if (m.headed) {
                    headed.add(m);
                }
            }
            return headed;
        }

        String key() {
            return file + " :: " + heading;
        }
    }

    /** What a parser reported for one message; both llhttp's log and our parser fill these. */
    static final class Message {
        String method = "";
        String url = "";
        String version = "";
        int status;
        boolean headed;
        final List<String> headers = new ArrayList<>();
        final List<String> trailers = new ArrayList<>();
        final StringBuilder body = new StringBuilder();

        @Override
        public String toString() {
            return "method=" + method + " url=" + url + " version=" + version + " status=" + status
                    + " headers=" + trimmed(headers) + " trailers=" + trimmed(trailers) + " body='" + body + "'";
        }

        /** "name: value" with the value's surrounding OWS removed (RFC 9110 §5.5); llhttp keeps trailing OWS. */
        private static List<String> trimmed(List<String> fields) {
            List<String> out = new ArrayList<>();
            for (String field : fields) {
                int colon = field.indexOf(": ");
                out.add(field.substring(0, colon) + ": " + field.substring(colon + 2).replaceAll("^[ \t]+|[ \t]+$", ""));
            }
            return out;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Message && toString().equals(o.toString());
        }

        @Override
        public int hashCode() {
            return toString().hashCode();
        }
    }

    static List<Case> read(Path file, String name) throws IOException {
        List<String> lines = Files.readAllLines(file, UTF_8);
        List<Case> cases = new ArrayList<>();
        String heading = "";
        String meta = "";
        Case current = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("#")) {
                heading = line.replaceFirst("^#+\\s*", "").trim();
            } else if (line.startsWith("<!-- meta=")) {
                meta = line;
            } else if (line.equals("```http")) {
                StringBuilder raw = new StringBuilder();
                for (i++; !lines.get(i).equals("```"); i++) {
                    raw.append(lines.get(i)).append('\n');
                }
                current = new Case(name, unique(cases, name, heading), meta, toBytes(raw.toString()));
                cases.add(current);
                meta = "";
            } else if (line.equals("```log") && current != null) {
                List<String> log = new ArrayList<>();
                for (i++; !lines.get(i).equals("```"); i++) {
                    log.add(lines.get(i));
                }
                interpret(current, log);
                if (current.type.endsWith("-finish") && current.heading.contains("unsafe")) {
                    // llhttp's finish() result is checked by its harness, not written to the log; these
                    // cases name it: finishing here is HPE_INVALID_EOF_STATE.
                    current.rejection = "llhttp_finish: invalid EOF state";
                }
                current = null;
            }
        }
        return cases;
    }

    /** Headings repeat in a few files; a number keeps every case addressable in the deviations list. */
    private static String unique(List<Case> cases, String file, String heading) {
        String candidate = heading;
        for (int n = 2; contains(cases, file, candidate); n++) {
            candidate = heading + " #" + n;
        }
        return candidate;
    }

    private static boolean contains(List<Case> cases, String file, String heading) {
        return cases.stream().anyMatch(c -> c.file.equals(file) && c.heading.equals(heading));
    }

    /**
     * The corpus README's recipe: drop one trailing newline, join backslash-continued lines, end every
     * line with CRLF, then unescape {@code \r \n \t \f \xHH} and octal {@code \NNN}.
     */
    static byte[] toBytes(String raw) {
        String text = raw.endsWith("\n") ? raw.substring(0, raw.length() - 1) : raw;
        text = text.replace("\\\n", "").replace("\n", "\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char e = text.charAt(i + 1);
                int skip = escape(text, i + 1, e, out);
                if (skip > 0) {
                    i += skip;
                    continue;
                }
            }
            byte[] encoded = String.valueOf(c).getBytes(UTF_8);
            out.write(encoded, 0, encoded.length);
        }
        return out.toByteArray();
    }

    /** Writes the escape starting at {@code at} (after the backslash); returns how many chars it used, or 0. */
    private static int escape(String text, int at, char e, ByteArrayOutputStream out) {
        switch (e) {
            case 'r':
                out.write('\r');
                return 1;
            case 'n':
                out.write('\n');
                return 1;
            case 't':
                out.write('\t');
                return 1;
            case 'f':
                out.write('\f');
                return 1;
            case 'x':
                if (at + 3 <= text.length() && isHex(text.charAt(at + 1)) && isHex(text.charAt(at + 2))) {
                    // llhttp's harness unescapes into a JavaScript string and sends it UTF-8 encoded (the
                    // logged offsets of "255 ASCII in header value" show it), so \xff is two bytes.
                    byte[] encoded = String.valueOf((char) Integer.parseInt(text.substring(at + 1, at + 3), 16))
                            .getBytes(UTF_8);
                    out.write(encoded, 0, encoded.length);
                    return 3;
                }
                return 0;
            default:
                if (at + 3 <= text.length() && isOctal(text.charAt(at)) && isOctal(text.charAt(at + 1))
                        && isOctal(text.charAt(at + 2))) {
                    out.write(Integer.parseInt(text.substring(at, at + 3), 8));
                    return 3;
                }
                return 0;
        }
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    private static boolean isOctal(char c) {
        return c >= '0' && c <= '7';
    }

    private static void interpret(Case c, List<String> log) {
        Message message = null;
        String lastSpan = "";
        boolean headersDone = false;
        for (String line : log) {
            String event = line.replaceFirst("^off=\\d+ ", "");
            Matcher span = SPAN.matcher(line);
            if (event.equals("message begin")) {
                message = new Message();
                c.messages.add(message);
                headersDone = false;
                lastSpan = "";
            } else if (span.find() && message != null) {
                int off = Integer.parseInt(span.group(1));
                String text = new String(c.input, off, Integer.parseInt(span.group(2)), ISO_8859_1);
                String kind = span.group(3);
                span(message, kind, text, kind.equals(lastSpan), headersDone);
                lastSpan = kind;
            } else if (event.startsWith("headers complete") && message != null) {
                Matcher m = HEADERS_COMPLETE.matcher(event);
                if (m.find() && m.group(1) != null) {
                    message.status = Integer.parseInt(m.group(1));
                }
                headersDone = true;
                message.headed = true;
                lastSpan = "";
            } else if (event.endsWith(" complete")) {
                lastSpan = "";
            } else {
                Matcher m = ERROR.matcher(event);
                if (m.find()) {
                    int code = Integer.parseInt(m.group(1));
                    if (code == PAUSED_UPGRADE || code == PAUSED_H2_UPGRADE) {
                        c.pausedForUpgrade = true;
                    } else {
                        c.rejection = "code=" + code + " " + m.group(2);
                    }
                }
            }
        }
    }

    /** Adds a span; llhttp may cut one value into several spans (pauses), which are joined back. */
    private static void span(Message m, String kind, String text, boolean continues, boolean headersDone) {
        List<String> fields = headersDone ? m.trailers : m.headers;
        switch (kind) {
            case "method":
                m.method += text;
                break;
            case "url":
                m.url += text;
                break;
            case "version":
                m.version += text;
                break;
            case "header_field":
                if (continues) {
                    String name = fields.remove(fields.size() - 1);
                    fields.add(name.substring(0, name.length() - 2) + text + ": ");
                } else {
                    fields.add(text + ": ");
                }
                break;
            case "header_value":
                fields.add(fields.remove(fields.size() - 1) + text);
                break;
            case "body":
                m.body.append(text);
                break;
            default:
                break;
        }
    }
}
