package io.gozargah.engine.cli;

import io.gozargah.engine.auth.ApiKeys;
import io.gozargah.engine.config.ConsumerConfig;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.GrantConfig;
import io.gozargah.engine.demo.DemoConsumers;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What {@code gozargah demo} prints once it listens: where, who may call what with which key, and curl lines
 * to paste. Grants are read from the loaded config (what the gateway enforces), found by the demo key's hash.
 */
final class DemoBanner {

    private DemoBanner() {
    }

    /**
     * @param gateway  the first bound listener
     * @param config   the loaded demo config
     * @param agencies the demo providers' addresses by name
     */
    static String render(InetSocketAddress gateway, GatewayConfig config, Map<String, InetSocketAddress> agencies) {
        return render(gateway, config, agencies, null, null);
    }

    /**
     * As above, with the HTTPS listener ({@code https}, null when off) and the directory of the demo
     * certificates for its curl lines.
     */
    static String render(InetSocketAddress gateway, GatewayConfig config, Map<String, InetSocketAddress> agencies,
                         InetSocketAddress https, java.nio.file.Path certs) {
        String base = "http://" + GatewayProcess.hostPort(reachable(gateway));
        StringBuilder out = new StringBuilder(2048);
        out.append('\n').append("Gozargah demo: gateway on ").append(base).append('\n');
        out.append("  agencies: ").append(agencies.entrySet().stream()
                .map(agency -> agency.getKey() + " " + GatewayProcess.hostPort(agency.getValue()))
                .collect(Collectors.joining(", "))).append("\n\n");

        out.append("Consumers (published demo keys: never use them, or this config, outside the demo):\n");
        for (DemoConsumers.Consumer consumer : DemoConsumers.ALL) {
            out.append(String.format("  %-6s %s  ", consumer.name(), consumer.apiKey()));
            out.append(grantsOf(consumer.apiKey(), config)
                    .map(grants -> grants.isEmpty() ? "may call nothing" : "may call " + grants)
                    .orElse("key not in " + source(config) + ": every call is 401"));
            out.append('\n');
        }

        out.append("\nTry:\n");
        curl(out, "identity (200)", DemoConsumers.SNAPP_KEY, base + "/nocr/identity/" + DemoConsumers.VALID_NATIONAL_ID);
        curl(out, "wrong check digit (422 from the registry)", DemoConsumers.SNAPP_KEY,
                base + "/nocr/identity/" + DemoConsumers.INVALID_NATIONAL_ID);
        curl(out, "address (200)", DemoConsumers.TAPSI_KEY, base + "/post/address/" + DemoConsumers.POSTAL_CODE);
        out.append("  # send an SMS (202)\n");
        out.append("  curl -i -H 'X-Api-Key: ").append(DemoConsumers.MEDU_KEY)
                .append("' -H 'Content-Type: application/json' -d '{\"to\":\"").append(DemoConsumers.MOBILE)
                .append("\",\"text\":\"کد ورود شما: 4821\"}' ").append(base).append("/sms/send\n");
        curl(out, "not granted (403)", DemoConsumers.TAPSI_KEY,
                base + "/nocr/identity/" + DemoConsumers.VALID_NATIONAL_ID);
        boolean subjects = keepsSubjects(config);
        if (subjects) {
            out.append("  # who looked up ").append(DemoConsumers.VALID_NATIONAL_ID)
                    .append(" (the journal keeps only its keyed hash)\n");
            out.append("  scripts/gozargah journal subject --config ").append(source(config))
                    .append(" --kind national-code ").append(DemoConsumers.VALID_NATIONAL_ID).append('\n');
        }
        if (https != null) {
            String tlsBase = "https://localhost:" + https.getPort();
            out.append("\nHTTPS (HTTP/2 and HTTP/1.1 by ALPN) on ").append(tlsBase)
                    .append(", demo CA and certificates in ").append(certs).append(":\n");
            out.append("  # identity over HTTP/2, the consumer named by its client certificate (no key)\n");
            out.append("  curl -i --http2 --cacert ").append(certs.resolve("ca.crt")).append(" --cert ")
                    .append(certs.resolve("snapp.crt")).append(" --key ").append(certs.resolve("snapp.key"))
                    .append(' ').append(tlsBase).append("/nocr/identity/").append(DemoConsumers.VALID_NATIONAL_ID)
                    .append('\n');
            out.append("  # certificate and key naming different consumers (401)\n");
            out.append("  curl -i --http2 --cacert ").append(certs.resolve("ca.crt")).append(" --cert ")
                    .append(certs.resolve("snapp.crt")).append(" --key ").append(certs.resolve("snapp.key"))
                    .append(" -H 'X-Api-Key: ").append(DemoConsumers.MEDU_KEY).append("' ").append(tlsBase)
                    .append("/nocr/identity/").append(DemoConsumers.VALID_NATIONAL_ID).append('\n');
        }
        if (config.admin() != null) {
            String admin = "http://" + GatewayProcess.hostPort(new InetSocketAddress(config.admin().host(),
                    config.admin().port()));
            out.append("\nAdmin API on ").append(admin).append(" (demo admin token ").append(config.admin().token())
                    .append("):\n");
            out.append("  curl -H 'Authorization: Bearer ").append(config.admin().token()).append("' ")
                    .append(admin).append("/metrics\n");
            out.append("  curl ").append(admin).append("/ready\n");
            if (subjects) {
                out.append("  curl -H 'Authorization: Bearer ").append(config.admin().token()).append("' ")
                        .append(admin).append("/admin/subjects/national-code/")
                        .append(DemoConsumers.VALID_NATIONAL_ID).append('\n');
            }
        }
        if (config.portal() != null) {
            String portal = "http://" + GatewayProcess.hostPort(reachable(new InetSocketAddress(config.portal().host(),
                    config.portal().port())));
            out.append("\nServices portal on ").append(portal).append("/ (catalogue), ").append(portal)
                    .append("/statistics, ").append(portal).append("/me (sign in with a demo key above)\n");
        }
        out.append("\nCtrl-C drains and stops; twice stops at once.\n\n");
        return out.toString();
    }

    private static void curl(StringBuilder out, String comment, String key, String url) {
        out.append("  # ").append(comment).append('\n');
        out.append("  curl -i -H 'X-Api-Key: ").append(key).append("' ").append(url).append('\n');
    }

    /** The consumer holding {@code apiKey} in {@code config}, as "provider/service, ..." of its grants. */
    private static Optional<String> grantsOf(String apiKey, GatewayConfig config) {
        byte[] hash = ApiKeys.sha256(apiKey);
        return config.consumers().values().stream()
                .filter(consumer -> consumer.apiKeyHashes().stream().anyMatch(h -> Arrays.equals(h, hash)))
                .findFirst()
                .map(ConsumerConfig::grants)
                .map(grants -> grants.stream().map(DemoBanner::service).collect(Collectors.joining(", ")));
    }

    private static String service(GrantConfig grant) {
        return grant.provider() + "/" + grant.service();
    }

    /** A wildcard listener is reached on loopback. */
    private static InetSocketAddress reachable(InetSocketAddress bound) {
        return bound.getAddress() != null && bound.getAddress().isAnyLocalAddress()
                ? new InetSocketAddress(InetAddress.getLoopbackAddress(), bound.getPort())
                : bound;
    }

    /** Whether the journal keeps subjects: it is on, with a subject key. */
    private static boolean keepsSubjects(GatewayConfig config) {
        return config.journal() != null && config.journal().enabled() && config.journal().subjectKey() != null;
    }

    private static String source(GatewayConfig config) {
        return config.source() == null ? "the config" : config.source().toString();
    }
}
