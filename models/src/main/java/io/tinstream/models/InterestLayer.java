package io.tinstream.models;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The part of a model that turns a behavior sequence and a target into an interest vector. New
 * variants (DARE, DSI-TIN, STIN, LREA, ...) implement this and register in {@link ModelRegistry}.
 */
public interface InterestLayer {

  /** Inputs: behaviors {@code [B, L, d]}, target {@code [B, d]}, mask {@code [B, L]} (1 = real). */
  record Inputs(Operand<TFloat32> behaviors, Operand<TFloat32> target, Operand<TFloat32> mask) {}

  /** Whether behaviors and target arrive with the target-aware temporal encoding added. */
  boolean temporalEncoding();

  /** Width of the interest vector. */
  int outputDim(ModelParams p);

  /** Builds the interest vector {@code [B, outputDim]}; must be finite for an all-zero mask. */
  Operand<TFloat32> build(Ops tf, ParamStore store, ModelParams p, Inputs in);

  /**
   * A term added to the training loss (e.g. LREA's {@code λ·L_nonneg}), available after {@link
   * #build}; {@code null} for none.
   */
  default Operand<TFloat32> regularizer() {
    return null;
  }
}
