package io.gozargah.engine.cli;

import io.gozargah.engine.config.ConfigLoader;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One in-process execution of the command line: exit code and what went to stdout and stderr. The process
 * exit hook fails the test, since nothing here may end the JVM.
 */
record CommandRun(int exitCode, String out, String err) {

    static CommandRun of(String... args) {
        return with(new GatewayProcess(ConfigLoader::load, code -> fail("exit(" + code + ") called")), args);
    }

    static CommandRun with(GatewayProcess process, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(process, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new CommandRun(code, out.toString(), err.toString());
    }
}
