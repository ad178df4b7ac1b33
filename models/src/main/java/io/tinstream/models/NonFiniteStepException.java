package io.tinstream.models;

/**
 * A training step was skipped, before anything was applied, because its loss, a gradient or a
 * weight or optimizer slot it would write was not finite: the model is exactly as before the step.
 * Online trainers count it and go on with the next batch.
 */
public final class NonFiniteStepException extends IllegalStateException {
  private final float loss;

  public NonFiniteStepException(String model, long step, float loss) {
    super(
        "model "
            + model
            + ": step "
            + step
            + " skipped, its loss ("
            + loss
            + "), a gradient or an updated weight is not finite");
    this.loss = loss;
  }

  /** The batch's loss before the skipped step (may itself be the non-finite part). */
  public float loss() {
    return loss;
  }
}
