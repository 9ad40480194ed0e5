package io.gozargah.engine.cli;

import io.gozargah.engine.journal.JournalException;
import io.gozargah.engine.journal.JournalReader;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the journal a {@code journal} command reads is: {@code --journal DIR}, or the {@code journal.dir} of
 * {@code --config FILE}, or by default that of the demo configuration ({@link DemoCommand#defaultConfig}).
 */
final class JournalLocation {
    @Option(names = {"-j", "--journal"}, paramLabel = "DIR",
            description = "The journal directory (the one holding queue/).")
    private Path journal;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Read the journal directory from this configuration's journal.dir. Default: the demo "
                    + "configuration, config/demo.yaml under $GOZARGAH_HOME or the working directory.")
    private Path config;

    /**
     * Opens the journal read-only.
     *
     * @throws CliFailure exit 2 when the options or the configuration are wrong, 1 when the journal cannot be read
     */
    JournalReader open(Map<String, String> environment) throws CliFailure {
        Path dir = directory(environment);
        try {
            return JournalReader.open(dir);
        } catch (JournalException e) {
            throw CliFailure.runtime(e.getMessage(), e);
        }
    }

    Path directory(Map<String, String> environment) throws CliFailure {
        if (journal != null && config != null) {
            throw CliFailure.badConfig("give --journal or --config, not both", null);
        }
        if (journal != null) {
            return journal;
        }
        return journalDir(config != null ? config : DemoCommand.defaultConfig(environment));
    }

    /**
     * The file the configuration's {@code journal.FIELD} names (resolved against the configuration's folder, as the
     * gateway does), or null when it names none: the configuration of {@code --config}, or the demo's when neither
     * {@code --config} nor {@code --journal} is given.
     */
    Path configuredFile(Map<String, String> environment, String field) throws CliFailure {
        if (journal != null && config == null) {
            return null;
        }
        Path file = config != null ? config : DemoCommand.defaultConfig(environment);
        Object root;
        try {
            root = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(Files.readString(file));
        } catch (IOException | YamlEngineException e) {
            return null; // the journal's own location reports what is wrong with the file
        }
        Object value = root instanceof Map<?, ?> top && top.get("journal") instanceof Map<?, ?> section
                ? section.get(field) : null;
        if (!(value instanceof String text) || text.isBlank()) {
            return null;
        }
        try {
            Path base = file.toAbsolutePath().getParent();
            return (base == null ? Path.of(text) : base.resolve(text)).normalize();
        } catch (InvalidPathException e) {
            throw CliFailure.badConfig(file + ": journal." + field + ": not a valid path: " + e.getReason(), e);
        }
    }

    /**
     * The {@code journal.dir} of {@code file}; a relative one is resolved against the file's folder, as the
     * gateway does.
     */
    static Path journalDir(Path file) throws CliFailure {
        Object root;
        try {
            root = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw CliFailure.badConfig(file + ": no such file", e);
        } catch (IOException e) {
            throw CliFailure.badConfig(file + ": cannot read: " + e.getMessage(), e);
        } catch (YamlEngineException e) {
            throw CliFailure.badConfig(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        Object dir = root instanceof Map<?, ?> top && top.get("journal") instanceof Map<?, ?> section
                ? section.get("dir") : null;
        if (!(dir instanceof String text) || text.isBlank()) {
            throw CliFailure.badConfig(file + ": no journal.dir: this configuration keeps no journal (name one with"
                    + " --journal DIR)", null);
        }
        try {
            Path base = file.toAbsolutePath().getParent();
            return (base == null ? Path.of(text) : base.resolve(text)).normalize();
        } catch (InvalidPathException e) {
            throw CliFailure.badConfig(file + ": journal.dir: not a valid path: " + e.getReason(), e);
        }
    }
}
