package io.gozargah.engine.cli;

import io.gozargah.engine.auth.ApiKeys;
import io.gozargah.engine.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code gozargah keygen [--consumer NAME]}: a new API key, and the config line holding its hash. The key is
 * printed once and stored nowhere; the gateway keeps only the hash.
 */
@Command(name = "keygen", description = "Generate an API key and print the config line with its SHA-256 hash.",
        usageHelpAutoWidth = true)
final class KeygenCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--consumer", paramLabel = "NAME", description = "Consumer the key is for (labels the output).")
    private String consumer;

    @Option(names = "--subject-key", paramLabel = "FILE",
            description = "Instead: write a new journal subject key to FILE (for journal.subjectKeyFile).")
    private Path subjectKey;

    @Option(names = "--signing-key", paramLabel = "FILE",
            description = "Instead: write a new Ed25519 checkpoint signing key to FILE (for journal.signingKeyFile) "
                    + "and its public key to FILE.pub.")
    private Path signingKey;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Override
    public Integer call() throws CliFailure {
        if (subjectKey != null || signingKey != null) {
            return JournalKeygen.write(spec, consumer, subjectKey, signingKey);
        }
        // The name goes into a config line: refuse what the config loader would refuse, by the loader's rule.
        if (consumer != null && !ConfigLoader.isName(consumer)) {
            throw new ParameterException(spec.commandLine(),
                    "--consumer: not a consumer name: " + ConfigLoader.badName(consumer));
        }
        String key = ApiKeys.generate();
        String forWhom = consumer == null ? "" : " for consumer " + consumer;
        PrintWriter out = spec.commandLine().getOut();
        out.println("API key" + forWhom + " (shown once: give it to the consumer over a secure channel;");
        out.println("the gateway stores only its hash and cannot show it again):");
        out.println();
        out.println("  " + key);
        out.println();
        out.println("Put its hash in the consumer's entry of the config (several keys may be listed, to rotate):");
        out.println();
        if (consumer != null) {
            out.println("  # consumer " + consumer);
        }
        out.println("  apiKeys: [ \"" + ApiKeys.configHash(key) + "\" ]");
        out.flush();
        return Main.EXIT_OK;
    }
}
