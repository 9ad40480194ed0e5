package io.gozargah.engine.portal;

import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.ListenerConfig;
import io.gozargah.engine.config.ListingConfig;
import io.gozargah.engine.config.ProviderConfig;
import io.gozargah.engine.config.ServiceConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The catalogue: every provider of the running config and its services, with titles, descriptions, owners, methods,
 * an example call and the link to the OpenAPI document, as an HTML page and as JSON. A query narrows it: {@code q}
 * (words in any name, title, description, owner or tag), {@code tag} and {@code agency}. The page narrows itself as
 * one types too (portal.js hides what does not match), and the same form works without script.
 */
final class CatalogueView {
    /** What a request asks the catalogue for. */
    record Filter(String text, String tag, String agency) {
        static Filter of(Map<String, String> parameters) {
            return new Filter(blankToNull(parameters.get("q")), blankToNull(parameters.get("tag")),
                    blankToNull(parameters.get("agency")));
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.strip();
        }

        boolean admits(ProviderConfig p, ServiceConfig s) {
            if (agency != null && !agency.equals(p.name())) {
                return false;
            }
            if (tag != null && !s.listing().tags().contains(tag) && !p.listing().tags().contains(tag)) {
                return false;
            }
            if (text == null) {
                return true;
            }
            String haystack = haystack(p, s);
            for (String word : text.toLowerCase(Locale.ROOT).split("\\s+")) {
                if (!haystack.contains(word)) {
                    return false;
                }
            }
            return true;
        }
    }

    private CatalogueView() {
    }

    /** Everything a search matches against, lower case; portal.js matches the same text. */
    static String haystack(ProviderConfig p, ServiceConfig s) {
        StringBuilder h = new StringBuilder(256);
        h.append(p.name()).append('/').append(s.name());
        for (ListingConfig l : new ListingConfig[] {p.listing(), s.listing()}) {
            for (String part : new String[] {l.titleFa(), l.titleEn(), l.description(), l.ownerName()}) {
                if (part != null) {
                    h.append(' ').append(part);
                }
            }
            for (String tag : l.tags()) {
                h.append(' ').append(tag);
            }
        }
        return h.toString().toLowerCase(Locale.ROOT);
    }

    static String html(GatewayConfig config, Language lang, Filter filter) {
        return html(config, lang, filter, gatewayBase(config));
    }

    /** As above, the example calls addressed to {@code gateway} ({@code http://host:port}). */
    static String html(GatewayConfig config, Language lang, Filter filter, String gateway) {
        StringBuilder out = new StringBuilder(4096 + 1536 * serviceCount(config));
        Page.open(out, lang, "catalogue", "/", "");
        form(out, config, lang, filter);
        int shown = 0;
        int total = 0;
        out.append("<div id=\"catalogue\">\n");
        for (ProviderConfig p : config.providers().values()) {
            List<ServiceConfig> matching = new ArrayList<>();
            for (ServiceConfig s : p.services().values()) {
                total++;
                if (filter.admits(p, s)) {
                    matching.add(s);
                }
            }
            shown += matching.size();
            // every agency is written, those with nothing matching hidden, so the script can show them again
            out.append("<section class=\"agency\" data-agency=\"");
            Html.text(out, p.name()).append('"').append(matching.isEmpty() ? " hidden" : "").append(">\n<h2>");
            Html.text(out, title(p.listing(), lang, p.name())).append(" <span class=\"name\">");
            Html.text(out, p.name()).append("</span></h2>\n");
            owner(out, p.listing(), lang);
            for (ServiceConfig s : p.services().values()) {
                service(out, lang, gateway, p, s, matching.contains(s));
            }
            out.append("</section>\n");
        }
        out.append("</div>\n<p id=\"count\" data-total=\"").append(total).append("\">");
        out.append("<span id=\"shown\">").append(shown).append("</span> / ").append(total).append(' ');
        Html.text(out, lang.word("shown")).append("</p>\n");
        out.append("<p id=\"none\"").append(shown == 0 ? "" : " hidden").append('>');
        Html.text(out, lang.word("none-found")).append("</p>\n");
        return Page.close(out);
    }

