package io.tinstream.models.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VariableCodecTest {

  private static VariableCodec.Snapshot snapshot(byte[] idRows) {
    return new VariableCodec.Snapshot(
        false,
        "tin",
        7L,
        5L,
        7L,
        Map.of("w", new VariableCodec.Dense(new long[] {2}, new float[] {1f, 2f})),
        Map.of(
            "emb_item",
            new VariableCodec.Rows(2, new int[] {3}, new float[] {0.5f, 0.25f}, new float[2])),
        idRows);
  }

  @Test
  void anExportCarriesItsIdMappingBytesOrNone() {
    byte[] mapping = {1, 'D', 9, 9};
    assertThat(VariableCodec.decode(VariableCodec.encode(snapshot(mapping))).idRows())
        .containsExactly(mapping);
    assertThat(VariableCodec.decode(VariableCodec.encode(snapshot(null))).idRows()).isNull();
  }

  @Test
  void formatVersionOneExportsStillReadWithoutAMapping() {
    byte[] v2 = VariableCodec.encode(snapshot(null));
    // Version 1 is version 2 without the trailing id-row length (-1 here).
    byte[] v1 = Arrays.copyOf(v2, v2.length - 4);
    ByteBuffer.wrap(v1).putInt(4, 1);
    VariableCodec.Snapshot s = VariableCodec.decode(v1);
    assertThat(s.idRows()).isNull();
    assertThat(s.version()).isEqualTo(7L);
    assertThat(s.tables().get("emb_item").values()).containsExactly(0.5f, 0.25f);
  }

  @Test
  void aMappingLongerThanTheExportIsRefusedBeforeItIsAllocated() {
    byte[] v2 = VariableCodec.encode(snapshot(null));
    ByteBuffer.wrap(v2).putInt(v2.length - 4, Integer.MAX_VALUE);
    assertThatThrownBy(() -> VariableCodec.decode(v2)).hasMessageContaining("corrupt");
  }
}
