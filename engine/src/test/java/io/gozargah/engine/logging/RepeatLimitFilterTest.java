package io.gozargah.engine.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Repeated warnings from one call site are capped per period, with a count of what was dropped. */
class RepeatLimitFilterTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final LoggerContext context = new LoggerContext();
    private final ListAppender<ILoggingEvent> seen = new ListAppender<>();
    private Logger log;

    @BeforeEach
    void setUp() {
        RepeatLimitFilter filter = new RepeatLimitFilter(now::get);
        filter.setBurst(3);
        filter.setPeriodSeconds(60);
        filter.setContext(context);
        filter.start();
        context.addTurboFilter(filter);
        seen.setContext(context);
        seen.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(seen);
        log = context.getLogger("io.gozargah.test");
    }

    private List<String> messages() {
        return seen.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void shouldDropRepeatsPastTheBurstAndSayHowManyNextPeriod() {
        for (int i = 0; i < 10; i++) {
            log.warn("upstream {} failed", "nocr-" + i);
        }
        log.warn("another site");
        log.info("info is never limited {}", 1);
        log.info("info is never limited {}", 2);
        log.info("info is never limited {}", 3);
        log.info("info is never limited {}", 4);
        assertEquals(List.of("upstream nocr-0 failed", "upstream nocr-1 failed", "upstream nocr-2 failed",
                "another site", "info is never limited 1", "info is never limited 2", "info is never limited 3",
                "info is never limited 4"), messages());

        seen.list.clear();
        now.addAndGet(60_000_000_000L);
        log.warn("upstream {} failed", "nocr-10");
        assertEquals(2, seen.list.size(), messages().toString());
        assertTrue(messages().get(0).startsWith("7 more like the next line were dropped in the last 60 s"),
                messages().get(0));
        assertEquals("upstream nocr-10 failed", messages().get(1));
    }

    @Test
    void shouldWriteJsonLinesWhenAsked() {
        LogLineLayout layout = new LogLineLayout();
        layout.setContext(context);
        layout.setFormat("json");
        layout.start();
        log.error("bad \"thing\" {}", "استعلام", new IllegalStateException("boom"));
        String line = layout.doLayout(seen.list.get(0));
        assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, line);
        assertTrue(line.startsWith("{\"ts\":\""), line);
        assertTrue(line.contains("\"level\":\"ERROR\",\"thread\":\"" + Thread.currentThread().getName()
                + "\",\"logger\":\"io.gozargah.test\",\"msg\":\"bad \\\"thing\\\" استعلام\",\"error\":\""
                + "java.lang.IllegalStateException: boom"), line);
        assertTrue(line.getBytes(StandardCharsets.UTF_8).length > 0);

        LogLineLayout text = new LogLineLayout();
        text.setContext(context);
        text.setPattern("%level %msg%n");
        text.start();
        assertTrue(text.doLayout(seen.list.get(0)).startsWith("ERROR bad \"thing\" استعلام"));
    }
}
