package io.gozargah.engine.admission;

/**
 * The grant policies of one routing snapshot, by consumer id and service id (the snapshot's dense ids):
 * a lookup is two array indexes. Immutable.
 */
public final class AdmissionPlan {
    private final GrantPolicy[][] byConsumer;

    AdmissionPlan(GrantPolicy[][] byConsumer) {
        this.byConsumer = byConsumer;
    }

    /** The policy of consumer {@code consumerId}'s grant of service {@code serviceId}, or null without a grant. */
    public GrantPolicy grant(int consumerId, int serviceId) {
        GrantPolicy[] grants = byConsumer[consumerId];
        return serviceId < grants.length ? grants[serviceId] : null;
    }
}
