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
 * Keyed-state serializer of {@link TrajectoryIndex}. Format {@value #CURRENT_VERSION}: varint chunk
 * count n; n keys (the first as zigzag varint, then varint gaps); n varint counts; a byte, 1 when
 * the chunks' times follow (0 only for an index migrated from format 1 and not loaded since); the
 * times (zigzag varint first time of chunk 0, then per chunk the varint span to its last time and
 * the varint gap to the next chunk's first time); the next key (zigzag varint when n = 0, else the
 * varint gap from the last key); the varint number of sealed appends beyond the behaviors held.
 *
 * <p>Format 1 (the time-bucket layout: bucket ids, counts, newest time, retained-since) is still
 * read, so state written before the sealed-chunk layout restores: its buckets become sealed chunks
 * (bucket ids ascend with time, as chunk keys must) whose times the store fills in on first load.
 */
public final class TrajectoryIndexSerializer extends ImmutableValueSerializer<TrajectoryIndex> {
  private static final long serialVersionUID = 1L;

  public static final int CURRENT_VERSION = 2;
  public static final int BUCKET_LAYOUT_VERSION = 1;
  public static final TrajectoryIndexSerializer INSTANCE =
      new TrajectoryIndexSerializer(CURRENT_VERSION);

  private final int formatVersion;

  private TrajectoryIndexSerializer(int formatVersion) {
    this.formatVersion = formatVersion;
  }

  /** The format this serializer reads; only the current format is ever written. */
  public int formatVersion() {
    return formatVersion;
  }

  @Override
  public void serialize(TrajectoryIndex index, DataOutputView out) throws IOException {
    if (formatVersion != CURRENT_VERSION) {
      throw new UnsupportedOperationException(
          "Trajectory index format v"
              + formatVersion
              + " is read-only; state is written in v"
              + CURRENT_VERSION);
    }
    int n = index.chunkCount();
    Varints.writeNonNegativeInt(out, n);
    for (int i = 0; i < n; i++) {
      if (i == 0) {
        Varints.writeSigned(out, index.key(0));
      } else {
        Varints.writeUnsigned(out, index.key(i) - index.key(i - 1));
      }
    }
    for (int i = 0; i < n; i++) {
      Varints.writeNonNegativeInt(out, index.count(i));
    }
    out.writeByte(index.timesKnown() ? 1 : 0);
    for (int i = 0; i < n && index.timesKnown(); i++) {
      if (i == 0) {
        Varints.writeSigned(out, index.firstTime(0));
      } else {
        Varints.writeUnsigned(out, index.firstTime(i) - index.lastTime(i - 1));
      }
      Varints.writeUnsigned(out, index.lastTime(i) - index.firstTime(i));
    }
    if (n == 0) {
      Varints.writeSigned(out, index.nextKey());
    } else {
      Varints.writeUnsigned(out, index.nextKey() - index.key(n - 1));
    }
    Varints.writeUnsigned(out, index.sealedAppends() - index.sealedCount());
  }

  @Override
  public TrajectoryIndex deserialize(DataInputView in) throws IOException {
    try {
      return formatVersion == CURRENT_VERSION ? readCurrent(in) : readBucketLayout(in);
    } catch (IllegalArgumentException e) {
      throw new IOException("Corrupt trajectory index", e);
    }
  }

  private static TrajectoryIndex readCurrent(DataInputView in) throws IOException {
    int n = Varints.readNonNegativeInt(in);
    long[] keys = readKeys(in, n);
    int[] counts = readCounts(in, n);
    boolean timesKnown = in.readByte() != 0;
    long[] first = new long[n];
    long[] last = new long[n];
    for (int i = 0; i < n && timesKnown; i++) {
      first[i] = i == 0 ? Varints.readSigned(in) : last[i - 1] + Varints.readUnsigned(in);
      last[i] = first[i] + Varints.readUnsigned(in);
    }
    long nextKey = n == 0 ? Varints.readSigned(in) : keys[n - 1] + Varints.readUnsigned(in);
    long held = 0;
    for (int count : counts) {
      held += count;
    }
    long sealedAppends = held + Varints.readUnsigned(in);
    return new TrajectoryIndex(keys, counts, first, last, nextKey, sealedAppends, timesKnown);
  }

  /** Format 1: buckets, counts, newest event time and retained-since (both no longer kept). */
  private static TrajectoryIndex readBucketLayout(DataInputView in) throws IOException {
    int n = Varints.readNonNegativeInt(in);
    long[] keys = readKeys(in, n);
    int[] counts = readCounts(in, n);
    Varints.readSigned(in);
    Varints.readSigned(in);
    long held = 0;
    for (int count : counts) {
      held += count;
    }
    long nextKey = n == 0 ? 0L : keys[n - 1] + 1;
    return new TrajectoryIndex(keys, counts, new long[n], new long[n], nextKey, held, false);
  }

  private static long[] readKeys(DataInputView in, int n) throws IOException {
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      keys[i] = i == 0 ? Varints.readSigned(in) : keys[i - 1] + Varints.readUnsigned(in);
    }
    return keys;
  }

  private static int[] readCounts(DataInputView in, int n) throws IOException {
    int[] counts = new int[n];
    for (int i = 0; i < n; i++) {
      counts[i] = Varints.readNonNegativeInt(in);
    }
    return counts;
  }

  @Override
  public TrajectoryIndex createInstance() {
    return TrajectoryIndex.EMPTY;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrajectoryIndexSerializer other && other.formatVersion == formatVersion;
  }

  @Override
  public int hashCode() {
    return Integer.hashCode(formatVersion);
  }

  @Override
  public TypeSerializerSnapshot<TrajectoryIndex> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Versioned snapshot: version {@value #CURRENT_VERSION} is current, version 1 is readable. */
  public static final class Snapshot extends FormatVersionedSnapshot<TrajectoryIndex> {
    public Snapshot() {
      super(CURRENT_VERSION, BUCKET_LAYOUT_VERSION);
    }

    @Override
    protected TypeSerializer<TrajectoryIndex> serializerFor(int formatVersion) {
      return formatVersion == CURRENT_VERSION
          ? INSTANCE
          : new TrajectoryIndexSerializer(formatVersion);
    }
  }
}
