package io.gozargah.engine.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CacheDirectivesTest {

    /** The directives of {@code value} read from bytes, after checking that reading its characters agrees. */
    private static CacheDirectives read(String value) {
        CacheDirectives fromChars = new CacheDirectives().parse(value);
        ByteBuf buf = Unpooled.copiedBuffer("xx" + value + "yy", StandardCharsets.ISO_8859_1);
        try {
            CacheDirectives fromBytes = new CacheDirectives().parse(buf, 2, 2 + value.length());
            assertEquals(fromChars.flags(), fromBytes.flags(), value);
            assertEquals(fromChars.maxAge(), fromBytes.maxAge(), value);
            assertEquals(fromChars.sMaxAge(), fromBytes.sMaxAge(), value);
            assertEquals(fromChars.staleIfError(), fromBytes.staleIfError(), value);
            return fromBytes;
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "max-age=60                          | 60",
            "MAX-AGE=\"60\"                      | 60",
            "public,max-age=60,x                 | 60",
            "max-age = 60 ,                      | 60",
            "max-age=2147483648                  | 2147483648",
            "max-age=99999999999999999999        | 2147483648",
            "x=\"max-age=5\", max-age=7          | 7",
            "x=\"a\\\"max-age=5\", max-age=7     | 7",
            "public                              | -1",
            "''                                  | -1",
            "max-age                             | -2",
            "max-age=                            | -2",
            "max-age=\"\"                        | -2",
            "max-age=+5                          | -2",
            "max-age=5s                          | -2",
            "max-age=5 6                         | -2",
            "max-age=\"60                        | -2",
            "max-age=1, max-age=1                | -2",
    })
    void shouldReadMaxAge(String value, long expected) {
        assertEquals(expected, read(value).maxAge());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "no-store                            | 1",
            "No-Cache=\"Set-Cookie, X-Id\"       | 2",
            "private, must-revalidate            | 12",
            "proxy-revalidate,no-store,no-cache  | 19",
            "no-stores, nocache, privately       | 0",
            "x=\"no-store, private\"             | 0",
            "max-age=5 no-store                  | 0",
    })
    void shouldReadFlags(String value, int expected) {
        assertEquals(expected, read(value).flags());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "s-maxage=30, stale-if-error=600     | 30  | 600",
            "S-MaxAge=\"30\"                     | 30  | -1",
            "stale-if-error=soon                 | -1  | -2",
    })
    void shouldReadSMaxAgeAndStaleIfError(String value, long sMaxAge, long staleIfError) {
        CacheDirectives d = read(value);
        assertEquals(sMaxAge, d.sMaxAge());
        assertEquals(staleIfError, d.staleIfError());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "max-age=60 | max-age=60 | -2",
            "public     | max-age=60 | 60",
    })
    void shouldAccumulateSeveralFields(String first, String second, long maxAge) {
        CacheDirectives d = new CacheDirectives().parse(first).parse(second);
        assertEquals(maxAge, d.maxAge());
    }
}
