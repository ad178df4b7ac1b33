package io.tinstream.models.layers;

import io.tinstream.models.ModelParams;
import io.tinstream.models.internal.ParamStore;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A layer fed with a searched subsequence instead of the latest behaviors (SIM, TIN + hierarchical
 * hard search): the math is the wrapped layer's; only {@link #history()} differs, which tells the
 * caller (eval task, online feature assembly) which search of the state module to run.
 */
public final class SearchedLayer implements InterestLayer {
  private final InterestLayer inner;
  private final History history;

  public SearchedLayer(InterestLayer inner, History history) {
    this.inner = inner;
    this.history = history;
  }

  @Override
  public boolean temporalEncoding() {
    return inner.temporalEncoding();
  }

  @Override
  public int outputDim(ModelParams p) {
    return inner.outputDim(p);
  }

  @Override
  public Operand<TFloat32> build(Ops tf, ParamStore store, ModelParams p, Inputs in) {
    return inner.build(tf, store, p, in);
  }

  @Override
  public Operand<TFloat32> build(
      Ops tf, ParamStore store, ModelParams p, Inputs in, Features features) {
    return inner.build(tf, store, p, in, features);
  }

  @Override
  public boolean usesBehaviorEmbeddings() {
    return inner.usesBehaviorEmbeddings();
  }

  @Override
  public boolean outputsLogit() {
    return inner.outputsLogit();
  }

  @Override
  public History history() {
    return history;
  }
}