    private static void form(StringBuilder out, GatewayConfig config, Language lang, Filter filter) {
        out.append("<form id=\"filter\" method=\"get\" action=\"/\" role=\"search\">\n");
        out.append("<input type=\"search\" id=\"q\" name=\"q\" autocomplete=\"off\" aria-label=\"");
        Html.text(out, lang.word("search")).append("\" placeholder=\"");
        Html.text(out, lang.word("search-placeholder")).append("\" value=\"");
        Html.text(out, filter.text() == null ? "" : filter.text()).append("\">\n");
        out.append("<select id=\"tag\" name=\"tag\" aria-label=\"");
        Html.text(out, lang.word("tags")).append("\">\n<option value=\"\">");
        Html.text(out, lang.word("all-tags")).append("</option>\n");
        TreeSet<String> tags = new TreeSet<>();
        for (ProviderConfig p : config.providers().values()) {
            tags.addAll(p.listing().tags());
            p.services().values().forEach(s -> tags.addAll(s.listing().tags()));
        }
        for (String tag : tags) {
            option(out, tag, tag, tag.equals(filter.tag()));
        }
        out.append("</select>\n<select id=\"agency\" name=\"agency\" aria-label=\"");
        Html.text(out, lang.word("agencies")).append("\">\n<option value=\"\">");
        Html.text(out, lang.word("all-agencies")).append("</option>\n");
        for (ProviderConfig p : config.providers().values()) {
            option(out, p.name(), title(p.listing(), lang, p.name()), p.name().equals(filter.agency()));
        }
        out.append("</select>\n<button type=\"submit\">");
        Html.text(out, lang.word("search")).append("</button>\n</form>\n");
    }

    private static void option(StringBuilder out, String value, String label, boolean selected) {
        out.append("<option value=\"");
        Html.text(out, value).append('"').append(selected ? " selected" : "").append('>');
        Html.text(out, label).append("</option>\n");
    }

    private static void service(StringBuilder out, Language lang, String gateway, ProviderConfig p, ServiceConfig s,
                                boolean shown) {
        ListingConfig l = s.listing();
        String qualified = p.name() + "/" + s.name();
        out.append("<article class=\"service\" id=\"");
        Html.text(out, p.name() + "--" + s.name()).append("\" data-agency=\"");
        Html.text(out, p.name()).append("\" data-tags=\"");
        List<String> tags = new ArrayList<>(l.tags());
        p.listing().tags().stream().filter(t -> !tags.contains(t)).forEach(tags::add);
        Html.text(out, String.join(" ", tags)).append("\" data-search=\"");
        Html.text(out, haystack(p, s)).append('"').append(shown ? "" : " hidden").append(">\n<h3>");
        Html.text(out, title(l, lang, s.name())).append(" <code class=\"name\">");
        Html.text(out, qualified).append("</code></h3>\n");
        if (l.description() != null) {
            out.append("<p class=\"description\" dir=\"auto\">");
            Html.text(out, l.description()).append("</p>\n");
        }
        owner(out, l, lang);
        out.append("<dl>\n<dt>");
        Html.text(out, lang.word("methods")).append("</dt><dd>");
        Html.text(out, String.join(" ", s.methods())).append("</dd>\n");
        if (!tags.isEmpty()) {
            out.append("<dt>");
            Html.text(out, lang.word("tags")).append("</dt><dd class=\"tags\">");
            for (String tag : tags) {
                out.append("<a class=\"tag\" href=\"/?tag=");
                Html.query(out, tag).append("\">");
                Html.text(out, tag).append("</a> ");
            }
            out.append("</dd>\n");
        }
        out.append("<dt>");
        Html.text(out, lang.word("example")).append("</dt><dd><code class=\"example\" dir=\"ltr\">");
        String method = s.methods().contains("GET") ? "" : "-X " + s.methods().iterator().next() + " ";
        Html.text(out, "curl " + method + "-H 'X-Api-Key: YOUR_KEY' " + gateway + "/" + qualified)
                .append("</code></dd>\n");
        if (l.docs() != null) {
            out.append("<dt>");
            Html.text(out, lang.word("docs")).append("</dt><dd><a href=\"");
            Html.text(out, docsPath(p, s)).append("\">");
            Html.text(out, l.docs().getFileName().toString()).append("</a></dd>\n");
        }
        out.append("</dl>\n</article>\n");
    }

