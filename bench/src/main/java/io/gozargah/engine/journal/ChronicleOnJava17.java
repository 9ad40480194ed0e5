package io.gozargah.engine.journal;

/**
 * The JVM options the journal needs on Java 17 (Agrona's Unsafe, Chronicle's reflection), for the forks of the
 * benchmarks that open a journal: the same list as {@code jvm.opens} in the parent pom and
 * {@code scripts/jvm-options}, as constants because an annotation takes nothing else.
 */
public final class ChronicleOnJava17 {
    public static final String MISC = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    public static final String REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    public static final String NIO_CH = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    public static final String SUN_MISC = "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED";
    public static final String JAVAC_FILE = "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED";
    public static final String JAVAC = "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED";
    public static final String LANG = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    public static final String REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    public static final String IO = "--add-opens=java.base/java.io=ALL-UNNAMED";
    public static final String UTIL = "--add-opens=java.base/java.util=ALL-UNNAMED";
    public static final String NIO = "--add-opens=java.base/java.nio=ALL-UNNAMED";
    public static final String NO_ANALYTICS = "-Dchronicle.analytics.disable=true";
    public static final String QUIET_LOG = "-Dlogback.configurationFile=logback-bench.xml";

    private ChronicleOnJava17() {
    }
}
