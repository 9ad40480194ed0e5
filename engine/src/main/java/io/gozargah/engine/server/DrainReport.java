package io.gozargah.engine.server;

/**
 * How a drain ended.
 *
 * @param millis how long it took, from closing the listeners to the last consumer connection closed
 * @param cut    connections still busy at the deadline and closed anyway
 */
public record DrainReport(long millis, int cut) {
}
