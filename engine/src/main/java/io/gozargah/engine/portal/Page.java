package io.gozargah.engine.portal;

/**
 * The frame every portal page shares: the document's language and direction, the style sheet, the navigation,
 * the language switch and, at the end, the one script (a static asset: the Content-Security-Policy allows no inline
 * script).
 */
final class Page {
    static final String STYLE = "/assets/portal.css";
    static final String SCRIPT = "/assets/portal.js";

    private Page() {
    }

    /** Opens a page of {@code title} (a word key) at {@code path}; {@code extraHead} is trusted markup or "". */
    static StringBuilder open(StringBuilder out, Language lang, String titleKey, String path, String extraHead) {
        out.append("<!DOCTYPE html>\n<html lang=\"").append(lang.code).append("\" dir=\"").append(lang.direction)
                .append("\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                // no favicon request (it would be a 404 in the console)
                .append("<link rel=\"icon\" href=\"data:,\">\n<title>");
        Html.text(out, lang.word(titleKey)).append(" · ");
        Html.text(out, lang.word("portal")).append("</title>\n<link rel=\"stylesheet\" href=\"").append(STYLE)
                .append("\">\n").append(extraHead).append("</head>\n<body data-page=\"");
        Html.text(out, titleKey).append("\">\n<header><nav>\n<a class=\"brand\" href=\"/\">");
        Html.text(out, lang.word("portal")).append("</a>\n");
        link(out, lang, "/", "catalogue", path);
        link(out, lang, "/statistics", "statistics", path);
        link(out, lang, "/me", "me", path);
        out.append("<a class=\"lang\" id=\"lang-switch\" hreflang=\"").append(lang.other().code).append("\" href=\"");
        Html.text(out, path).append("?lang=").append(lang.other().code).append("\">");
        Html.text(out, lang.word("switch")).append("</a>\n</nav></header>\n<main>\n<h1>");
        Html.text(out, lang.word(titleKey)).append("</h1>\n");
        return out;
    }

    private static void link(StringBuilder out, Language lang, String href, String key, String path) {
        out.append("<a href=\"").append(href).append('"').append(href.equals(path) ? " aria-current=\"page\"" : "")
                .append('>');
        Html.text(out, lang.word(key)).append("</a>\n");
    }

    static String close(StringBuilder out, String... scripts) {
        out.append("</main>\n");
        for (String script : scripts) {
            out.append("<script src=\"").append(script).append("\"></script>\n");
        }
        out.append("<script src=\"").append(SCRIPT).append("\"></script>\n</body>\n</html>\n");
        return out.toString();
    }
}
