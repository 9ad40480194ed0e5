package io.gozargah.engine.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A YAML mapping whose keys have been checked against the schema: constructing one rejects unknown keys
 * (listing the allowed ones) and duplicate keys. Readers return the default when a key is absent and throw a
 * located {@link ConfigException} when it is present but wrong. Adding an option is one allowed key and one
 * read.
 */
final class ConfigMap {
    private final ConfigNode self;
    private final Map<String, ConfigNode> entries;

    ConfigMap(ConfigNode self, Map<String, ConfigNode> entries, List<String> allowedKeys) throws ConfigException {
        this.self = self;
        this.entries = entries;
        for (Map.Entry<String, ConfigNode> entry : entries.entrySet()) {
            if (!allowedKeys.contains(entry.getKey())) {
                throw entry.getValue().keyError("unknown key '" + entry.getKey() + "'; allowed: "
                        + String.join(", ", allowedKeys));
            }
        }
    }

    /** The value under {@code key}, or null when absent. */
    ConfigNode optional(String key) {
        return entries.get(key);
    }

    /** The value under {@code key}; absent is an error located at this mapping. */
    ConfigNode required(String key) throws ConfigException {
        ConfigNode value = entries.get(key);
        if (value == null) {
            throw self.keyError("missing required key '" + key + "'");
        }
        return value;
    }

    String string(String key, String defaultValue) throws ConfigException {
        ConfigNode value = entries.get(key);
        return value == null ? defaultValue : value.asString();
    }

    int integer(String key, int defaultValue, int min, int max) throws ConfigException {
        ConfigNode value = entries.get(key);
        return value == null ? defaultValue : value.asInt(min, max);
    }

    long size(String key, long defaultValue, long min, long max) throws ConfigException {
        ConfigNode value = entries.get(key);
        return value == null ? defaultValue : value.asSize(min, max);
    }

    boolean bool(String key, boolean defaultValue) throws ConfigException {
        ConfigNode value = entries.get(key);
        return value == null ? defaultValue : value.asBoolean();
    }

    /** Absent gives {@code defaultValue}, which may be null for options that inherit from elsewhere. */
    Duration duration(String key, Duration defaultValue) throws ConfigException {
        ConfigNode value = entries.get(key);
        return value == null ? defaultValue : value.asDuration();
    }
}
