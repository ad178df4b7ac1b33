package io.tinstream.models.layers;

import io.tinstream.models.internal.ParamStore;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Shared graph math (static helpers; {@code Ops} is passed in, never stored). */
public final class GraphMath {
  /** Attention logit of a padded position (MODELS.md: "-inf", as a large finite constant). */
  public static final float MASKED_LOGIT = -1e9f;

  public static final float LEAKY_ALPHA = 0.2f;

  private GraphMath() {}

  /** {@code x · W + b} over the last axis of a rank-2 input. */
  public static Operand<TFloat32> dense(
      Ops tf, ParamStore store, String name, Operand<TFloat32> x, int in, int out) {
    Operand<TFloat32> w = store.glorot(tf, name + "_W", in, out);
    Operand<TFloat32> b = store.zeros(tf, name + "_b", out);
    return tf.math.add(tf.linalg.matMul(x, w), b);
  }

  public static Operand<TFloat32> leakyRelu(Ops tf, Operand<TFloat32> x) {
    return tf.nn.leakyRelu(x, LeakyRelu.alpha(LEAKY_ALPHA));
  }

  /** Applies a {@code [d, d]} matrix to the last axis of {@code [B, L, d]}. */
  public static Operand<TFloat32> project3(
      Ops tf, Operand<TFloat32> x, Operand<TFloat32> w, int d) {
    Operand<TInt32> shape = tf.shape(x);
    Operand<TFloat32> flat = tf.reshape(x, tf.constant(new int[] {-1, d}));
    return tf.reshape(tf.linalg.matMul(flat, w), shape);
  }

  /** Replaces logits of padded positions by {@link #MASKED_LOGIT} (differentiable, no select). */
  public static Operand<TFloat32> maskLogits(
      Ops tf, Operand<TFloat32> logits, Operand<TFloat32> mask) {
    Operand<TFloat32> padPenalty =
        tf.math.mul(tf.math.sub(tf.constant(1f), mask), tf.constant(MASKED_LOGIT));
    return tf.math.add(tf.math.mul(logits, mask), padPenalty);
  }

  /** {@code ((x_0 + x_1) + x_2) + ...}, left to right. */
  @SafeVarargs
  public static Operand<TFloat32> add(Ops tf, Operand<TFloat32>... xs) {
    Operand<TFloat32> s = xs[0];
    for (int i = 1; i < xs.length; i++) {
      s = tf.math.add(s, xs[i]);
    }
    return s;
  }

  /** Row-wise sum over axis. */
  public static Operand<TFloat32> sum(Ops tf, Operand<TFloat32> x, int axis, boolean keep) {
    return tf.sum(x, tf.constant(axis), Sum.keepDims(keep));
  }

  /** {@code [B, d] -> [B, L, d]} by tiling along a new axis 1 to match {@code like [B, L, d]}. */
  public static Operand<TFloat32> tileLike(Ops tf, Operand<TFloat32> v, Operand<TFloat32> like) {
    Operand<TInt32> len = tf.gather(tf.shape(like), tf.constant(new int[] {1}), tf.constant(0));
    Operand<TInt32> multiples =
        tf.concat(
            List.of(tf.constant(new int[] {1}), len, tf.constant(new int[] {1})), tf.constant(0));
    return tf.tile(tf.expandDims(v, tf.constant(1)), multiples);
  }
}
