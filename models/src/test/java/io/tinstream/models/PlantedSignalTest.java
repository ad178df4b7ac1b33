package io.tinstream.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A planted signal only a target-aware sequence model can read: the label is 1 iff the target's
 * category occurs among the user's behaviors. TIN must reach AUC > 0.9 within a bounded number of
 * steps; a constant scorer gets 0.5 on the same data.
 */
class PlantedSignalTest {
  static final int CATS = 20;

  static Batch plantedBatch(Random rnd, int size, int maxLen) {
    Batch b = Batch.allocate(size, maxLen, true);
    for (int r = 0; r < size; r++) {
      int len = 3 + rnd.nextInt(maxLen - 2);
      b.lengths[r] = len;
      boolean[] seen = new boolean[CATS];
      for (int j = 0; j < len; j++) {
        int i = r * maxLen + j;
        int c = rnd.nextInt(CATS);
        seen[c] = true;
        b.histItem[i] = 1000 + rnd.nextInt(5000);
        b.histCat1[i] = c;
        b.histCat2[i] = -1;
        b.histCat3[i] = -1;
        b.histAction[i] = 1;
        b.histScenario[i] = 1;
        b.histDeltaSec[i] = (len - j) * 3600f;
        b.histPosition[i] = len - j;
      }
      int tc = rnd.nextInt(CATS);
      b.targetItem[r] = 1000 + rnd.nextInt(5000);
      b.targetCat1[r] = tc;
      b.targetCat2[r] = -1;
      b.targetCat3[r] = -1;
      b.targetScenario[r] = 1;
      b.labels[r] = seen[tc] ? 1f : 0f;
    }
    return b;
  }

  @Test
  void tinLearnsPlantedSignal() {
    ModelParams p =
        ModelParams.builder()
            .variant("tin")
            .dim(8)
            .rows(ModelParams.Field.ITEM, 1 << 12)
            .mlpLayers(32, 16)
            .learningRate(3e-3f)
            .embeddingLearningRate(0.1f)
            .seed(3)
            .build();
    Random rnd = new Random(17);
    Batch holdout = plantedBatch(new Random(99), 1000, 8);
    try (CtrModel m = ModelRegistry.build(p)) {
      double before = TestBatches.auc(m.score(holdout), holdout.labels);
      double auc = 0;
      int steps = 0;
      while (steps < 1500 && auc <= 0.9) {
        for (int k = 0; k < 100; k++, steps++) {
          m.trainStep(plantedBatch(rnd, 64, 8));
        }
        auc = TestBatches.auc(m.score(holdout), holdout.labels);
      }
      assertThat(auc)
          .as("AUC after %d steps (before training %.3f)", steps, before)
          .isGreaterThan(0.9);
    }
    float[] constant = new float[holdout.size];
    java.util.Arrays.fill(constant, 0.5f);
    assertThat(TestBatches.auc(constant, holdout.labels)).isLessThan(0.9);
  }
}
