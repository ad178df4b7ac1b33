package io.tinstream.models.layers;

import io.tinstream.models.ModelParams;
import io.tinstream.models.internal.ParamStore;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * DIN baseline (MODELS.md "DIN baseline"): {@code α_i = MLP([ẽ_i, ṽ_t, ẽ_i − ṽ_t, ẽ_i ⊙ ṽ_t])}
 * without softmax over the full sequence, interest {@code Σ_i α_i ẽ_i}; padded α are zeroed.
 */
public final class DinLayer implements InterestLayer {

  /** Hidden width of the attention MLP. */
  public record Settings(int attentionHidden) {
    public static final Settings DEFAULT = new Settings(36);

    public void validate() {
      if (attentionHidden <= 0) {
        throw new IllegalArgumentException("dinAttentionHidden must be > 0");
      }
    }
  }

  /** Initial attention weight of every behavior (bias of the attention MLP's output). */
  static final float INITIAL_ALPHA = 1f;

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
    Operand<TFloat32> vt = GraphMath.tileLike(tf, in.target(), e);
    Operand<TFloat32> x =
        tf.concat(List.of(e, vt, tf.math.sub(e, vt), tf.math.mul(e, vt)), tf.constant(2));
    Operand<TFloat32> flat = tf.reshape(x, tf.constant(new int[] {-1, 4 * d}));
    Operand<TFloat32> h =
        GraphMath.leakyRelu(
            tf, GraphMath.dense(tf, store, "din_att_0", flat, 4 * d, p.din().attentionHidden()));
    // Output bias starts at 1, weights at Glorot: α_i ≈ 1 at init, so the count-normalized sum
    // below starts as mean pooling of ẽ_i (where TIN's uniform softmax also starts) instead of
    // ≈ 0 with random signs, which left DIN behind pool within a fixed epoch budget.
    Operand<TFloat32> a =
        tf.math.add(
            tf.linalg.matMul(h, store.glorot(tf, "din_att_out_W", p.din().attentionHidden(), 1)),
            store.dense(tf, "din_att_out_b", new long[] {1}, new float[] {INITIAL_ALPHA}));
    Operand<TFloat32> alpha =
        tf.math.mul(tf.reshape(a, tf.shape(in.mask())), in.mask()); // [B, L], padded -> 0
    // Deviation from MODELS.md's plain Σ α_i ẽ_i: divided by the number of real behaviors. With
    // L = 100 and unnormalized α the plain sum diverged on MovieLens (loss ~1e6 in the first epoch
    // at the embedding learning rate the other variants use); the mean keeps α unnormalized across
    // positions (no softmax, intensity preserved relative to the other behaviors) and the scale
    // independent of L.
    Operand<TFloat32> count =
        tf.math.maximum(GraphMath.sum(tf, in.mask(), 1, true), tf.constant(1f));
    return tf.math.div(
        GraphMath.sum(tf, tf.math.mul(e, tf.expandDims(alpha, tf.constant(2))), 1, false), count);
  }
}
