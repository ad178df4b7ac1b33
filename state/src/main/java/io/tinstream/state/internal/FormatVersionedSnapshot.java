package io.tinstream.state.internal;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Snapshot of a serializer whose only configuration is the version of its byte format: the snapshot
 * version <em>is</em> the format version. On restore, Flink passes the version that was written;
 * state in an older readable format is migrated (read with the old format, written with the current
 * one).
 */
public abstract class FormatVersionedSnapshot<T> implements TypeSerializerSnapshot<T> {
  private final int currentVersion;
  private final int oldestReadableVersion;
  private int formatVersion;

  protected FormatVersionedSnapshot(int currentVersion, int oldestReadableVersion) {
    this.currentVersion = currentVersion;
    this.oldestReadableVersion = oldestReadableVersion;
    this.formatVersion = currentVersion;
  }

  /** A serializer that reads (at least) the given format version. */
  protected abstract TypeSerializer<T> serializerFor(int formatVersion);

  /** The format version of the serializer this snapshot describes. */
  public int formatVersion() {
    return formatVersion;
  }

  @Override
  public int getCurrentVersion() {
    return currentVersion;
  }

  @Override
  public void writeSnapshot(DataOutputView out) {
    // The format version is written by Flink as the snapshot version; nothing else to record.
  }

  @Override
  public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader)
      throws IOException {
    if (readVersion < oldestReadableVersion || readVersion > currentVersion) {
      throw new IOException(
          getClass().getSimpleName()
              + " reads format versions "
              + oldestReadableVersion
              + " to "
              + currentVersion
              + ", the snapshot has version "
              + readVersion);
    }
    formatVersion = readVersion;
  }

  @Override
  public TypeSerializer<T> restoreSerializer() {
    return serializerFor(formatVersion);
  }

  @Override
  public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
      TypeSerializerSnapshot<T> oldSerializerSnapshot) {
    if (oldSerializerSnapshot.getClass() != getClass()) {
      return TypeSerializerSchemaCompatibility.incompatible();
    }
    int oldVersion = ((FormatVersionedSnapshot<T>) oldSerializerSnapshot).formatVersion;
    if (oldVersion == formatVersion) {
      return TypeSerializerSchemaCompatibility.compatibleAsIs();
    }
    if (oldVersion >= oldestReadableVersion && oldVersion < formatVersion) {
      return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
    }
    return TypeSerializerSchemaCompatibility.incompatible();
  }
}
