package io.tinstream.training.online;

import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;

/**
 * One model variant learning online: each micro-batch is first scored (progressive validation),
 * then trained on unless its loss is not finite, in which case it is skipped and counted and the
 * model is left untouched.
 */
public final class VariantTrainer implements AutoCloseable {

  /** What one micro-batch did. */
  public record Step(boolean applied, float loss, long version) {}

  private final String variant;
  private final CtrModel model;
  private final ProgressiveValidation validation;
  private long skippedBatches;
  private long trainedSamples;

  public VariantTrainer(String variant, CtrModel model, int validationWindow) {
    this.variant = variant;
    this.model = model;
    this.validation = new ProgressiveValidation(validationWindow);
  }

  public Step step(Batch batch) {
    float[] before;
    try {
      before = model.score(batch);
    } catch (IllegalStateException nanScores) {
      skippedBatches++;
      return new Step(false, Float.NaN, model.version());
    }
    validation.record(before, batch.labels);
    // The scores just taken are the model's predictions before this update, so their log loss is
    // the loss the step would apply: checking it here spares a second forward pass.
    float loss = (float) io.tinstream.training.metrics.Metrics.logLoss(before, batch.labels);
    if (!Float.isFinite(loss)) {
      skippedBatches++;
      return new Step(false, loss, model.version());
    }
    float trained = model.trainStep(batch);
    trainedSamples += batch.size;
    return new Step(true, trained, model.version());
  }

  public String variant() {
    return variant;
  }

  public CtrModel model() {
    return model;
  }

  public ProgressiveValidation validation() {
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
