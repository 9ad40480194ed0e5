package io.gozargah.engine.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * Which build is running: the version and the commit the build wrote into the jar (engine/pom.xml), as
 * {@code gozargah_build_info{version,commit} 1}, so a dashboard or an alert can tell which gateways run what.
 * "unknown" for whatever the build could not say (a build from a copy without git, classes run from an IDE).
 *
 * @param version the Maven project version
 * @param commit  the abbreviated commit id
 */
public record BuildInfo(String version, String commit) implements MetricFamily {
    static final String UNKNOWN = "unknown";

    /** The build of these classes, read from the resources the build wrote. */
    public static BuildInfo current() {
        String version = UNKNOWN;
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/gozargah-build.properties")) {
            if (in != null) {
                properties.load(in);
                version = known(properties.getProperty("version"));
            }
        } catch (IOException e) {
            // a jar that cannot be read from is past reporting; the metric says unknown
        }
        String commit = UNKNOWN;
        try (InputStream in = BuildInfo.class.getResourceAsStream("/gozargah-commit")) {
            if (in != null) {
                commit = known(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
            }
        } catch (IOException e) {
            // as above
        }
        return new BuildInfo(version, commit);
    }

    /** {@code value}, or "unknown" for none or an unfilled {@code ${...}}. */
    private static String known(String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? UNKNOWN : value;
    }

    @Override
    public void write(PrometheusText out) {
        out.family("gozargah_build_info", "gauge", "Always 1; the labels say which build is running.")
                .sample("gozargah_build_info", 1, "version", version, "commit", commit);
    }
}
