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
    return new LreaEntry(16, 8, 42L, 1234, comp, aux);
  }

  @Test
  void roundTripsWithVersionByteAndExpectedSize() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    LreaEntrySerializer.INSTANCE.serialize(entry(), out);
    byte[] bytes = out.getCopyOfBuffer();
    assertThat(bytes[0]).isEqualTo((byte) LreaEntrySerializer.CURRENT_VERSION);
    // header: version 1 + d 1 + r 1 + model version 8 + length 2 (varint 1234)
    assertThat(bytes).hasSize(2 * 16 * 8 * 4 + 13);
    LreaEntry back = LreaEntrySerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes));
    assertThat(back).isEqualTo(entry());
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
    LreaEntry e = entry();
    assertThat(p.check(null, 42, 0)).isEqualTo(LreaRefreshPolicy.Freshness.MISSING);
    assertThat(p.check(e, 43, 1234)).isEqualTo(LreaRefreshPolicy.Freshness.STALE_MODEL_VERSION);
    assertThat(p.check(e, 42, 1243)).isEqualTo(LreaRefreshPolicy.Freshness.FRESH);
    assertThat(p.check(e, 42, 1244)).isEqualTo(LreaRefreshPolicy.Freshness.STALE_TRAJECTORY);
    assertThat(p.coalescedTimerTime(1_000)).isEqualTo(1_500);
    assertThat(p.coalescedTimerTime(1_499)).isEqualTo(1_500);
    assertThat(p.coalescedTimerTime(1_500)).isEqualTo(2_000);
  }
}
