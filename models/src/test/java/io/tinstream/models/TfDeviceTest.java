package io.tinstream.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.GraphOperation;

/** Device placement is configuration: a GPU-placed model runs on a CPU-only machine. */
class TfDeviceTest {

  @Test
  void parsesTheDocumentedFormsAndRefusesOthers() {
    assertThat(TfDevice.parse("cpu")).isEqualTo(TfDevice.CPU);
    assertThat(TfDevice.parse("GPU:1")).isEqualTo(new TfDevice(true, 1));
    assertThat(TfDevice.parse("gpu")).isEqualTo(new TfDevice(true, 0));
    assertThat(TfDevice.parse(TfDevice.parse("gpu:3").toString())).isEqualTo(new TfDevice(true, 3));
    for (String bad : new String[] {"gpu:x", "gpu:-1", "cpu:1", "tpu:0", "", "gpu:"}) {
      assertThatThrownBy(() -> TfDevice.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'cpu' or 'gpu:N'");
    }
  }

  @Test
  void negativeThreadsAreRefusedAndZeroMeansTfDefault() {
    assertThatThrownBy(() -> TestBatches.tinyParams("tin").toBuilder().threads(-1, 1).build())
        .hasMessageContaining("threads must be >= 0");
    ModelParams params = TestBatches.tinyParams("tin").toBuilder().threads(0, 0).build();
    try (CtrModel m = ModelRegistry.build(params)) {
      assertThat(m.score(TestBatches.random(new Random(2), 4, 5, 30))).hasSize(4);
    }
  }

  @Test
  void aModelPlacedOnGpu0TrainsAndScoresWithoutAGpu() {
    ModelParams params =
        TestBatches.tinyParams("tin").toBuilder()
            .device(TfDevice.parse("gpu:0"))
            .threads(1, 1)
            .build();
    try (TfCtrModel m = (TfCtrModel) ModelRegistry.build(params)) {
      // The placement reaches the graph: without it this test would pass on any CPU build.
      List<String> devices = new ArrayList<>();
      m.graph().operations().forEachRemaining((GraphOperation op) -> devices.add(op.device()));
      assertThat(devices).anyMatch(d -> d.toUpperCase().contains("GPU:0"));

      Batch b = TestBatches.random(new Random(7), 8, 5, 30);
      float[] before = m.score(b);
      float first = m.trainStep(b);
      for (int i = 0; i < 20; i++) {
        m.trainStep(b);
      }
      float later = m.trainStep(b);
      float[] after = m.score(b);
      assertThat(Float.isFinite(first) && Float.isFinite(later)).isTrue();
      assertThat(later).isLessThan(first);
      assertThat(after).hasSize(8).isNotEqualTo(before);
      assertThat(m.version()).isEqualTo(22);
    }
  }
}
