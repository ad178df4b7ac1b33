package io.tinstream.models.layers;

import io.tinstream.models.ModelParams;
import io.tinstream.models.internal.ParamStore;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * TIN backbone (MODELS.md "TIN layer"): {@code α_i = softmax_i(q·k_i/√d)} (TA) and {@code Σ_i α_i
 * (v_i ⊙ u)} (TR), with {@code W_q, W_k, W_v, W_u} identity unless {@link Settings#projections()}
 * turns on learned ones (initialized to identity).
 */
public final class TinLayer implements InterestLayer {

  /**
   * {@code projections}: learned {@code W_q, W_k, W_v, W_u} instead of identity; off by default
   * because DARE shows projections hurt at small {@code d} (MODELS.md "TIN layer").
   */
  public record Settings(boolean projections) {
    public static final Settings DEFAULT = new Settings(false);
  }

  @Override
  public boolean temporalEncoding() {
    return true;
  }

  @Override
  public int outputDim(ModelParams p) {
    return p.dim();
  }

  @Override
  public Operand<TFloat32> build(Ops tf, ParamStore store, ModelParams p, Inputs in) {
    return attend(tf, store, p, in, in.target(), "tin_W_");
  }

  /**
   * One TIN block with {@code query} in the target's place (TA + TR); its projections, when on, are
   * named {@code prefix + q|u|k|v} and created in that order. Stacked TIN calls it per layer.
   */
  static Operand<TFloat32> attend(
      Ops tf, ParamStore store, ModelParams p, Inputs in, Operand<TFloat32> query, String prefix) {
    int d = p.dim();
    Operand<TFloat32> e = in.behaviors();
    Operand<TFloat32> q = query;
    Operand<TFloat32> u = query;
    Operand<TFloat32> k = e;
    Operand<TFloat32> v = e;
    if (p.tin().projections()) {
      q = tf.linalg.matMul(query, store.eye(tf, prefix + "q", d));
      u = tf.linalg.matMul(query, store.eye(tf, prefix + "u", d));
      k = GraphMath.project3(tf, e, store.eye(tf, prefix + "k", d), d);
      v = GraphMath.project3(tf, e, store.eye(tf, prefix + "v", d), d);
    }
    // TA: q·k_i / sqrt(d), padded positions masked, softmax over i.
    Operand<TFloat32> logits =
        tf.math.mul(
            GraphMath.sum(tf, tf.math.mul(k, tf.expandDims(q, tf.constant(1))), 2, false),
            tf.constant((float) (1.0 / Math.sqrt(d))));
    Operand<TFloat32> alpha =
        tf.math.mul(tf.nn.softmax(GraphMath.maskLogits(tf, logits, in.mask())), in.mask());
    // TR: Σ_i α_i (v_i ⊙ u); the trailing mask multiply makes an empty history give exactly 0.
    Operand<TFloat32> rep = tf.math.mul(v, tf.expandDims(u, tf.constant(1)));
    return GraphMath.sum(tf, tf.math.mul(rep, tf.expandDims(alpha, tf.constant(2))), 1, false);
  }
}
