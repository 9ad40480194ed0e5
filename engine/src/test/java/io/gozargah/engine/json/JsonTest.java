package io.gozargah.engine.json;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonTest {

    @Test
    void shouldWriteMembersInOrderWithTheirTypes() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("n", 7);
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("name", "علی");
        object.put("alive", true);
        object.put("inner", inner);
        object.put("none", null);
        assertEquals("{\"name\":\"علی\",\"alive\":true,\"inner\":{\"n\":7},\"none\":null}", Json.write(object));
    }

    @Test
    void shouldEscapeQuotesBackslashesAndControlCharacters() {
        assertEquals("{\"s\":\"a\\\"b\\\\c\\nd\\te\\u0001\"}", Json.write(Map.of("s", "a\"b\\c\nd\te\u0001")));
    }

    @Test
    void shouldWriteListsOfValuesAndObjects() {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("grants", List.of("nocr/identity", Map.of("n", 1)));
        object.put("empty", List.of());
        assertEquals("{\"grants\":[\"nocr/identity\",{\"n\":1}],\"empty\":[]}", Json.write(object));
    }
}
