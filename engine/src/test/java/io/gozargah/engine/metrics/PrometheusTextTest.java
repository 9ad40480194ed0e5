package io.gozargah.engine.metrics;

import io.gozargah.engine.testing.PrometheusTextParser;
import io.gozargah.engine.testing.PrometheusTextParser.Exposition;
import io.gozargah.engine.testing.Promtool;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusTextTest {

    @Test
    void shouldEscapeLabelValuesAndHelpSoTheyParseBackUnchanged() throws Exception {
        String odd = "a\\b \"quoted\"\nnext line, استعلام";
        StringBuilder sb = new StringBuilder();
        new PrometheusText(sb)
                .family("gozargah_test_total", "counter", "Help with a backslash \\ and\na line feed.")
                .sample("gozargah_test_total", 3, "provider", odd, "service", "svc");

        assertEquals("# HELP gozargah_test_total Help with a backslash \\\\ and\\na line feed.\n"
                + "# TYPE gozargah_test_total counter\n"
                + "gozargah_test_total{provider=\"a\\\\b \\\"quoted\\\"\\nnext line, استعلام\",service=\"svc\"} 3\n",
                sb.toString());
        Exposition e = PrometheusTextParser.parse(sb.toString());
        assertEquals(odd, e.find("gozargah_test_total").get(0).label("provider"));
        Path promtool = Promtool.find();
        if (promtool != null) {
            Promtool.checkMetrics(promtool, sb.toString());
        }
    }

    @Test
    void shouldWriteSpecialFloatsAsPrometheusReadsThem() {
        assertEquals("NaN", PrometheusText.number(Double.NaN));
        assertEquals("+Inf", PrometheusText.number(Double.POSITIVE_INFINITY));
        assertEquals("-Inf", PrometheusText.number(Double.NEGATIVE_INFINITY));
        assertEquals("42", PrometheusText.number(42.0));
        assertEquals("0.25", PrometheusText.number(0.25));
        assertEquals("1.0E-4", PrometheusText.number(0.0001));
        assertEquals("0.0001", PrometheusText.seconds(100));
        assertEquals("2.5", PrometheusText.seconds(2_500_000));
        assertEquals("10", PrometheusText.seconds(10_000_000));
    }

    @Test
    void shouldPutEachLatencyInTheFirstBucketWhoseBoundHoldsIt() {
        assertEquals(0, LatencyBuckets.index(0));
        assertEquals(0, LatencyBuckets.index(100));
        assertEquals(1, LatencyBuckets.index(101));
        assertEquals(LatencyBuckets.COUNT - 2, LatencyBuckets.index(10_000_000));
        assertEquals(LatencyBuckets.COUNT - 1, LatencyBuckets.index(10_000_001));
        assertEquals("+Inf", LatencyBuckets.le(LatencyBuckets.COUNT - 1));
    }

    @Test
    void shouldHaveTheTestParserRejectWhatPrometheusRejects() {
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("bad-name 1\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("m{l=\"a\\x\"} 1\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("m 1\nm 2\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("m one\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("a 1\nb 1\na{x=\"1\"} 1\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse(
                "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 0\n"));
        assertTrue(PrometheusTextParser.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\n"
                + "h_sum 0.5\nh_count 2\n").types().containsKey("h"));
    }
}
