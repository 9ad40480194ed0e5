package io.gozargah.engine.accept;

/**
 * What one consumer listener's gate has done, read at scrape time.
 *
 * @param listener              the listener's name
 * @param accepting             false while it has stopped accepting (a cap reached, or no descriptor left)
 * @param refusedAddress        connections closed at once because their address had its cap
 * @param refusedLimit          connections accepted in the same batch as the one that reached a cap, closed
 * @param refusedDescriptors    connections accepted with the spare descriptor and closed: none was left
 * @param pausesLimit           times it stopped accepting at server.maxConnections or its own maxConnections
 * @param pausesDescriptors     times it stopped accepting for a moment because accept failed with no spare
 */
public record ListenerAcceptStats(String listener, boolean accepting, long refusedAddress, long refusedLimit,
                                  long refusedDescriptors, long pausesLimit, long pausesDescriptors) {
}
