package io.gozargah.engine.route;

import io.netty.util.AsciiString;

/** An authenticated caller in a snapshot, with its grants as a bitmap over service ids. */
public final class Consumer {
    private final String name;
    private final AsciiString ascii;
    private final long[] grants;

    Consumer(String name, long[] grants) {
        this.name = name;
        this.ascii = new AsciiString(name);
        this.grants = grants;
    }

    public String name() {
        return name;
    }

    /** The name as header bytes for {@code X-Gozargah-Consumer}. */
    public AsciiString ascii() {
        return ascii;
    }

    public boolean granted(ServiceRoute service) {
        int id = service.id();
        return (grants[id >>> 6] & (1L << id)) != 0;
    }
}
