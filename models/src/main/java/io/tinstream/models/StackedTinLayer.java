package io.tinstream.models;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Stacked TIN (MODELS.md "Stacked TIN"): per layer {@code k^l = W^l_k ẽ}, {@code v^l = W^l_v ẽ};
 * layer 1 queries from the target ({@code q^1 = W^1_q ṽ_t}, {@code u^1 = W^1_u ṽ_t}), layer {@code
 * l > 1} from the previous output with a residual to the target ({@code q^l = W^l_q (h^{l-1} +
 * ṽ_t)}, same for {@code u^l}); {@code h^l = Σ_i softmax_i(q^l·k^l_i/√d)(v^l_i ⊙ u^l)}; output
 * {@code h^L}.
 *
 * <p>Projections follow {@link ModelParams#projections()} exactly as {@link TinLayer} (identity by
 * default, so STIN and TIN are compared with the same parametrization); layer 1 names its weights
 * {@code tin_W_*}: depth 1 is TIN, weight for weight.
 */
public final class StackedTinLayer implements InterestLayer {
  public static final int MAX_DEPTH = 4;

  private final int depth;

  public StackedTinLayer(int depth) {
    if (depth < 1 || depth > MAX_DEPTH) {
      throw new IllegalArgumentException("STIN depth must be in 1.." + MAX_DEPTH + ": " + depth);
    }
    this.depth = depth;
  }

  public int depth() {
    return depth;
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
    int d = p.dim();
    Operand<TFloat32> e = in.behaviors();
    Operand<TFloat32> vt = in.target();
    Operand<TFloat32> h = null;
    for (int l = 1; l <= depth; l++) {
      String prefix = l == 1 ? "tin_W_" : "stin" + l + "_W_";
      Operand<TFloat32> src = l == 1 ? vt : tf.math.add(h, vt); // residual query
      Operand<TFloat32> q = src;
      Operand<TFloat32> u = src;
      Operand<TFloat32> k = e;
      Operand<TFloat32> v = e;
      if (p.projections()) {
        // Same creation order as TinLayer (q, u, k, v).
        q = tf.linalg.matMul(src, store.eye(tf, prefix + "q", d));
        u = tf.linalg.matMul(src, store.eye(tf, prefix + "u", d));
        k = Layers.project3(tf, e, store.eye(tf, prefix + "k", d), d);
        v = Layers.project3(tf, e, store.eye(tf, prefix + "v", d), d);
      }
      Operand<TFloat32> logits =
          tf.math.mul(
              Layers.sum(tf, tf.math.mul(k, tf.expandDims(q, tf.constant(1))), 2, false),
              tf.constant((float) (1.0 / Math.sqrt(d))));
      Operand<TFloat32> alpha =
          tf.math.mul(tf.nn.softmax(Layers.maskLogits(tf, logits, in.mask())), in.mask());
      Operand<TFloat32> rep = tf.math.mul(v, tf.expandDims(u, tf.constant(1)));
      h = Layers.sum(tf, tf.math.mul(rep, tf.expandDims(alpha, tf.constant(2))), 1, false);
    }
    return h;
  }
}
