package io.gozargah.engine.portal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The portal's static files, read from the jar once at start: its own script and style sheet, and uPlot's from the
 * {@code org.webjars.npm:uplot} WebJar. Each is served with a strong ETag (its SHA-256) and answered 304 when the
 * browser's copy is current, so no request leaves the machine and a page reload moves only the HTML.
 */
final class PortalAssets {
    static final String UPLOT_VERSION = "1.6.30";
    private static final String WEBJAR = "META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/";

    record Asset(String contentType, byte[] body, String etag) {
    }

    private final Map<String, Asset> assets;

    PortalAssets() {
        assets = Map.of(
                Page.SCRIPT, load("io/gozargah/engine/portal/portal.js", "text/javascript; charset=utf-8"),
                Page.STYLE, load("io/gozargah/engine/portal/portal.css", "text/css; charset=utf-8"),
                StatisticsView.UPLOT_SCRIPT, load(WEBJAR + "uPlot.iife.min.js", "text/javascript; charset=utf-8"),
                StatisticsView.UPLOT_STYLE, load(WEBJAR + "uPlot.min.css", "text/css; charset=utf-8"));
    }

    /** The asset at {@code path}, or null. */
    Asset get(String path) {
        return assets.get(path);
    }

    /** 200 with the asset, or 304 when {@code ifNoneMatch} names its ETag (RFC 9110 §13.1.2). */
    static PortalReply reply(Asset asset, String ifNoneMatch) {
        List<String> headers = List.of("ETag", asset.etag(), "Cache-Control", "no-cache");
        if (ifNoneMatch != null && matches(ifNoneMatch, asset.etag())) {
            return new PortalReply(304, asset.contentType(), new byte[0], headers);
        }
        return new PortalReply(200, asset.contentType(), asset.body(), headers);
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.strip();
            if (c.equals("*") || c.equals(etag) || c.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    private static Asset load(String resource, String contentType) {
        try (InputStream in = PortalAssets.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + resource);
            }
            byte[] body = in.readAllBytes();
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            String etag = "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 22) + "\"";
            return new Asset(contentType, body, etag);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
