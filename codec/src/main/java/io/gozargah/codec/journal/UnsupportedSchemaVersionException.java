package io.gozargah.codec.journal;

/** A journal record was written with a schema version this reader does not know. */
public final class UnsupportedSchemaVersionException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final int version;

    public UnsupportedSchemaVersionException(String recordName, int version, int supported) {
        super(recordName + " schema version " + version + " is not supported (this reader knows version "
                + supported + ")");
        this.version = version;
    }

    /** The version found in the record. */
    public int version() {
        return version;
    }
}
