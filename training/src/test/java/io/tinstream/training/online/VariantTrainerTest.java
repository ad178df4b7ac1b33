package io.tinstream.training.online;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;
import io.tinstream.models.ModelParams;
import io.tinstream.models.ModelRegistry;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VariantTrainerTest {
  private static final int MAX_LEN = 6;

  private static ModelParams.Builder params() {
    return ModelParams.builder()
        .variant("tin")
        .dim(4)
        .rows(ModelParams.Field.ITEM, 50)
        .rows(ModelParams.Field.CAT1, 8)
        .rows(ModelParams.Field.CAT2, 8)
        .rows(ModelParams.Field.CAT3, 8)
        .rows(ModelParams.Field.ACTION, 5)
        .rows(ModelParams.Field.SCENARIO, 4)
        .maxHistoryLength(MAX_LEN)
        .mlpLayers(8, 4)
        .seed(7);
  }

  private static Batch batch(long seed) {
    Random rnd = new Random(seed);
    int size = 8;
    Batch b = Batch.allocate(size, MAX_LEN, true);
    for (int r = 0; r < size; r++) {
      int len = 1 + rnd.nextInt(MAX_LEN);
      b.lengths[r] = len;
      for (int j = 0; j < MAX_LEN; j++) {
        int i = r * MAX_LEN + j;
        b.histItem[i] = rnd.nextInt(50);
        b.histCat1[i] = rnd.nextInt(5);
        b.histCat2[i] = rnd.nextInt(5);
        b.histCat3[i] = rnd.nextInt(5);
        b.histAction[i] = rnd.nextInt(3);
        b.histScenario[i] = rnd.nextInt(2);
        b.histDeltaSec[i] = rnd.nextFloat() * 100_000f;
        b.histPosition[i] = j < len ? len - j : 0;
      }
      b.targetItem[r] = rnd.nextInt(50);
      b.targetCat1[r] = rnd.nextInt(5);
      b.targetCat2[r] = rnd.nextInt(5);
      b.targetCat3[r] = rnd.nextInt(5);
      b.targetScenario[r] = rnd.nextInt(2);
      b.labels[r] = r % 2;
      b.userIds[r] = r;
    }
    return b;
  }

  @Test
  void batchWithNonFiniteLabelsIsSkippedCountedAndChangesNothing() {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
      try (VariantTrainer trainer =
          new VariantTrainer("tin", ModelRegistry.build(params().build()), 100)) {
        assertThat(trainer.step(batch(1)).applied()).isTrue();
        CtrModel model = trainer.model();
        byte[] before = model.exportVariables();
        Batch b = batch(2);
        b.labels[5] = bad;
        VariantTrainer.Step step = trainer.step(b);
        assertThat(step.applied()).isFalse();
        assertThat(step.version()).isEqualTo(1);
        assertThat(trainer.skippedBatches()).isEqualTo(1);
        assertThat(trainer.trainedSamples()).isEqualTo(8);
        assertThat(model.exportVariables()).isEqualTo(before);
        assertThat(trainer.step(batch(3)).applied()).isTrue();
        assertThat(trainer.skippedBatches()).isEqualTo(1);
        assertThat(Double.isFinite(trainer.validation().logLoss())).isTrue();
      }
    }
  }

  @Test
  void batchWhoseUpdateWouldOverflowIsSkippedCountedAndChangesNothing() {
    // Scores and loss are finite (the weights are the initial ones); only the weights the step
    // would write are not.
    CtrModel model = ModelRegistry.build(params().learningRate(Float.POSITIVE_INFINITY).build());
    try (VariantTrainer trainer = new VariantTrainer("tin", model, 100)) {
      byte[] before = model.exportVariables();
      VariantTrainer.Step step = trainer.step(batch(1));
      assertThat(step.applied()).isFalse();
      assertThat(Float.isFinite(step.loss())).isTrue();
      assertThat(trainer.skippedBatches()).isEqualTo(1);
      assertThat(model.version()).isZero();
      assertThat(model.exportVariables()).isEqualTo(before);
    }
  }
}
