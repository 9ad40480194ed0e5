package io.gozargah.engine.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * A YAML node together with where it is: the file, its 1-based line and its dotted field path. Every typed
 * read either returns a value or throws a {@link ConfigException} that names all three, so the schema code
 * in {@link ConfigLoader} never deals with marks or paths itself.
 */
final class ConfigNode {
    /** Names of providers, services, consumers and listeners: they become URL path segments and labels. */
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    /**
     * Durations bigger than this are a typo, not an intent, and would overflow nanosecond arithmetic at the
     * callers' end long before they made sense.
     */
    static final Duration MAX_DURATION = Duration.ofDays(7);

    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,19}");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,12})(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,19})(KiB|MiB|GiB)?");
    private static final Pattern DECIMAL_SIZE = Pattern.compile("[0-9]+ ?(?i:kb|mb|gb|k|m|g)");

    private final Path file;
    private final Node node;
    private final String path;
    private final int keyLine;

    /**
     * @param keyLine line of the mapping key this node is the value of, or 0 for list items and the root
     */
    ConfigNode(Path file, Node node, String path, int keyLine) {
        this.file = file;
        this.node = node;
        this.path = path;
        this.keyLine = keyLine;
    }

    String path() {
        return path;
    }

    /** The file the node was read from (null when parsed from text), against which relative paths resolve. */
    Path file() {
        return file;
    }

    int line() {
        return lineOf(node);
    }

    static int lineOf(Node node) {
        return node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
    }

    /** A problem with this node's value. */
    ConfigException error(String reason) {
        return new ConfigException(file, line(), path, reason);
    }

    /**
     * A problem with this node as a whole (unknown key, missing child): located at its key, which is where a
     * reader looks for {@code server:} rather than at its first child.
     */
    ConfigException keyError(String reason) {
        return new ConfigException(file, keyLine > 0 ? keyLine : line(), path, reason);
    }

    /** Whether the value is a mapping (as opposed to a scalar or a list). */
    boolean isMapping() {
        return node instanceof MappingNode;
    }

    boolean isNull() {
        return node instanceof ScalarNode scalar && Tag.NULL.equals(scalar.getTag());
    }

    /** A mapping whose keys must all be among {@code allowedKeys}; an empty value counts as an empty mapping. */
    ConfigMap asMap(String... allowedKeys) throws ConfigException {
        return new ConfigMap(this, entries(false), List.of(allowedKeys));
    }

    /** Reads one entry of a {@code name -> thing} section. */
    @FunctionalInterface
    interface EntryReader<T> {
        T read(String name, ConfigNode value) throws ConfigException;
    }

    /**
     * A {@code name -> thing} section: keys must be names (see {@link #NAME}); each value is read by
     * {@code reader}. Unmodifiable, in file order; an empty value counts as an empty mapping.
     */
    <T> Map<String, T> asNamedMap(EntryReader<T> reader) throws ConfigException {
        Map<String, T> result = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> entry : entries(true).entrySet()) {
            result.put(entry.getKey(), reader.read(entry.getKey(), entry.getValue()));
        }
        return Collections.unmodifiableMap(result);
    }

    private Map<String, ConfigNode> entries(boolean keysAreNames) throws ConfigException {
        if (isNull()) {
            return Map.of();
        }
        if (!(node instanceof MappingNode mapping)) {
            throw error("expected a mapping of keys to values, got " + describe());
        }
        Map<String, ConfigNode> entries = new LinkedHashMap<>();
        Map<String, Integer> firstLines = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode keyScalar) || Tag.NULL.equals(keyNode.getTag())) {
                throw new ConfigException(file, lineOf(keyNode), path, "keys must be plain names");
            }
            String key = keyScalar.getValue();
            String keyPath = child(key);
            Integer first = firstLines.putIfAbsent(key, lineOf(keyNode));
            if (first != null) {
                throw new ConfigException(file, lineOf(keyNode), keyPath, "duplicate key (first at line " + first + ")");
            }
            if (keysAreNames && !NAME.matcher(key).matches()) {
                throw new ConfigException(file, lineOf(keyNode), keyPath, ConfigLoader.badName(key));
            }
            entries.put(key, new ConfigNode(file, tuple.getValueNode(), keyPath, lineOf(keyNode)));
        }
        return entries;
    }

    /** A sequence; an empty value counts as an empty list. */
    List<ConfigNode> asList() throws ConfigException {
        if (isNull()) {
            return List.of();
        }
        if (!(node instanceof SequenceNode sequence)) {
            throw error("expected a list, got " + describe());
        }
        List<ConfigNode> items = new ArrayList<>(sequence.getValue().size());
        for (Node item : sequence.getValue()) {
            items.add(new ConfigNode(file, item, path + "[" + items.size() + "]", 0));
        }
        return items;
    }

    /** A non-empty scalar's text, whatever YAML type it resolved to ({@code port: "80"} and {@code port: 80} alike). */
    String asString() throws ConfigException {
        if (!(node instanceof ScalarNode scalar) || isNull()) {
            throw error("expected a single value, got " + describe());
        }
        if (scalar.getValue().isEmpty()) {
            throw error("expected a value, got an empty string");
        }
        return scalar.getValue();
    }

    /** A decimal integer in {@code [min, max]}. */
    long asLong(long min, long max) throws ConfigException {
        String text = scalarOr("an integer");
        if (!INTEGER.matcher(text).matches()) {
            throw error("expected an integer, got '" + text + "'");
        }
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw error("integer out of range: " + text);
        }
        if (value < min || value > max) {
            throw error(value + " is out of range " + min + ".." + max);
        }
        return value;
    }

    int asInt(int min, int max) throws ConfigException {
        return (int) asLong(min, max);
    }

    /** {@code true} or {@code false}, nothing else (YAML 1.1's yes/no/on/off are refused rather than guessed). */
    boolean asBoolean() throws ConfigException {
        String text = scalarOr("true or false");
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw error("expected true or false, got '" + text + "'");
        };
    }

    /** An integer with a unit: {@code ms}, {@code s}, {@code m} or {@code h}; more than zero, at most 7 days. */
    Duration asDuration() throws ConfigException {
        Duration duration = duration();
        if (duration.isZero()) {
            throw error("duration must be more than zero");
        }
        return duration;
    }

    /**
     * As {@link #asDuration}, for options where zero means "never": {@code 0} (no unit needed) or zero in any unit
     * is {@link Duration#ZERO}.
     */
    Duration asDurationOrZero() throws ConfigException {
        if (node instanceof ScalarNode scalar && "0".equals(scalar.getValue())) {
            return Duration.ZERO;
        }
        return duration();
    }

    private Duration duration() throws ConfigException {
        String text = scalarOr("a duration such as 250ms, 2s, 1m");
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw error("expected a duration such as 250ms, 2s, 1m (units ms, s, m, h), got '" + text + "'");
        }
        long amount = Long.parseLong(m.group(1));
        Duration duration = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        if (duration.compareTo(MAX_DURATION) > 0) {
            throw error("duration must be at most 7 days (168h), got " + text);
        }
        return duration;
    }

    /**
     * A byte count: a plain integer, or an integer with a binary unit {@code KiB}, {@code MiB}, {@code GiB}
     * (1024-based). Decimal units (KB, MB) are refused rather than guessed, since readers disagree on them.
     */
    long asSize(long min, long max) throws ConfigException {
        String text = scalarOr("a size such as 8192, 32KiB, 10MiB");
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            if (DECIMAL_SIZE.matcher(text).matches()) {
                throw error("ambiguous unit in '" + text + "': use KiB, MiB or GiB (1024-based) or a plain byte count");
            }
            throw error("expected a size such as 8192, 32KiB, 10MiB (units KiB, MiB, GiB), got '" + text + "'");
        }
        int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "KiB" -> 10;
            case "MiB" -> 20;
            default -> 30;
        };
        long amount;
        try {
            amount = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw error("size out of range: " + text);
        }
        if (amount > (max >> shift)) {
            throw error(text + " is more than the most allowed, " + max + " bytes");
        }
        long bytes = amount << shift;
        if (bytes < min) {
            throw error(text + " is less than the least allowed, " + min + " bytes");
        }
        return bytes;
    }

    private String scalarOr(String expected) throws ConfigException {
        if (!(node instanceof ScalarNode scalar) || isNull()) {
            throw error("expected " + expected + ", got " + describe());
        }
        return scalar.getValue();
    }

    private String describe() {
        if (isNull()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case MAPPING -> "a mapping";
            case SEQUENCE -> "a list";
            default -> "'" + ((ScalarNode) node).getValue() + "'";
        };
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
