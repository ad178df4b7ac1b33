package io.tinstream.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.schemas.ActionType;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

class TrajectoryChunkSerializerTest {
  private final TrajectoryChunkSerializer serializer = new TrajectoryChunkSerializer();

  @Test
  void roundTripsEveryFieldIncludingUnknownsAndAwkwardDetails() throws IOException {
    float[] details = {0f, -0f, 1f, 3f, 16_777_216f, 16_777_217f, 2.5f, -4f, Float.NaN, 1e30f};
    TrajectoryChunk chunk = TrajectoryChunk.EMPTY;
    for (int i = 0; i < details.length; i++) {
      chunk =
          chunk.withInserted(
              new Behavior(
                  i * 7919 - 3,
                  1_000L * (details.length - i),
                  (byte) (i % 3),
                  (byte) (i % 11),
                  i - 5,
                  details[i],
                  i % 2 == 0 ? Long.MIN_VALUE + i : i,
                  Behavior.UNKNOWN,
                  Long.MAX_VALUE,
                  -2,
                  Integer.MAX_VALUE,
                  Integer.MIN_VALUE,
                  Behavior.UNKNOWN,
                  i,
                  -i,
                  0));
    }

    TrajectoryChunk restored = roundTrip(chunk);

    assertThat(restored.behaviors()).isEqualTo(chunk.behaviors());
    assertThat(Float.floatToRawIntBits(find(restored, -0f))).isEqualTo(0x80000000);
  }

  @Test
  void roundTripsEmptyAndRealisticChunks() throws IOException {
    assertThat(roundTrip(TrajectoryChunk.EMPTY).size()).isZero();
    TrajectoryChunk catalogue = RealisticChunks.withCatalogueIds(1000, 200, 1);
    TrajectoryChunk fingerprints = RealisticChunks.withFingerprintIds(1000, 200, 2);
    assertThat(roundTrip(catalogue).behaviors()).isEqualTo(catalogue.behaviors());
    assertThat(roundTrip(fingerprints).behaviors()).isEqualTo(fingerprints.behaviors());
  }

  @Test
  void keepsARealisticChunkWithin16BytesPerBehavior(TestReporter reporter) throws IOException {
    TrajectoryChunk chunk = RealisticChunks.withCatalogueIds(1000, 200, 42);
    assertThat(distinctItems(chunk)).isBetween(120, 200);

    double bytesPerBehavior = (double) serialize(chunk).length / chunk.size();
    double fingerprintBytesPerBehavior =
        (double) serialize(RealisticChunks.withFingerprintIds(1000, 200, 42)).length / 1000;
    double v1BytesPerBehavior = (double) serializeV1(chunk).length / chunk.size();
    reporter.publishEntry("v2 bytes/behavior, catalogue ids", String.valueOf(bytesPerBehavior));
    reporter.publishEntry(
        "v2 bytes/behavior, 64-bit fingerprint ids", String.valueOf(fingerprintBytesPerBehavior));
    reporter.publishEntry("v1 bytes/behavior", String.valueOf(v1BytesPerBehavior));

    assertThat(bytesPerBehavior).isLessThanOrEqualTo(16.0);
    // Random 64-bit ids cost about 10 bytes each in the dictionary: measured 19.3 here.
    assertThat(fingerprintBytesPerBehavior).isLessThanOrEqualTo(20.0);
    assertThat(v1BytesPerBehavior).isGreaterThan(80.0);
  }

  @Test
  void restoresVersion1BytesAndAsksForMigration() throws IOException {
    TrajectoryChunk chunk = RealisticChunks.withCatalogueIds(50, 20, 7);
    byte[] v1Bytes = serializeV1(chunk);

    TrajectoryChunkSerializer.Snapshot restoredSnapshot = new TrajectoryChunkSerializer.Snapshot();
    restoredSnapshot.readSnapshot(
        1, new DataInputDeserializer(new byte[0]), getClass().getClassLoader());
    TypeSerializer<TrajectoryChunk> v1Serializer = restoredSnapshot.restoreSerializer();
    TrajectoryChunk restored = v1Serializer.deserialize(new DataInputDeserializer(v1Bytes));

    assertThat(restored.behaviors()).isEqualTo(chunk.behaviors());
    assertThat(
            serializer
                .snapshotConfiguration()
                .resolveSchemaCompatibility(restoredSnapshot)
                .isCompatibleAfterMigration())
        .isTrue();
    assertThatThrownBy(() -> v1Serializer.serialize(chunk, new DataOutputSerializer(64)))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void snapshotRoundTripsThroughFlinkAndIsCompatibleWithItself() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
    TypeSerializerSnapshot<TrajectoryChunk> read =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

    assertThat(read.getCurrentVersion()).isEqualTo(TrajectoryChunkSerializer.CURRENT_VERSION);
    assertThat(read.restoreSerializer()).isEqualTo(serializer);
    TypeSerializerSchemaCompatibility<TrajectoryChunk> compatibility =
        serializer.snapshotConfiguration().resolveSchemaCompatibility(read);
    assertThat(compatibility.isCompatibleAsIs()).isTrue();
  }

  @Test
  void rejectsUnknownSnapshotVersions() {
    TrajectoryChunkSerializer.Snapshot snapshot = new TrajectoryChunkSerializer.Snapshot();
    assertThatThrownBy(() -> snapshot.readSnapshot(3, new DataInputDeserializer(new byte[0]), null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("versions 1 to 2");
  }

  @Test
  void refusesActionTypesThatDoNotFitTheFormat() {
    Behavior tooLarge =
        new Behavior(1, 1, (byte) 0, (byte) 16, 0, 0f, 1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    assertThatThrownBy(() -> serialize(TrajectoryChunk.of(tooLarge)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("action types 0-15");
    assertThat(ActionType.values().length).isLessThanOrEqualTo(16);
  }

  private TrajectoryChunk roundTrip(TrajectoryChunk chunk) throws IOException {
    DataInputDeserializer in = new DataInputDeserializer(serialize(chunk));
    TrajectoryChunk restored = serializer.deserialize(in);
    assertThat(in.available()).isZero();
    return restored;
  }

  private byte[] serialize(TrajectoryChunk chunk) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(1024);
    serializer.serialize(chunk, out);
    return out.getCopyOfBuffer();
  }

  private static byte[] serializeV1(TrajectoryChunk chunk) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(1024);
    FrozenChunkFormatV1Writer.write(chunk, out);
    return out.getCopyOfBuffer();
  }

  private static int distinctItems(TrajectoryChunk chunk) {
    Set<Long> items = new HashSet<>();
    for (Behavior b : chunk.behaviors()) {
      items.add(b.itemId());
    }
    return items.size();
  }

  private static float find(TrajectoryChunk chunk, float detail) {
    for (Behavior b : chunk.behaviors()) {
      if (Float.floatToRawIntBits(b.actionDetail()) == Float.floatToRawIntBits(detail)) {
        return b.actionDetail();
      }
    }
    throw new AssertionError("No behavior with detail " + detail);
  }
}
