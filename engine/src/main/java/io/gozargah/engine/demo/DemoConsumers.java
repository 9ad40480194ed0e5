package io.gozargah.engine.demo;

import java.util.List;

/**
 * The demo's consumers and their API keys. These keys are published in the repository and printed by
 * {@code gozargah demo}: they exist only so the demo works out of the box, and config/demo.yaml, which lists
 * their SHA-256 hashes, must never be the base of a real deployment. Grants here are what the demo config is
 * meant to contain; the gateway enforces what the config says.
 */
public final class DemoConsumers {
    public static final String SNAPP_KEY = "gzk_demo_snapp_7f3a9c2e5b1d4068";
    public static final String TAPSI_KEY = "gzk_demo_tapsi_2c8e6a0f4b9d1357";
    public static final String MEDU_KEY = "gzk_demo_medu_9b4f1e7a3c6d2085";

    /** Services, as {@code provider/service}. */
    public static final String IDENTITY = "nocr/identity";
    public static final String ADDRESS = "post/address";
    public static final String SMS_SEND = "sms/send";

    /** A national id whose check digit is right: the registry answers 200 for it. */
    public static final String VALID_NATIONAL_ID = "0012345679";
    /** The same digits with a wrong check digit: the registry answers 422. */
    public static final String INVALID_NATIONAL_ID = "0012345678";
    public static final String POSTAL_CODE = "1591634711";
    public static final String MOBILE = "09121234567";

    /**
     * A demo consumer.
     *
     * @param name   consumer name in the config
     * @param apiKey its published demo key
     * @param grants services it is meant to call
     */
    public record Consumer(String name, String apiKey, List<String> grants) {
    }

    /** snapp (ride hailing): identity and address; tapsi: address and SMS; medu (education): identity and SMS. */
    public static final List<Consumer> ALL = List.of(
            new Consumer("snapp", SNAPP_KEY, List.of(IDENTITY, ADDRESS)),
            new Consumer("tapsi", TAPSI_KEY, List.of(ADDRESS, SMS_SEND)),
            new Consumer("medu", MEDU_KEY, List.of(IDENTITY, SMS_SEND)));

    private DemoConsumers() {
    }
}
