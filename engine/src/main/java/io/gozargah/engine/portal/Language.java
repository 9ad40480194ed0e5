package io.gozargah.engine.portal;

import java.util.Map;

/**
 * The portal's two languages: Persian first (right to left), English on request. Holds the words of the pages;
 * names and titles come from the config.
 */
enum Language {
    FA("fa", "rtl"),
    EN("en", "ltr");

    /** The cookie that keeps a reader's choice. */
    static final String COOKIE = "lang";

    final String code;
    final String direction;

    Language(String code, String direction) {
        this.code = code;
        this.direction = direction;
    }

    /** {@code ?lang=} when it names a language, else the cookie's, else Persian. */
    static Language of(PortalRequest request) {
        Language asked = parse(request.parameters().get("lang"));
        if (asked != null) {
            return asked;
        }
        Language kept = parse(request.cookie(COOKIE));
        return kept != null ? kept : FA;
    }

    /** Whether the request chose a language in its query (the answer then sets the cookie). */
    static boolean chosenIn(PortalRequest request) {
        return parse(request.parameters().get("lang")) != null;
    }

    static Language parse(String code) {
        if ("fa".equals(code)) {
            return FA;
        }
        if ("en".equals(code)) {
            return EN;
        }
        return null;
    }

    Language other() {
        return this == FA ? EN : FA;
    }

    /** The word for {@code key} in this language. */
    String word(String key) {
        String[] pair = WORDS.get(key);
        if (pair == null) {
            throw new IllegalArgumentException("no word " + key);
        }
        return pair[this == FA ? 0 : 1];
    }

    private static final Map<String, String[]> WORDS = Map.ofEntries(
            Map.entry("portal", new String[] {"بازارچه خدمات گذرگاه", "Gozargah services marketplace"}),
            Map.entry("catalogue", new String[] {"فهرست خدمات", "Services"}),
            Map.entry("statistics", new String[] {"آمار", "Statistics"}),
            Map.entry("me", new String[] {"حساب من", "My account"}),
            Map.entry("switch", new String[] {"English", "فارسی"}),
            Map.entry("search", new String[] {"جستجو", "Search"}),
            Map.entry("search-placeholder", new String[] {"نام، عنوان یا شرح خدمت", "name, title or description"}),
            Map.entry("all-tags", new String[] {"همه برچسب‌ها", "All tags"}),
            Map.entry("all-agencies", new String[] {"همه دستگاه‌ها", "All agencies"}),
            Map.entry("shown", new String[] {"خدمت نمایش داده شده", "services shown"}),
            Map.entry("agencies", new String[] {"دستگاه", "agencies"}),
            Map.entry("methods", new String[] {"روش‌ها", "Methods"}),
            Map.entry("example", new String[] {"نمونه فراخوانی", "Example call"}),
            Map.entry("docs", new String[] {"مستند OpenAPI", "OpenAPI document"}),
            Map.entry("owner", new String[] {"مالک", "Owner"}),
            Map.entry("tags", new String[] {"برچسب‌ها", "Tags"}),
            Map.entry("none-found", new String[] {"خدمتی با این مشخصات نیست.", "No service matches."}),
            Map.entry("sign-in", new String[] {"ورود", "Sign in"}),
            Map.entry("sign-out", new String[] {"خروج", "Sign out"}),
            Map.entry("api-key", new String[] {"کلید API", "API key"}),
            Map.entry("sign-in-help", new String[] {"کلید API سازمان خود را وارد کنید. کلید فقط یک بار بررسی"
                    + " می‌شود و نگه داشته نمی‌شود.", "Enter your organisation's API key. It is checked once and not"
                    + " kept."}),
            Map.entry("bad-key", new String[] {"این کلید معتبر نیست.", "That key is not valid."}),
            Map.entry("consumer", new String[] {"مصرف‌کننده", "Consumer"}),
            Map.entry("grants", new String[] {"مجوزها و سهمیه‌ها", "Grants and quotas"}),
            Map.entry("service", new String[] {"خدمت", "Service"}),
            Map.entry("rate", new String[] {"نرخ", "Rate"}),
            Map.entry("today", new String[] {"امروز", "Today"}),
            Map.entry("day-left", new String[] {"مانده امروز", "Left today"}),
            Map.entry("month", new String[] {"این ماه", "This month"}),
            Map.entry("month-left", new String[] {"مانده این ماه", "Left this month"}),
            Map.entry("unlimited", new String[] {"نامحدود", "unlimited"}),
            Map.entry("last-transactions", new String[] {"آخرین تراکنش‌ها", "Last transactions"}),
            Map.entry("time", new String[] {"زمان", "Time"}),
            Map.entry("status", new String[] {"وضعیت", "Status"}),
            Map.entry("latency", new String[] {"تأخیر (میلی‌ثانیه)", "Latency (ms)"}),
            Map.entry("transaction", new String[] {"شناسه تراکنش", "Transaction id"}),
            Map.entry("no-transactions", new String[] {"تراکنشی ثبت نشده است.", "No transactions journaled."}),
            Map.entry("journal-busy", new String[] {"دفتر تراکنش‌ها اکنون در دسترس نیست؛ دوباره تلاش کنید.",
                    "The journal cannot be read right now; try again."}),
            Map.entry("monthly", new String[] {"تراکنش‌ها به تفکیک ماه", "Transactions by month"}),
            Map.entry("transactions", new String[] {"تراکنش‌ها", "Transactions"}),
            Map.entry("share", new String[] {"سهم", "Share"}),
            Map.entry("providers", new String[] {"دستگاه‌های ارائه‌دهنده", "Providers"}),
            Map.entry("services", new String[] {"خدمات", "Services"}),
            Map.entry("consumers", new String[] {"مصرف‌کنندگان", "Consumers"}),
            Map.entry("busiest", new String[] {"پرترافیک‌ترین", "busiest"}),
            Map.entry("quietest", new String[] {"کم‌ترافیک‌ترین", "quietest"}),
            Map.entry("partial", new String[] {"ناقص", "partial"}),
            Map.entry("month-name", new String[] {"ماه", "Month"}),
            Map.entry("total", new String[] {"جمع", "Total"}),
            Map.entry("top-providers", new String[] {"دستگاه‌های پرکار", "Top providers"}),
            Map.entry("top-consumers", new String[] {"مصرف‌کنندگان پرکار", "Top consumers"}),
            Map.entry("top-services", new String[] {"خدمات پرکار", "Top services"}),
            Map.entry("cache", new String[] {"پاسخ از حافظهٔ نهان", "Answers from the cache"}),
            Map.entry("cache-miss", new String[] {"از ارائه‌دهنده", "Miss"}),
            Map.entry("cache-cached", new String[] {"از حافظه", "Cached"}),
            Map.entry("cache-coalesced", new String[] {"هم‌زمان", "Coalesced"}),
            Map.entry("cache-stale", new String[] {"کهنه", "Stale"}),
            Map.entry("hit-ratio", new String[] {"نسبت پاسخ از حافظه", "Hit ratio"}),
            Map.entry("name", new String[] {"نام", "Name"}),
            Map.entry("computed", new String[] {"محاسبه شده در", "Computed at"}),
            Map.entry("not-computed", new String[] {"آمار هنوز محاسبه نشده است.", "The statistics are not computed"
                    + " yet."}),
            Map.entry("no-journal", new String[] {"دفتر تراکنش‌ها روشن نیست.", "The journal is off."}),
            Map.entry("chart", new String[] {"نمودار تراکنش‌های ماهانه", "Monthly transactions chart"}));
}
