package io.tinstream.state;

import io.tinstream.state.internal.FormatVersionedSnapshot;
import io.tinstream.state.internal.ImmutableValueSerializer;
import io.tinstream.state.internal.Varints;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Keyed-state serializer of {@link TrajectoryIndex}, format {@value #CURRENT_VERSION}: varint
 * bucket count; the first bucket as zigzag varint and each next one as the varint gap; one varint
 * count per bucket; zigzag varint max event time and retained-since time.
 */
public final class TrajectoryIndexSerializer extends ImmutableValueSerializer<TrajectoryIndex> {
  private static final long serialVersionUID = 1L;

  public static final int CURRENT_VERSION = 1;
  public static final TrajectoryIndexSerializer INSTANCE = new TrajectoryIndexSerializer();

  @Override
  public void serialize(TrajectoryIndex index, DataOutputView out) throws IOException {
    int n = index.bucketCount();
    Varints.writeNonNegativeInt(out, n);
    for (int i = 0; i < n; i++) {
      if (i == 0) {
        Varints.writeSigned(out, index.bucket(0));
      } else {
        Varints.writeUnsigned(out, index.bucket(i) - index.bucket(i - 1));
      }
    }
    for (int i = 0; i < n; i++) {
      Varints.writeNonNegativeInt(out, index.count(i));
    }
    Varints.writeSigned(out, index.maxEventTime());
    Varints.writeSigned(out, index.retainedSince());
  }

  @Override
  public TrajectoryIndex deserialize(DataInputView in) throws IOException {
    int n = Varints.readNonNegativeInt(in);
    long[] buckets = new long[n];
    int[] counts = new int[n];
    for (int i = 0; i < n; i++) {
      buckets[i] = i == 0 ? Varints.readSigned(in) : buckets[i - 1] + Varints.readUnsigned(in);
    }
    for (int i = 0; i < n; i++) {
      counts[i] = Varints.readNonNegativeInt(in);
    }
    long maxEventTime = Varints.readSigned(in);
    long retainedSince = Varints.readSigned(in);
    try {
      return new TrajectoryIndex(buckets, counts, maxEventTime, retainedSince);
    } catch (IllegalArgumentException e) {
      throw new IOException("Corrupt trajectory index", e);
    }
  }

  @Override
  public TrajectoryIndex createInstance() {
    return TrajectoryIndex.EMPTY;
  }

  @Override
  public TypeSerializerSnapshot<TrajectoryIndex> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Versioned snapshot; version {@value #CURRENT_VERSION} is the only format so far. */
  public static final class Snapshot extends FormatVersionedSnapshot<TrajectoryIndex> {
    public Snapshot() {
      super(CURRENT_VERSION, CURRENT_VERSION);
    }

    @Override
    protected TypeSerializer<TrajectoryIndex> serializerFor(int formatVersion) {
      return INSTANCE;
    }
  }
}
