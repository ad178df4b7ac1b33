package io.tinstream.models.layers;

import io.tinstream.models.internal.ParamStore;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * The item-match term (an addition to MODELS.md, see docs/online-eval.md): {@code e_i += m ·
 * [item_i = item_a]}, one learned vector {@code m ∈ R^d} added to every behavior whose item row is
 * the target's. Summed field embeddings give attention no cheap way to tell "this behavior is the
 * ad's own item" from "this behavior shares its categories": the item rows would have to grow apart
 * one by one, and an online model sees each item too rarely for that (docs/online-eval.md). The
 * indicator is exact and costs one comparison per behavior. Row 0 (unknown ids) never matches.
 */
public final class ItemMatch {
  public static final String VARIABLE = "item_match";

  private ItemMatch() {}

  /** {@code e} {@code [B, L, d]} with {@code m} added where the behavior's item is the target's. */
  public static Operand<TFloat32> add(
      Ops tf, ParamStore store, InterestLayer.Features f, Operand<TFloat32> e, int d) {
    Operand<TBool> same =
        tf.math.logicalAnd(
            tf.math.equal(f.histItem(), tf.expandDims(f.targetItem(), tf.constant(1))),
            tf.math.greater(f.histItem(), tf.constant(0)));
    Operand<TFloat32> match = tf.expandDims(tf.dtypes.cast(same, TFloat32.class), tf.constant(2));
    // Zeros: the model starts exactly as without the term and learns how much a match counts.
    Operand<TFloat32> m = store.zeros(tf, VARIABLE, d);
    return tf.math.add(e, tf.math.mul(match, m));
  }
}
