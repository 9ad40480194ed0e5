package io.gozargah.engine.admin;

/**
 * What the admin API needs of a request, copied out of the parse buffer (the admin path is not hot).
 *
 * @param method        the method token as sent
 * @param path          the target up to '?'
 * @param query         the target after '?', or null when it has none
 * @param authorization the first {@code Authorization} field value, or null
 */
record AdminRequest(String method, String path, String query, String authorization) {
}
