package io.tinstream.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tinstream.models.layers.SasRecLayer;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SASRec's causal self-attention: the hidden state at a position depends on that behavior and
 * earlier ones only, so changing behavior {@code j} leaves every position before it as it was.
 */
class SasRecCausalityTest {
  static final int ROWS = 8;
  static final int LEN = 6;

  @ParameterizedTest
  @ValueSource(strings = {"sasrec", "td-sasrec"})
  void aLaterBehaviorNeverChangesAnEarlierPosition(String variant) {
    ModelParams p = TestBatches.tinyParams(variant).toBuilder().categorySlots(4).build();
    int d = p.dim();
    try (TfCtrModel m = (TfCtrModel) ModelRegistry.build(p)) {
      m.trainStep(TestBatches.random(new Random(4), ROWS, LEN, 40)); // layer norms move off init
      Batch base = TestBatches.random(new Random(5), ROWS, LEN, 40);
      float[] before = m.output(SasRecLayer.OUT_HIDDEN, base); // [B, L, d], oldest first
      for (int j = 0; j < LEN; j++) {
        Batch changed = TestBatches.random(new Random(5), ROWS, LEN, 40);
        for (int r = 0; r < ROWS; r++) {
          int i = r * LEN + j;
          changed.histItem[i] = (changed.histItem[i] + 1 + r) % 40;
          changed.histCat1[i] = (changed.histCat1[i] + 1) % 5;
          changed.histAction[i] = (changed.histAction[i] + 1) % 3;
        }
        float[] after = m.output(SasRecLayer.OUT_HIDDEN, changed);
        for (int r = 0; r < ROWS; r++) {
          if (base.lengths[r] <= j) {
            continue; // slot j is padding in this row
          }
          for (int i = 0; i < j; i++) {
            for (int c = 0; c < d; c++) {
              int o = (r * LEN + i) * d + c;
              assertThat(after[o])
                  .as("%s row %d: position %d after changing behavior %d", variant, r, i, j)
                  .isCloseTo(before[o], within(1e-6f));
            }
          }
          // The change itself is visible where it happened (the test can fail).
          double moved = 0;
          for (int c = 0; c < d; c++) {
            int o = (r * LEN + j) * d + c;
            moved = Math.max(moved, Math.abs(after[o] - before[o]));
          }
          assertThat(moved).as("%s row %d position %d itself", variant, r, j).isGreaterThan(1e-4);
        }
      }
    }
  }
}
