package io.gozargah.engine.config;

import java.util.regex.Pattern;

/**
 * Syntax of host names and address literals, checked without any name lookup (a config check must not
 * depend on DNS being up). Accepts a dotted-quad IPv4 address, an IPv6 address without brackets or zone
 * (RFC 4291 §2.2), or a host name of letter-digit-hyphen labels (RFC 1123 §2.1).
 */
final class HostSyntax {
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");

    private HostSyntax() {
    }

    static boolean isValid(String host) {
        return host.indexOf(':') >= 0 ? isIpv6(host) : isIpv4(host) || isHostName(host);
    }

    static boolean isIpv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            // Leading zeros are refused: some resolvers read them as octal.
            if (part.isEmpty() || part.length() > 3 || !DIGITS.matcher(part).matches()
                    || (part.length() > 1 && part.charAt(0) == '0') || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    static boolean isIpv6(String host) {
        int gap = host.indexOf("::");
        if (gap >= 0 && host.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        String head = gap >= 0 ? host.substring(0, gap) : host;
        String tail = gap >= 0 ? host.substring(gap + 2) : "";
        int headGroups = countGroups(head, gap < 0);
        int tailGroups = countGroups(tail, true);
        if (headGroups < 0 || tailGroups < 0) {
            return false;
        }
        int groups = headGroups + tailGroups;
        return gap >= 0 ? groups <= 7 : groups == 8;
    }

    /**
     * Groups in a colon-separated run, or -1 when malformed; an IPv4 tail (only allowed at the very end)
     * counts as two groups.
     */
    private static int countGroups(String run, boolean mayEndInIpv4) {
        if (run.isEmpty()) {
            return 0;
        }
        String[] parts = run.split(":", -1);
        int groups = 0;
        for (int i = 0; i < parts.length; i++) {
            if (mayEndInIpv4 && i == parts.length - 1 && parts[i].indexOf('.') >= 0) {
                if (!isIpv4(parts[i])) {
                    return -1;
                }
                groups += 2;
            } else if (HEX_GROUP.matcher(parts[i]).matches()) {
                groups++;
            } else {
                return -1;
            }
        }
        return groups;
    }

    static boolean isHostName(String host) {
        if (host.isEmpty() || host.length() > 253) {
            return false;
        }
        String[] labels = host.split("\\.", -1);
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        // An all-digit last label would be a mistyped IPv4 address such as 300.1.1.1, not a name.
        return !DIGITS.matcher(labels[labels.length - 1]).matches();
    }
}
