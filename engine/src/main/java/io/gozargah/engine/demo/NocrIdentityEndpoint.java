package io.gozargah.engine.demo;

import com.sun.net.httpserver.HttpExchange;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The civil registry's identity inquiry, {@code GET|HEAD /api/v1/identity/{nationalId}}: 400 when the id is
 * not ten digits, 422 when its check digit is wrong, otherwise 200 with a fake person. The person is derived
 * from the id alone, so the same id always answers the same (callers and caches can rely on it).
 */
final class NocrIdentityEndpoint extends JsonEndpoint {
    static final String PATH = "/api/v1/identity/";

    private static final List<String> MALE_NAMES =
            List.of("علی", "محمد", "حسین", "رضا", "مهدی", "امیر", "سعید", "بهرام", "کاوه", "داریوش");
    private static final List<String> FEMALE_NAMES =
            List.of("فاطمه", "زهرا", "مریم", "سارا", "نرگس", "شیرین", "لیلا", "پریسا", "آناهیتا", "مهسا");
    private static final List<String> LAST_NAMES =
            List.of("احمدی", "محمدی", "حسینی", "رضایی", "کریمی", "موسوی", "تهرانی", "شیرازی", "اصفهانی", "کرمانی",
                    "رحیمی", "جعفری", "نوروزی", "یزدانی", "فرهادی", "صادقی");

    NocrIdentityEndpoint() {
        super(Set.of("GET", "HEAD"));
    }

    @Override
    JsonReply reply(HttpExchange exchange) {
        String id = rawPathAfter(exchange, PATH);
        if (!NationalCode.isWellFormed(id)) {
            return JsonReply.error(400, "malformed-national-id", "nationalId must be exactly 10 digits");
        }
        if (!NationalCode.isValid(id)) {
            return JsonReply.error(422, "invalid-national-id", "nationalId " + id + " fails the check digit");
        }
        return JsonReply.of(200, person(id));
    }

    static Map<String, Object> person(String nationalId) {
        SplittableRandom random = new SplittableRandom(Long.parseLong(nationalId));
        boolean male = random.nextBoolean();
        int year = 1330 + random.nextInt(56);
        int month = 1 + random.nextInt(12);
        // Solar Hijri: months 1-6 have 31 days, 7-11 have 30, Esfand 29 (30 in leap years; 29 is always valid)
        int day = 1 + random.nextInt(month <= 6 ? 31 : month <= 11 ? 30 : 29);

        Map<String, Object> person = new LinkedHashMap<>();
        person.put("nationalId", nationalId);
        person.put("firstName", pick(random, male ? MALE_NAMES : FEMALE_NAMES));
        person.put("lastName", pick(random, LAST_NAMES));
        person.put("fatherName", pick(random, MALE_NAMES));
        person.put("birthDate", String.format("%04d/%02d/%02d", year, month, day));
        person.put("gender", male ? "male" : "female");
        person.put("alive", true);
        return person;
    }

    private static String pick(SplittableRandom random, List<String> names) {
        return names.get(random.nextInt(names.size()));
    }
}
