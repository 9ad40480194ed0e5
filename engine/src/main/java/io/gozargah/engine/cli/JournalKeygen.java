package io.gozargah.engine.cli;

import io.gozargah.engine.journal.CheckpointKeys;
import io.gozargah.engine.subject.SubjectKey;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;

/**
 * The journal's keys, for {@code gozargah keygen --subject-key FILE} and {@code --signing-key FILE}: new files only
 * (a key that replaced another would orphan every subject hash, or every checkpoint, made with it), secrets readable
 * by their owner only.
 */
final class JournalKeygen {
    private JournalKeygen() {
    }

    static int write(CommandSpec spec, String consumer, Path subjectKey, Path signingKey) throws CliFailure {
        if (consumer != null) {
            throw new ParameterException(spec.commandLine(), "--consumer labels an API key; it does not go with"
                    + " --subject-key or --signing-key");
        }
        PrintWriter out = spec.commandLine().getOut();
        try {
            if (subjectKey != null) {
                SubjectKey.generate(subjectKey);
                out.println("Subject key written to " + subjectKey + " (readable by its owner only). Name it in the"
                        + " config as journal.subjectKeyFile; keep a copy: without it no subject can be looked up.");
            }
            if (signingKey != null) {
                Path publicKey = Path.of(signingKey + ".pub");
                String id = CheckpointKeys.generate(signingKey, publicKey);
                out.println("Checkpoint signing key written to " + signingKey + " (readable by its owner only), its"
                        + " public key to " + publicKey + " (key id " + id + "). Name the first in the config as"
                        + " journal.signingKeyFile; give the second to whoever checks the journal (journal verify"
                        + " --public-key).");
            }
        } catch (FileAlreadyExistsException e) {
            throw CliFailure.usage(e.getFile() + " exists: a key is never written over another");
        } catch (IOException e) {
            throw CliFailure.runtime("cannot write the key: " + e, e);
        }
        out.flush();
        return Main.EXIT_OK;
    }
}
