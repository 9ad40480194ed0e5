package io.gozargah.engine.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the catalogue keys a provider or a service may carry: {@code title: {fa, en}}, {@code description},
 * {@code owner: {name, contact}}, {@code docs} and {@code tags} (schema in config/gozargah.yaml).
 */
final class ListingReader {
    /** Text shown on a page: long enough for a paragraph, short enough that a catalogue of hundreds stays small. */
    static final int MAX_TITLE = 200;
    static final int MAX_DESCRIPTION = 4000;
    static final int MAX_TAGS = 20;
    /** A tag is a word a query string carries as it is: lower-case letters of any script, digits, '-'. */
    static final Pattern TAG = Pattern.compile("[\\p{Ll}\\p{Lo}\\p{Nd}][\\p{Ll}\\p{Lo}\\p{Nd}\\p{Mn}-]{0,39}");

    private ListingReader() {
    }

    static ListingConfig read(Path file, ConfigMap m) throws ConfigException {
        String titleFa = null;
        String titleEn = null;
        ConfigNode titleNode = m.optional("title");
        if (titleNode != null) {
            ConfigMap title = titleNode.asMap("fa", "en");
            titleFa = text(title.optional("fa"), MAX_TITLE);
            titleEn = text(title.optional("en"), MAX_TITLE);
            if (titleFa == null && titleEn == null) {
                throw titleNode.keyError("give fa, en or both");
            }
        }
        String description = text(m.optional("description"), MAX_DESCRIPTION);
        String ownerName = null;
        String ownerContact = null;
        ConfigNode ownerNode = m.optional("owner");
        if (ownerNode != null) {
            ConfigMap owner = ownerNode.asMap("name", "contact");
            ownerName = text(owner.required("name"), MAX_TITLE);
            ownerContact = text(owner.optional("contact"), MAX_TITLE);
        }
        return new ListingConfig(titleFa, titleEn, description, ownerName, ownerContact, docs(file, m.optional("docs")),
                tags(m.optional("tags")));
    }

    private static String text(ConfigNode node, int max) throws ConfigException {
        if (node == null) {
            return null;
        }
        String text = node.asString().strip();
        if (text.isEmpty()) {
            throw node.error("expected some text, got only white space");
        }
        if (text.length() > max) {
            throw node.error("at most " + max + " characters, got " + text.length());
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && c != '\n') {
                throw node.error("control character U+" + String.format("%04X", (int) c) + " at " + (i + 1));
            }
        }
        return text;
    }

    /**
     * An OpenAPI file beside the config: relative to its folder and inside it (the portal serves the file as it
     * is, so a path must not reach outside), a regular file, named {@code .json}, {@code .yaml} or {@code .yml}.
     */
    private static Path docs(Path file, ConfigNode node) throws ConfigException {
        if (node == null) {
            return null;
        }
        String text = node.asString();
        Path base = file == null || file.toAbsolutePath().getParent() == null ? Path.of("").toAbsolutePath()
                : file.toAbsolutePath().getParent();
        Path docs;
        try {
            docs = Path.of(text);
        } catch (InvalidPathException e) {
            throw node.error("not a usable path: " + e.getReason());
        }
        if (docs.isAbsolute()) {
            throw node.error("a path relative to the config's folder, such as openapi/nocr.yaml; got an absolute one");
        }
        Path resolved = base.resolve(docs).normalize();
        if (!resolved.startsWith(base.normalize())) {
            throw node.error("'" + text + "' leaves the config's folder; the portal serves only files beside it");
        }
        String name = resolved.getFileName() == null ? "" : resolved.getFileName().toString();
        if (!name.endsWith(".json") && !name.endsWith(".yaml") && !name.endsWith(".yml")) {
            throw node.error("an OpenAPI document is .json, .yaml or .yml, got '" + name + "'");
        }
        if (!Files.isRegularFile(resolved)) {
            throw node.error("no such file: " + resolved);
        }
        return resolved;
    }

    private static List<String> tags(ConfigNode node) throws ConfigException {
        if (node == null) {
            return List.of();
        }
        List<ConfigNode> items = node.asList();
        if (items.size() > MAX_TAGS) {
            throw node.error("at most " + MAX_TAGS + " tags, got " + items.size());
        }
        Set<String> tags = new LinkedHashSet<>();
        for (ConfigNode item : items) {
            String tag = item.asString();
            if (!TAG.matcher(tag).matches()) {
                throw item.error("'" + tag + "' is not a tag: 1 to 40 lower-case letters, digits and '-'");
            }
            if (!tags.add(tag)) {
                throw item.error("duplicate tag '" + tag + "'");
            }
        }
        return List.copyOf(new ArrayList<>(tags));
    }
}
