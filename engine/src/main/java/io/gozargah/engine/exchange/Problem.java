package io.gozargah.engine.exchange;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Writes the body of a gateway-made error: an RFC 9457 problem document with the transaction id.
 * The detail is a fixed, operator-safe text (never echoes request bytes, so no escaping surprises).
 */
public final class Problem {
    public static final String CONTENT_TYPE = "application/problem+json";

    private static final byte[] DETAIL = "\"detail\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSACTION = "\",\"transaction\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\"}".getBytes(StandardCharsets.US_ASCII);

    private Problem() {
    }

    /** Writes the JSON document for {@code outcome} into {@code out}. */
    public static void writeBody(ByteBuf out, Outcome outcome, String detail, long txMsb, long txLsb) {
        out.writeBytes(outcome.problemPrefix());
        out.writeBytes(DETAIL);
        writeJsonString(out, detail);
        out.writeBytes(TRANSACTION);
        TransactionIds.writeText(out, txMsb, txLsb);
        out.writeBytes(END);
    }

    /** Escapes per RFC 8259 §7; details are ASCII text of our own, but stay correct for anything. */
    private static void writeJsonString(ByteBuf out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.writeByte('\\').writeByte(c);
            } else if (c < 0x20 || c > 0x7E) {
                out.writeByte('\\').writeByte('u');
                String hex = Integer.toHexString(c);
                for (int pad = hex.length(); pad < 4; pad++) {
                    out.writeByte('0');
                }
                out.writeCharSequence(hex, StandardCharsets.US_ASCII);
            } else {
                out.writeByte(c);
            }
        }
    }
}
