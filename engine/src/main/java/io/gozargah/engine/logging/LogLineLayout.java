package io.gozargah.engine.logging;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import io.gozargah.engine.json.Json;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gateway's log line: text by {@code pattern}, or with {@code format} json one JSON object per event and
 * line (JSON Lines), for log shippers that parse rather than grep: {@code ts} (ISO-8601 UTC), {@code level},
 * {@code thread}, {@code logger}, {@code msg}, and {@code error} (the stack trace) when there is one. One
 * layout with a switch rather than two appenders, so that the unused one does not trip logback's warnings.
 * Chosen with {@code -Dgozargah.log.format=json}; see logback.xml.
 */
public final class LogLineLayout extends LayoutBase<ILoggingEvent> {
    private String format = "text";
    private String pattern = "%-5level %logger{0}: %msg%n";
    private PatternLayout text;

    /** {@code text} (default) or {@code json}. */
    public void setFormat(String format) {
        this.format = format;
    }

    /** The text line's logback pattern. */
    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    @Override
    public void start() {
        if (!format.equals("json")) {
            if (!format.equals("text")) {
                addWarn("log format '" + format + "' is neither text nor json; writing text");
            }
            text = new PatternLayout();
            text.setContext(getContext());
            text.setPattern(pattern);
            text.start();
        }
        super.start();
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        if (text != null) {
            return text.doLayout(event);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("ts", Instant.ofEpochMilli(event.getTimeStamp()).toString());
        doc.put("level", event.getLevel().toString());
        doc.put("thread", event.getThreadName());
        doc.put("logger", event.getLoggerName());
        doc.put("msg", event.getFormattedMessage());
        IThrowableProxy error = event.getThrowableProxy();
        if (error != null) {
            doc.put("error", ThrowableProxyUtil.asString(error));
        }
        return Json.write(doc) + CoreConstants.LINE_SEPARATOR;
    }

    @Override
    public String getContentType() {
        return text != null ? "text/plain" : "application/x-ndjson";
    }
}
