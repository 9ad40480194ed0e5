package io.gozargah.engine.demo;

import com.sun.net.httpserver.HttpExchange;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The postal company's address inquiry, {@code GET|HEAD /v2/address/{postalCode}}: 400 unless the code is
 * ten digits, otherwise 200 with an address derived from the code alone.
 */
final class PostAddressEndpoint extends JsonEndpoint {
    static final String PATH = "/v2/address/";

    /** Province and one of its cities. */
    private static final List<String[]> PLACES = List.of(
            new String[] {"تهران", "تهران"},
            new String[] {"اصفهان", "اصفهان"},
            new String[] {"فارس", "شیراز"},
            new String[] {"خراسان رضوی", "مشهد"},
            new String[] {"آذربایجان شرقی", "تبریز"},
            new String[] {"گیلان", "رشت"},
            new String[] {"کرمان", "کرمان"},
            new String[] {"یزد", "یزد"});
    private static final List<String> STREETS =
            List.of("خیابان آزادی", "خیابان انقلاب", "بلوار کشاورز", "خیابان ولیعصر", "خیابان حافظ",
                    "کوچه بهار", "خیابان فردوسی", "بلوار امام رضا");

    PostAddressEndpoint() {
        super(Set.of("GET", "HEAD"));
    }

    @Override
    JsonReply reply(HttpExchange exchange) {
        String code = rawPathAfter(exchange, PATH);
        if (!code.matches("[0-9]{10}")) {
            return JsonReply.error(400, "malformed-postal-code", "postalCode must be exactly 10 digits");
        }
        SplittableRandom random = new SplittableRandom(Long.parseLong(code));
        String[] place = PLACES.get(random.nextInt(PLACES.size()));
        Map<String, Object> address = new LinkedHashMap<>();
        address.put("postalCode", code);
        address.put("province", place[0]);
        address.put("city", place[1]);
        address.put("street", STREETS.get(random.nextInt(STREETS.size())));
        address.put("plaque", 1 + random.nextInt(250));
        return JsonReply.of(200, address);
    }
}
