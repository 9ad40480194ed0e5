package io.gozargah.engine.cache;

/**
 * What a service's cache did for one exchange, for the journal, the metrics and the consumer's
 * {@code X-Gozargah-Cache} field. An exchange of a service without a cache, or one the cache could not answer by its
 * nature (not GET or HEAD, a body, a {@code Range}), has none (null).
 */
public enum CacheResult {
    /** Not in the cache: the provider was asked, and its answer kept when it could be. */
    MISS(1, "miss", "miss"),
    /** Served from the cache, fresh. */
    HIT(2, "hit", "cached"),
    /** Waited for an identical inquiry already on its way to the provider, and was given a copy of its answer. */
    COALESCED(3, "coalesced", "coalesced"),
    /** The provider failed; an answer past its freshness was served, as the service's staleIfError allows. */
    STALE(4, "stale", "stale");

    private static final CacheResult[] BY_CODE = {null, MISS, HIT, COALESCED, STALE};

    private final int code;
    private final String headerValue;
    private final String journalName;

    CacheResult(int code, String headerValue, String journalName) {
        this.code = code;
        this.headerValue = headerValue;
        this.journalName = journalName;
    }

    /** The journal's code (1-4; 0 is "no cache result"). */
    public int code() {
        return code;
    }

    /** The value of {@code X-Gozargah-Cache} and of the metrics' {@code result} label. */
    public String headerValue() {
        return headerValue;
    }

    /** The name the journal's readers print ({@code journal tail}, {@code journal report}). */
    public String journalName() {
        return journalName;
    }

    /** The result of journal code {@code code}, or null for 0 and codes this version does not know. */
    public static CacheResult ofCode(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
