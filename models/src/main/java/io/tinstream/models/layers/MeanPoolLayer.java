package io.tinstream.models.layers;

import io.tinstream.models.ModelParams;
import io.tinstream.models.internal.ParamStore;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Baseline {@code pool}: mean of the real behavior embeddings (no temporal encoding, no target).
 */
public final class MeanPoolLayer implements InterestLayer {

  @Override
  public boolean temporalEncoding() {
    return false;
  }

  @Override
  public int outputDim(ModelParams p) {
    return p.dim();
  }

  @Override
  public Operand<TFloat32> build(Ops tf, ParamStore store, ModelParams p, Inputs in) {
    Operand<TFloat32> summed =
        GraphMath.sum(
            tf, tf.math.mul(in.behaviors(), tf.expandDims(in.mask(), tf.constant(2))), 1, false);
    Operand<TFloat32> count =
        tf.math.maximum(GraphMath.sum(tf, in.mask(), 1, true), tf.constant(1f));
    return tf.math.div(summed, count);
  }
}
