package io.gozargah.engine.portal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HtmlTest {
    @Test
    void shouldEscapeEveryCharacterThatOpensMarkupOrClosesAnAttribute() {
        assertEquals("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
                Html.escape("<a href=\"x\" title='y'>&amp;</a>"));
        assertEquals("استعلام هویت", Html.escape("استعلام هویت"), "other text as it is");
    }

    @Test
    void shouldPercentEncodeQueryValues() {
        assertEquals("a+b%26c%3D%22%3C", Html.query(new StringBuilder(), "a b&c=\"<").toString());
    }
}
