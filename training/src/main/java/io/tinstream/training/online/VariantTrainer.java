package io.tinstream.training.online;

import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;
import io.tinstream.models.NonFiniteStepException;

/**
 * One model variant learning online: each micro-batch is first scored (progressive validation),
 * then trained on unless the model refuses the step (non-finite scores, or a loss, gradient or
 * updated weight that is not finite), in which case it is skipped and counted and the model is left
 * untouched.
 */
public final class VariantTrainer implements AutoCloseable {

  /** What one micro-batch did. */
  public record Step(boolean applied, float loss, long version) {}

  private final String variant;
  private final CtrModel model;
  private final ScoreWindow validation;
  private long skippedBatches;
  private long trainedSamples;

  /**
   * @param validation where the scores made before each training step go with their labels
   *     (progressive validation)
   */
  public VariantTrainer(String variant, CtrModel model, ScoreWindow validation) {
    this.variant = variant;
    this.model = model;
    this.validation = validation;
  }

  /**
   * Scores, then trains on {@code batch}; {@code eventTimeMs} (its newest example's time) first
   * moves the model's id mappings to that time.
   */
  public Step step(Batch batch, long eventTimeMs) {
    model.advanceIdClock(eventTimeMs);
    float[] before;
    try {
      before = model.score(batch);
    } catch (IllegalStateException nanScores) {
      skippedBatches++;
      return new Step(false, Float.NaN, model.version());
    }
    float trained;
    try {
      trained = model.trainStep(batch);
    } catch (NonFiniteStepException skipped) {
      // The model checked loss, gradients and the weights the step would write before applying
      // anything (the scores' log loss cannot tell: it clips probabilities and is always finite),
      // so the weights are exactly as before and the next batch trains as usual.
      skippedBatches++;
      return new Step(false, skipped.loss(), model.version());
    }
    // Recorded only for a trained batch: a skipped one may carry non-finite labels.
    validation.record(before, batch.labels, System.currentTimeMillis());
    trainedSamples += batch.size;
    return new Step(true, trained, model.version());
  }

  public String variant() {
    return variant;
  }

  public CtrModel model() {
    return model;
  }

  public ScoreWindow validation() {
    return validation;
  }

  public long skippedBatches() {
    return skippedBatches;
  }

  public long trainedSamples() {
    return trainedSamples;
  }

  @Override
  public void close() {
    model.close();
  }
}
