package io.gozargah.engine.config;

import java.nio.file.Path;
import java.util.List;

/**
 * How a provider or service appears in the portal's catalogue: what it is called, what it does, who runs it and
 * where its interface is described. Every part is optional; the catalogue falls back to the name.
 *
 * @param titleFa      the Persian title, or null
 * @param titleEn      the English title, or null
 * @param description  a paragraph of plain text, or null
 * @param ownerName    the agency (or its unit) that runs it, or null
 * @param ownerContact how to reach the owner (an address, a phone number), or null
 * @param docs         an OpenAPI file beside the config, checked to exist at load, served as it is; or null
 * @param tags         words to filter the catalogue by, in file order, without repeats
 */
public record ListingConfig(String titleFa, String titleEn, String description, String ownerName,
                            String ownerContact, Path docs, List<String> tags) {
    /** Nothing said: the catalogue shows the bare name. */
    public static final ListingConfig NONE = new ListingConfig(null, null, null, null, null, null, List.of());

    /** The title in {@code language} ({@code fa} or {@code en}), the other one, or null when there is neither. */
    public String title(String language) {
        String preferred = "en".equals(language) ? titleEn : titleFa;
        return preferred != null ? preferred : "en".equals(language) ? titleFa : titleEn;
    }
}
