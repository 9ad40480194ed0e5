package io.gozargah.codec.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gozargah.codec.http1.HttpMethod;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MethodCodeTest {

    @Test
    void shouldRoundTripEveryMethodThroughADistinctCode() {
        Set<Integer> codes = new HashSet<>();
        for (HttpMethod method : EnumSet.allOf(HttpMethod.class)) {
            int code = MethodCode.of(method);
            assertEquals(method, MethodCode.toMethod(code));
            codes.add(code);
        }
        assertEquals(HttpMethod.values().length, codes.size());
    }

    @Test
    void shouldKeepThePersistedCodes() {
        assertEquals(1, MethodCode.of(HttpMethod.GET));
        assertEquals(3, MethodCode.of(HttpMethod.POST));
        assertEquals(9, MethodCode.of(HttpMethod.CONNECT));
        assertEquals(255, MethodCode.of(HttpMethod.OTHER));
        assertEquals(HttpMethod.OTHER, MethodCode.toMethod(MethodCode.UNKNOWN));
    }
}
