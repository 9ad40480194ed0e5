package io.gozargah.engine.demo;

import com.sun.net.httpserver.HttpExchange;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The government SMS gateway, {@code POST /gateway/send} with {@code {"to":"09121234567","text":"..."}}:
 * 202 with the queued message's id and part count ({@link SmsParts}); 400 for a body that is not such an
 * object, 413 past {@link #MAX_BODY_BYTES}, 415 for a declared content type other than JSON. Nothing is sent.
 */
final class SmsSendEndpoint extends JsonEndpoint {
    static final String PATH = "/gateway/send";
    static final int MAX_BODY_BYTES = 8 * 1024;
    static final int MAX_TEXT_CHARS = 1000;

    /** An Iranian mobile number in national form. */
    private static final Pattern MOBILE = Pattern.compile("09[0-9]{9}");

    SmsSendEndpoint() {
        super(Set.of("POST"));
    }

    @Override
    JsonReply reply(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getRawPath().equals(PATH)) {
            return JsonReply.error(404, "not-found", "the SMS gateway serves " + PATH);
        }
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            return JsonReply.error(415, "unsupported-media-type", "send application/json");
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            return JsonReply.error(413, "body-too-large", "the body may have at most " + MAX_BODY_BYTES + " bytes");
        }
        Object parsed = parse(body);
        if (!(parsed instanceof Map<?, ?> request)) {
            return badBody("the body must be a JSON object {\"to\":\"09xxxxxxxxx\",\"text\":\"...\"}");
        }
        if (!(request.get("to") instanceof String to) || !MOBILE.matcher(to).matches()) {
            return badBody("to must be a mobile number string such as \"09121234567\"");
        }
        if (!(request.get("text") instanceof String text) || text.isEmpty() || text.length() > MAX_TEXT_CHARS) {
            return badBody("text must be a non-empty string of at most " + MAX_TEXT_CHARS + " characters");
        }
        Map<String, Object> queued = new LinkedHashMap<>();
        queued.put("messageId", UUID.randomUUID().toString());
        queued.put("status", "queued");
        queued.put("parts", SmsParts.count(text));
        return JsonReply.of(202, queued);
    }

    /**
     * JSON is (for what a client sends here) a subset of YAML 1.2, so the YAML parser the engine already has
     * reads it. Bytes that are not UTF-8 or text that does not parse yield null.
     */
    private static Object parse(byte[] body) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
            LoadSettings settings = LoadSettings.builder().setAllowDuplicateKeys(false).build();
            return new Load(settings).loadFromString(text);
        } catch (CharacterCodingException | YamlEngineException e) {
            return null;
        }
    }

    private static JsonReply badBody(String message) {
        return JsonReply.error(400, "bad-request", message);
    }
}
