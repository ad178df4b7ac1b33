package io.tinstream.training.online;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;
import io.tinstream.models.ModelParams;
import io.tinstream.models.ModelRegistry;
import io.tinstream.training.TinyModels;
import org.junit.jupiter.api.Test;

class VariantTrainerTest {
  private static ModelParams.Builder params() {
    return TinyModels.params();
  }

  private static Batch batch(long seed) {
    return TinyModels.batch(seed, 0);
  }

  private static ScoreWindow window() {
    return new ScoreWindow(60_000, 1, 100);
  }

  @Test
  void batchWithNonFiniteLabelsIsSkippedCountedAndChangesNothing() {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
      try (VariantTrainer trainer =
          new VariantTrainer("tin", ModelRegistry.build(params().build()), window())) {
        assertThat(trainer.step(batch(1), 0L).applied()).isTrue();
        CtrModel model = trainer.model();
        byte[] before = model.exportVariables();
        Batch b = batch(2);
        b.labels[5] = bad;
        VariantTrainer.Step step = trainer.step(b, 0L);
        assertThat(step.applied()).isFalse();
        assertThat(step.version()).isEqualTo(1);
        assertThat(trainer.skippedBatches()).isEqualTo(1);
        assertThat(trainer.trainedSamples()).isEqualTo(8);
        assertThat(model.exportVariables()).isEqualTo(before);
        assertThat(trainer.step(batch(3), 0L).applied()).isTrue();
        assertThat(trainer.skippedBatches()).isEqualTo(1);
        assertThat(trainer.validation().seen()).isEqualTo(16);
      }
    }
  }

  @Test
  void batchWhoseUpdateWouldOverflowIsSkippedCountedAndChangesNothing() {
    // Scores and loss are finite (the weights are the initial ones); only the weights the step
    // would write are not.
    CtrModel model = ModelRegistry.build(params().learningRate(Float.POSITIVE_INFINITY).build());
    try (VariantTrainer trainer = new VariantTrainer("tin", model, window())) {
      byte[] before = model.exportVariables();
      VariantTrainer.Step step = trainer.step(batch(1), 0L);
      assertThat(step.applied()).isFalse();
      assertThat(Float.isFinite(step.loss())).isTrue();
      assertThat(trainer.skippedBatches()).isEqualTo(1);
      assertThat(model.version()).isZero();
      assertThat(model.exportVariables()).isEqualTo(before);
    }
  }
}
