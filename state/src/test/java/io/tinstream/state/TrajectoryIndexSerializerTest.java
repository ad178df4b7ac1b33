package io.tinstream.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class TrajectoryIndexSerializerTest {
  private final TrajectoryIndexSerializer serializer = TrajectoryIndexSerializer.INSTANCE;

  @Test
  void roundTripsEmptyAndFilledIndexes() throws IOException {
    TrajectoryIndex filled =
        TrajectoryIndex.EMPTY
            .withAppended(2800, 1_700_000_000_000L)
            .withAppended(2810, 1_706_000_000_000L)
            .withAppended(2800, 1_700_000_000_001L);

    assertThat(roundTrip(TrajectoryIndex.EMPTY)).isEqualTo(TrajectoryIndex.EMPTY);
    TrajectoryIndex restored = roundTrip(filled);
    assertThat(restored).isEqualTo(filled);
    assertThat(restored.totalCount()).isEqualTo(3);
    assertThat(restored.count(0)).isEqualTo(2);
    assertThat(restored.retainedSince()).isEqualTo(1_700_000_000_000L);
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
