package io.gozargah.engine.cluster;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The script {@code lease-sync.lua} (beside this class): one grant's lease, give-back, write-back and demand
 * report in one atomic step on Redis. Run by its SHA-1 ({@code EVALSHA}); a server that does not know it yet
 * (a new or restarted Redis, a failover) answers {@code NOSCRIPT}, and the script is then sent whole
 * ({@code EVAL}, which also caches it there).
 */
public final class LeaseSync {
    static final String SCRIPT = load();
    static final String SHA = sha1(SCRIPT);

    /** What one run answered. */
    public record Result(long taken, long dayUsed, long monthUsed, double totalDemand, int nodes) {
    }

    /** The arguments of one run, in the script's order (see the script's header). */
    public record Call(String[] keys, String[] args) {
    }

    private LeaseSync() {
    }

    /** Runs {@code call}; completes with its result, or exceptionally when Redis could not run it. */
    public static CompletionStage<Result> run(RedisScriptingAsyncCommands<String, String> redis, Call call) {
        CompletableFuture<List<Object>> first = redis.<List<Object>>evalsha(SHA, ScriptOutputType.MULTI,
                call.keys(), call.args()).toCompletableFuture();
        return first.handle((result, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(result);
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause()
                    : error;
            if (cause instanceof RedisNoScriptException || String.valueOf(cause.getMessage()).startsWith("NOSCRIPT")) {
                return redis.<List<Object>>eval(SCRIPT, ScriptOutputType.MULTI, call.keys(), call.args())
                        .toCompletableFuture();
            }
            return CompletableFuture.<List<Object>>failedFuture(cause);
        }).thenCompose(f -> f).thenApply(LeaseSync::parse);
    }

    static Result parse(List<Object> reply) {
        return new Result(number(reply.get(0)), number(reply.get(1)), number(reply.get(2)),
                Double.parseDouble(String.valueOf(reply.get(3))), (int) number(reply.get(4)));
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(o));
    }

    private static String load() {
        try (InputStream in = LeaseSync.class.getResourceAsStream("lease-sync.lua")) {
            if (in == null) {
                throw new IllegalStateException("lease-sync.lua is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
