package io.tinstream.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.state.internal.Varints;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class TrajectoryIndexSerializerTest {
  private static final long T0 = 1_700_000_000_000L;

  private final TrajectoryIndexSerializer serializer = TrajectoryIndexSerializer.INSTANCE;

  @Test
  void roundTripsEmptyAndFilledIndexes() throws IOException {
    TrajectoryIndex filled =
        TrajectoryIndex.EMPTY
            .withSealed(256, T0, T0 + 1_000)
            .withSealed(256, T0 + 1_000, T0 + 90_000)
            .withInserted(0, T0 - 5, T0 + 1_000);

    assertThat(roundTrip(TrajectoryIndex.EMPTY)).isEqualTo(TrajectoryIndex.EMPTY);
    TrajectoryIndex restored = roundTrip(filled);
    assertThat(restored).isEqualTo(filled);
    assertThat(restored.sealedCount()).isEqualTo(513);
    assertThat(restored.sealedAppends()).isEqualTo(513);
    assertThat(restored.count(0)).isEqualTo(257);
    assertThat(restored.firstTime(0)).isEqualTo(T0 - 5);
    assertThat(restored.lastTime(1)).isEqualTo(T0 + 90_000);
    assertThat(restored.nextKey()).isEqualTo(2);
    // Appends counted even after their chunk was dropped: the count never goes down.
    TrajectoryIndex dropped = roundTrip(filled.withoutOldest());
    assertThat(dropped.sealedCount()).isEqualTo(256);
    assertThat(dropped.sealedAppends()).isEqualTo(513);
  }

  @Test
  void findsTheChunkAnOutOfOrderBehaviorBelongsIn() {
    TrajectoryIndex index =
        TrajectoryIndex.EMPTY
            .withSealed(3, T0, T0 + 10)
            .withSealed(3, T0 + 20, T0 + 30)
            .withSealed(3, T0 + 30, T0 + 40);

    assertThat(index.chunkFor(T0 - 100)).as("older than all").isZero();
    assertThat(index.chunkFor(T0 + 5)).isZero();
    assertThat(index.chunkFor(T0 + 15)).as("a gap goes to the earlier chunk").isZero();
    assertThat(index.chunkFor(T0 + 25)).isEqualTo(1);
    // Equal times keep arrival order: after every behavior of that time, i.e. the later chunk.
    assertThat(index.chunkFor(T0 + 30)).isEqualTo(2);
  }

  /** State written before the sealed-chunk layout: its bucket index restores as sealed chunks. */
  @Test
  void readsTheBucketLayoutIndexAndAsksForMigration() throws IOException {
    DataOutputSerializer v1 = new DataOutputSerializer(32);
    // Format 1: bucket count, buckets (zigzag first, gaps), counts, max event time, retained since.
    Varints.writeNonNegativeInt(v1, 2);
    Varints.writeSigned(v1, 2800);
    Varints.writeUnsigned(v1, 3);
    Varints.writeNonNegativeInt(v1, 5);
    Varints.writeNonNegativeInt(v1, 2);
    Varints.writeSigned(v1, T0 + 99);
    Varints.writeSigned(v1, T0);

    TrajectoryIndexSerializer.Snapshot old = new TrajectoryIndexSerializer.Snapshot();
    old.readSnapshot(
        TrajectoryIndexSerializer.BUCKET_LAYOUT_VERSION,
        new DataInputDeserializer(new byte[0]),
        getClass().getClassLoader());
    TypeSerializer<TrajectoryIndex> oldSerializer = old.restoreSerializer();
    TrajectoryIndex restored =
        oldSerializer.deserialize(new DataInputDeserializer(v1.getCopyOfBuffer()));

    assertThat(restored.chunkCount()).isEqualTo(2);
    assertThat(restored.key(0)).isEqualTo(2800);
    assertThat(restored.key(1)).isEqualTo(2803);
    assertThat(restored.count(0)).isEqualTo(5);
    assertThat(restored.sealedCount()).isEqualTo(7);
    assertThat(restored.nextKey()).isEqualTo(2804);
    assertThat(restored.timesKnown()).isFalse();
    assertThat(
            serializer
                .snapshotConfiguration()
                .resolveSchemaCompatibility(old)
                .isCompatibleAfterMigration())
        .isTrue();
    // Migration writes it in the current format, times still unknown until the store loads it.
    assertThat(roundTrip(restored)).isEqualTo(restored);
  }

  @Test
  void snapshotIsVersionedAndCompatibleWithItself() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(32);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
    TypeSerializerSnapshot<TrajectoryIndex> read =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

    assertThat(read.getCurrentVersion()).isEqualTo(TrajectoryIndexSerializer.CURRENT_VERSION);
    assertThat(read.restoreSerializer()).isEqualTo(serializer);
    assertThat(
            serializer.snapshotConfiguration().resolveSchemaCompatibility(read).isCompatibleAsIs())
        .isTrue();
  }

  private TrajectoryIndex roundTrip(TrajectoryIndex index) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(32);
    serializer.serialize(index, out);
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
    TrajectoryIndex restored = serializer.deserialize(in);
    assertThat(in.available()).isZero();
    return restored;
  }
}
