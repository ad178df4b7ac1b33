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
    float loss = model.loss(batch);
    if (!Float.isFinite(loss)) {
      skippedBatches++;
      return new Step(false, loss, model.version());
    }
    // The guard costs one extra forward pass; it is what keeps a poisoned batch from ever
    // reaching the optimizer.
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
