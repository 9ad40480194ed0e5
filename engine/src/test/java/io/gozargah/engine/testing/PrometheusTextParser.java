package io.gozargah.engine.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format 0.0.4, for tests: it rejects what Prometheus rejects (bad
 * names, bad escapes, unparsable values, a TYPE after samples, a family split in two, duplicate series) and
 * checks the summary and histogram conventions (cumulative buckets ending in +Inf equal to _count). Used
 * beside {@code promtool check metrics} where that is installed: no well-kept Java library parses this format
 * (the Prometheus Java client only writes it).
 */
public final class PrometheusTextParser {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(NaN|Inf|[0-9]+(\\.[0-9]*)?([eE][+-]?[0-9]+)?|\\.[0-9]+([eE][+-]?[0-9]+)?)");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "summary", "histogram", "untyped");

    /** One sample: metric name, labels in order, value. */
    public record Sample(String name, Map<String, String> labels, double value) {
        public String label(String name) {
            return labels.get(name);
        }
    }

    /** What was parsed: family types by name, and every sample in order. */
    public record Exposition(Map<String, String> types, List<Sample> samples) {
        /** Samples named {@code name} whose labels include all of {@code match} (name, value pairs). */
        public List<Sample> find(String name, String... match) {
            List<Sample> found = new ArrayList<>();
            for (Sample s : samples) {
                if (!s.name.equals(name)) {
                    continue;
                }
                boolean all = true;
                for (int i = 0; i + 1 < match.length; i += 2) {
                    if (!match[i + 1].equals(s.labels.get(match[i]))) {
                        all = false;
                    }
                }
                if (all) {
                    found.add(s);
                }
            }
            return found;
        }

        /** The one sample matching, or a failure. */
        public double value(String name, String... match) {
            List<Sample> found = find(name, match);
            if (found.size() != 1) {
                throw new AssertionError(found.size() + " samples of " + name + " match " + List.of(match));
            }
            return found.get(0).value;
        }
    }

    private PrometheusTextParser() {
    }

    public static Exposition parse(String text) {
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, Boolean> helped = new HashMap<>();
        List<Sample> samples = new ArrayList<>();
        Set<String> seenSeries = new java.util.HashSet<>();
        Set<String> closedFamilies = new java.util.HashSet<>();
        String currentFamily = null;
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a line feed");
        }
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length - 1; n++) {
            String line = lines[n];
            String where = "line " + (n + 1) + ": " + line;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                    String family = parts[2];
                    require(METRIC_NAME.matcher(family).matches(), "bad metric name", where);
                    if (parts[1].equals("TYPE")) {
                        require(parts.length == 4 && TYPES.contains(parts[3]), "bad type", where);
                        require(!types.containsKey(family), "second TYPE for " + family, where);
                        require(!closedFamilies.contains(family) && !family.equals(currentFamily),
                                "TYPE after samples of " + family, where);
                        types.put(family, parts[3]);
                    } else {
                        require(helped.put(family, true) == null, "second HELP for " + family, where);
                        if (parts.length == 4) {
                            checkEscapes(parts[3], false, where);
                        }
                    }
                }
                continue;
            }
            Sample s = sample(line, where);
            String family = familyOf(s.name, types);
            if (!family.equals(currentFamily)) {
                require(!closedFamilies.contains(family), "samples of " + family + " are not together", where);
                if (currentFamily != null) {
                    closedFamilies.add(currentFamily);
                }
                currentFamily = family;
            }
            require(seenSeries.add(s.name + new TreeMap<>(s.labels)), "duplicate series", where);
            samples.add(s);
        }
        Exposition e = new Exposition(types, samples);
        checkHistograms(e);
        return e;
    }

    private static String familyOf(String name, Map<String, String> types) {
        for (String suffix : new String[]{"_bucket", "_sum", "_count"}) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                String type = types.get(base);
                if ("histogram".equals(type) || ("summary".equals(type) && !suffix.equals("_bucket"))) {
                    return base;
                }
            }
        }
        return name;
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        require(METRIC_NAME.matcher(name).matches(), "bad metric name", where);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                require(eq > 0, "label without '='", where);
                String label = line.substring(i, eq);
                require(LABEL_NAME.matcher(label).matches(), "bad label name " + label, where);
                require(line.charAt(eq + 1) == '"', "label value not quoted", where);
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        require(next == '\\' || next == '"' || next == 'n', "bad escape \\" + next, where);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                }
                require(labels.put(label, value.toString()) == null, "duplicate label " + label, where);
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        require(i < line.length() && line.charAt(i) == ' ', "no space before the value", where);
        String[] rest = line.substring(i + 1).split(" ");
        require(rest.length == 1 || rest.length == 2, "expected value [timestamp]", where);
        require(FLOAT.matcher(rest[0]).matches(), "bad value " + rest[0], where);
        String v = rest[0].replace("Inf", "Infinity");
        return new Sample(name, labels, Double.parseDouble(v));
    }

    private static void checkEscapes(String help, boolean quotes, String where) {
        for (int i = 0; i < help.length(); i++) {
            if (help.charAt(i) == '\\') {
                char next = i + 1 < help.length() ? help.charAt(i + 1) : ' ';
                require(next == '\\' || next == 'n' || (quotes && next == '"'), "bad escape in HELP", where);
                i++;
            }
        }
    }

    /** Buckets cumulative, ending in le="+Inf", equal to _count, per series of every histogram. */
    private static void checkHistograms(Exposition e) {
        e.types.forEach((family, type) -> {
            if (!type.equals("histogram")) {
                return;
            }
            Map<Map<String, String>, List<Sample>> bySeries = new LinkedHashMap<>();
            for (Sample s : e.samples) {
                if (s.name.equals(family + "_bucket")) {
                    Map<String, String> key = new TreeMap<>(s.labels);
                    key.remove("le");
                    bySeries.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
                }
            }
            bySeries.forEach((labels, buckets) -> {
                double previous = 0;
                double previousLe = Double.NEGATIVE_INFINITY;
                for (Sample b : buckets) {
                    double le = Double.parseDouble(b.labels.get("le").replace("Inf", "Infinity"));
                    require(le > previousLe, "buckets out of order", family + labels);
                    require(b.value >= previous, "buckets not cumulative", family + labels);
                    previous = b.value;
                    previousLe = le;
                }
                require(previousLe == Double.POSITIVE_INFINITY, "no +Inf bucket", family + labels);
                double count = e.find(family + "_count").stream()
                        .filter(s -> new TreeMap<>(s.labels).equals(labels)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("no _count for " + family + labels)).value;
                require(count == previous, "+Inf bucket differs from _count", family + labels);
            });
        });
    }

    private static void require(boolean ok, String problem, String where) {
        if (!ok) {
            throw new IllegalArgumentException(problem + " (" + where + ")");
        }
    }
}
