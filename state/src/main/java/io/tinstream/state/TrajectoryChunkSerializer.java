package io.tinstream.state;

import io.tinstream.state.internal.ChunkFormatV1;
import io.tinstream.state.internal.ChunkFormatV2;
import io.tinstream.state.internal.FormatVersionedSnapshot;
import io.tinstream.state.internal.ImmutableValueSerializer;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Keyed-state serializer of {@link TrajectoryChunk}. Writes format {@value #CURRENT_VERSION}
 * ({@link ChunkFormatV2}); a serializer restored from a version-1 snapshot reads {@link
 * ChunkFormatV1} so Flink can migrate old state.
 */
public final class TrajectoryChunkSerializer extends ImmutableValueSerializer<TrajectoryChunk> {
  private static final long serialVersionUID = 1L;

  public static final int CURRENT_VERSION = ChunkFormatV2.VERSION;
  public static final int OLDEST_READABLE_VERSION = ChunkFormatV1.VERSION;

  private final int formatVersion;

  public TrajectoryChunkSerializer() {
    this(CURRENT_VERSION);
  }

  private TrajectoryChunkSerializer(int formatVersion) {
    this.formatVersion = formatVersion;
  }

  /** The format this serializer reads; only the current format is ever written. */
  public int formatVersion() {
    return formatVersion;
  }

  @Override
  public void serialize(TrajectoryChunk chunk, DataOutputView out) throws IOException {
    if (formatVersion != CURRENT_VERSION) {
      throw new UnsupportedOperationException(
          "Trajectory chunk format v"
              + formatVersion
              + " is read-only; state is written in v"
              + CURRENT_VERSION);
    }
    ChunkFormatV2.write(chunk.columns(), out);
  }

  @Override
  public TrajectoryChunk deserialize(DataInputView in) throws IOException {
    return TrajectoryChunk.wrap(
        formatVersion == CURRENT_VERSION ? ChunkFormatV2.read(in) : ChunkFormatV1.read(in));
  }

  @Override
  public TrajectoryChunk createInstance() {
    return TrajectoryChunk.EMPTY;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrajectoryChunkSerializer other && other.formatVersion == formatVersion;
  }

  @Override
  public int hashCode() {
    return Integer.hashCode(formatVersion);
  }

  @Override
  public TypeSerializerSnapshot<TrajectoryChunk> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Versioned snapshot: version {@value #CURRENT_VERSION} is current, version 1 is readable. */
  public static final class Snapshot extends FormatVersionedSnapshot<TrajectoryChunk> {
    public Snapshot() {
      super(CURRENT_VERSION, OLDEST_READABLE_VERSION);
    }

    @Override
    protected TypeSerializer<TrajectoryChunk> serializerFor(int formatVersion) {
      return new TrajectoryChunkSerializer(formatVersion);
    }
  }
}
