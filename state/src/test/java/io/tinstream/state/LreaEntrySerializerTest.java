package io.tinstream.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class LreaEntrySerializerTest {

  private static LreaEntry entry() {
    float[] comp = new float[16 * 8];
    float[] aux = new float[16 * 8];
    for (int i = 0; i < comp.length; i++) {
      comp[i] = i * 0.5f;
      aux[i] = -i;
    }
    return new LreaEntry(16, 8, new LreaEntry.Stamp(3L, 42L, 1234, 5000L, 777L), comp, aux);
  }

  /** Format 1 exactly as the code before run epochs and appended counts wrote it. */
  private static byte[] writeFormat1(LreaEntry e) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    out.writeByte(1);
    out.writeByte(e.dim()); // varints below 128 are one byte
    out.writeByte(e.rank());
    out.writeLong(e.modelVersion());
    out.writeByte(0x80 | (e.trajectoryLength() & 0x7f)); // varint 1234: two bytes
    out.writeByte(e.trajectoryLength() >>> 7);
    for (float v : e.eComp()) {
      out.writeFloat(v);
    }
    for (float v : e.eAux()) {
      out.writeFloat(v);
    }
    return out.getCopyOfBuffer();
  }

  @Test
  void roundTripsWithVersionByteAndExpectedSize() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    LreaEntrySerializer.INSTANCE.serialize(entry(), out);
    byte[] bytes = out.getCopyOfBuffer();
    assertThat(bytes[0]).isEqualTo((byte) LreaEntrySerializer.CURRENT_VERSION);
    // header: version 1 + d 1 + r 1 + epoch 8 + model version 8 + length 2 (varint 1234)
    // + appended 2 (zigzag varint 5000) + newest time 8
    assertThat(bytes).hasSize(2 * 16 * 8 * 4 + 31);
    LreaEntry back = LreaEntrySerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes));
    assertThat(back).isEqualTo(entry());
  }

  @Test
  void readsFormat1AsTheLegacyEpochWithAnUnknownAppendedCountAndAsksForMigration()
      throws IOException {
    LreaEntry current = entry();
    byte[] v1 = writeFormat1(current);
    assertThat(v1).hasSize(2 * 16 * 8 * 4 + 13);

    var restored = new LreaEntrySerializer.Snapshot();
    restored.readSnapshot(1, new DataInputDeserializer(new byte[0]), getClass().getClassLoader());
    LreaEntry back = restored.restoreSerializer().deserialize(new DataInputDeserializer(v1));

    assertThat(back.eComp()).isEqualTo(current.eComp());
    assertThat(back.eAux()).isEqualTo(current.eAux());
    assertThat(back.modelVersion()).isEqualTo(42L);
    assertThat(back.modelEpoch()).isZero();
    assertThat(back.trajectoryLength()).isEqualTo(1234);
    assertThat(back.stamp().appendedCount()).isEqualTo(-1);
    assertThat(LreaRefreshPolicy.of(10, 500).check(back, 0, 42, 1234, 1234))
        .as("an entry of unknown appended count is rebuilt on its next use")
        .isEqualTo(LreaRefreshPolicy.Freshness.STALE_TRAJECTORY);
    assertThat(
            LreaEntrySerializer.INSTANCE
                .snapshotConfiguration()
                .resolveSchemaCompatibility(restored)
                .isCompatibleAfterMigration())
        .isTrue();
  }

  @Test
  void rejectsAnUnknownFormatVersion() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    LreaEntrySerializer.INSTANCE.serialize(entry(), out);
    byte[] bytes = out.getCopyOfBuffer();
    bytes[0] = 9;
    assertThatThrownBy(
            () -> LreaEntrySerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("format 9");
  }

  @Test
  void snapshotIsCompatibleAsIsWithItself() {
    var snap = LreaEntrySerializer.INSTANCE.snapshotConfiguration();
    TypeSerializerSchemaCompatibility<LreaEntry> c =
        new LreaEntrySerializer.Snapshot().resolveSchemaCompatibility(snap);
    assertThat(c.isCompatibleAsIs()).isTrue();
  }

  @Test
  void policyTellsStaleFromFresh() {
    LreaRefreshPolicy p = LreaRefreshPolicy.of(10, 500);
    LreaEntry e = entry(); // epoch 3, version 42, length 1234, appended 5000
    assertThat(p.check((LreaEntry) null, 3, 42, 0, 0))
        .isEqualTo(LreaRefreshPolicy.Freshness.MISSING);
    assertThat(p.check(e, 3, 43, 1234, 5000))
        .isEqualTo(LreaRefreshPolicy.Freshness.STALE_MODEL_VERSION);
    assertThat(p.check(e, 4, 42, 1234, 5000))
        .as("the same version number of another run")
        .isEqualTo(LreaRefreshPolicy.Freshness.STALE_MODEL_VERSION);
    assertThat(p.check(e, 3, 42, 1243, 5009)).isEqualTo(LreaRefreshPolicy.Freshness.FRESH);
    assertThat(p.check(e, 3, 42, 1244, 5010))
        .isEqualTo(LreaRefreshPolicy.Freshness.STALE_TRAJECTORY);
    assertThat(p.check(e, 3, 42, 1224, 5000))
        .as("10 behaviors expired")
        .isEqualTo(LreaRefreshPolicy.Freshness.STALE_TRAJECTORY);
    assertThat(p.check(e, 3, 42, 1234, 5010))
        .as("at the cap the length stays, the appended count does not")
        .isEqualTo(LreaRefreshPolicy.Freshness.STALE_TRAJECTORY);
    assertThat(p.coalescedTimerTime(1_000)).isEqualTo(1_500);
    assertThat(p.coalescedTimerTime(1_499)).isEqualTo(1_500);
    assertThat(p.coalescedTimerTime(1_500)).isEqualTo(2_000);
  }
}