    private static void owner(StringBuilder out, ListingConfig l, Language lang) {
        if (l.ownerName() == null) {
            return;
        }
        out.append("<p class=\"owner\">");
        Html.text(out, lang.word("owner")).append(": ");
        Html.text(out, l.ownerName());
        if (l.ownerContact() != null) {
            out.append(" · <span dir=\"ltr\">");
            Html.text(out, l.ownerContact()).append("</span>");
        }
        out.append("</p>\n");
    }

    /** Where the portal serves a service's OpenAPI document ({@code null} service: the provider's). */
    static String docsPath(ProviderConfig p, ServiceConfig s) {
        return "/docs/" + p.name() + (s == null ? "" : "/" + s.name());
    }

    static String title(ListingConfig l, Language lang, String name) {
        String title = l.title(lang.code);
        return title != null ? title : name;
    }

    /** The address consumers call: the first listener's, a wildcard shown as loopback. */
    static String gatewayBase(GatewayConfig config) {
        if (config.server() == null || config.server().listeners().isEmpty()) {
            return "http://127.0.0.1:8080";
        }
        ListenerConfig l = config.server().listeners().get(0);
        String host = l.host() == null || l.host().equals("0.0.0.0") || l.host().equals("::") ? "127.0.0.1"
                : l.host().indexOf(':') >= 0 ? "[" + l.host() + "]" : l.host();
        return (l.tls() != null ? "https://" : "http://") + host + ":" + l.port();
    }

    private static int serviceCount(GatewayConfig config) {
        return config.providers().values().stream().mapToInt(p -> p.services().size()).sum();
    }

    /** The JSON of {@code /api/services}: the providers with at least one service the filter admits. */
    static Map<String, Object> json(GatewayConfig config, Filter filter, String gateway) {
        List<Object> providers = new ArrayList<>();
        for (ProviderConfig p : config.providers().values()) {
            List<Object> services = new ArrayList<>();
            for (ServiceConfig s : p.services().values()) {
                if (!filter.admits(p, s)) {
                    continue;
                }
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("service", s.name());
                doc.put("path", "/" + p.name() + "/" + s.name());
                listing(doc, s.listing(), p.name() + "/" + s.name());
                if (s.listing().docs() != null) {
                    doc.put("docs", docsPath(p, s));
                }
                doc.put("methods", List.copyOf(s.methods()));
                services.add(doc);
            }
            if (services.isEmpty()) {
                continue;
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("provider", p.name());
            listing(doc, p.listing(), p.name());
            if (p.listing().docs() != null) {
                doc.put("docs", docsPath(p, null));
            }
            doc.put("services", services);
            providers.add(doc);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("gateway", gateway);
        doc.put("providers", providers);
        return doc;
    }

    private static void listing(Map<String, Object> doc, ListingConfig l, String name) {
        Map<String, Object> title = new LinkedHashMap<>();
        title.put("fa", l.titleFa());
        title.put("en", l.titleEn());
        doc.put("title", title);
        doc.put("description", l.description());
        if (l.ownerName() != null) {
            Map<String, Object> owner = new LinkedHashMap<>();
            owner.put("name", l.ownerName());
            owner.put("contact", l.ownerContact());
            doc.put("owner", owner);
        }
        doc.put("tags", l.tags());
    }
}
