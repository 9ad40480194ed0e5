package io.gozargah.engine.config;

import java.time.Duration;

/**
 * HTTP/2 limits of the consumer side (RFC 9113 §6.5.2 settings we advertise, and the flood defences of
 * Netty's codec). Defaults are in {@link #defaults()} and documented in config/gozargah.yaml.
 *
 * @param maxConcurrentStreams          SETTINGS_MAX_CONCURRENT_STREAMS; Netty's default advertises no limit
 * @param maxHeaderListSize             SETTINGS_MAX_HEADER_LIST_SIZE in bytes (decoded size, RFC 9113 §6.5.2);
 *                                      a header list a quarter past it ends the connection
 * @param maxFrameSize                  SETTINGS_MAX_FRAME_SIZE (16384..16777215)
 * @param initialWindowSize             SETTINGS_INITIAL_WINDOW_SIZE: request body bytes a stream may send
 *                                      before the gateway has passed them upstream
 * @param maxRstFramesPerWindow         RST_STREAM frames a client may send per {@code rstFramesWindow}
 *                                      before the connection is closed with GOAWAY (Rapid Reset, CVE-2023-44487)
 * @param maxProvokedRstFramesPerWindow RST_STREAM frames the gateway may send per {@code rstFramesWindow} for
 *                                      a client's fault (a stream error it caused, a malformed request) before
 *                                      the connection is closed with GOAWAY (MadeYouReset, CVE-2025-8671)
 * @param rstFramesWindow               the window of both counts
 * @param maxDrainedResponseBytes       response bytes read and dropped after a client resets a stream whose
 *                                      request had gone upstream whole, so that the upstream connection can be
 *                                      reused; a longer answer (or one slower than the service's response
 *                                      timeout) closes it
 * @param maxSmallContinuationFrames    CONTINUATION frames of under 8 KiB in one header block (CONTINUATION flood)
 * @param maxConsecutiveEmptyDataFrames empty DATA frames in a row without END_STREAM (CVE-2019-9518)
 * @param maxQueuedControlFrames        SETTINGS/PING/RST acknowledgements queued while the client does not read
 *                                      (SETTINGS and PING floods, CVE-2019-9512, CVE-2019-9515)
 */
public record Http2Config(int maxConcurrentStreams, int maxHeaderListSize, int maxFrameSize, int initialWindowSize,
                          int maxRstFramesPerWindow, int maxProvokedRstFramesPerWindow, Duration rstFramesWindow,
                          long maxDrainedResponseBytes, int maxSmallContinuationFrames,
                          int maxConsecutiveEmptyDataFrames, int maxQueuedControlFrames) {

    public static Http2Config defaults() {
        return new Http2Config(100, 32 * 1024, 16384, 64 * 1024, 200, 100, Duration.ofSeconds(30), 64 * 1024, 16, 2,
                10_000);
    }
}
