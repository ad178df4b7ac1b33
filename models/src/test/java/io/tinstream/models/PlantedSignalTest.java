package io.tinstream.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A planted signal only a target-aware sequence model can read: the label is 1 iff the target's
 * category occurs among the user's behaviors. TIN must reach AUC > 0.9 within a bounded number of
 * steps; a constant scorer gets 0.5, and mean pooling (no target-aware attention) trained the same
 * steps on the same data stays clearly below.
 */
class PlantedSignalTest {
  static final int CATS = 20;

  /** Measured: tin 0.912 against pool 0.612 after the same 1,100 steps. */
  static final double MARGIN = 0.2;

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

  /** TIN's AUC and the steps it took; the negative control trains exactly as many. */
  record Trained(double auc, int steps) {}

  @Test
  void tinLearnsPlantedSignalAndMeanPoolingDoesNot() {
    Batch holdout = plantedBatch(new Random(99), 1000, 8);
    Trained tin = train("tin", holdout, 1500, 0.9);
    assertThat(tin.auc()).as("tin AUC after %d steps", tin.steps()).isGreaterThan(0.9);
    // Negative control: the same data, steps and head without target-aware attention.
    Trained pool = train("pool", holdout, tin.steps(), Double.POSITIVE_INFINITY);
    assertThat(tin.auc())
        .as("tin AUC %.3f against pool's %.3f after %d steps", tin.auc(), pool.auc(), tin.steps())
        .isGreaterThanOrEqualTo(pool.auc() + MARGIN);
    float[] constant = new float[holdout.size];
    java.util.Arrays.fill(constant, 0.5f);
    assertThat(TestBatches.auc(constant, holdout.labels)).isLessThan(0.9);
  }

  /** Trains in rounds of 100 steps until the holdout AUC exceeds {@code stopAbove} or the cap. */
  private static Trained train(String variant, Batch holdout, int maxSteps, double stopAbove) {
    ModelParams p =
        ModelParams.builder()
            .variant(variant)
            .dim(8)
            .rows(ModelParams.Field.ITEM, 1 << 12)
            .mlpLayers(32, 16)
            .learningRate(3e-3f)
            .embeddingLearningRate(0.1f)
            .seed(3)
            .build();
    Random rnd = new Random(17);
    try (CtrModel m = ModelRegistry.build(p)) {
      double auc = 0;
      int steps = 0;
      while (steps < maxSteps && auc <= stopAbove) {
        for (int k = 0; k < 100 && steps < maxSteps; k++, steps++) {
          m.trainStep(plantedBatch(rnd, 64, 8));
        }
        auc = TestBatches.auc(m.score(holdout), holdout.labels);
      }
      return new Trained(auc, steps);
    }
  }
}
