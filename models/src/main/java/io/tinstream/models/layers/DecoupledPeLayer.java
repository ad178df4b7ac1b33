package io.tinstream.models.layers;

import io.tinstream.models.CategorySlots;
import io.tinstream.models.ModelParams;
import io.tinstream.models.internal.ParamStore;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * TIN with target-decoupled temporal encodings (MODELS.md "Target-decoupled temporal encoding"):
 *
 * <ul>
 *   <li>TdPE ({@code perCategoryTables = false}): behaviors share {@code P_pos}, {@code P_dt}; the
 *       target's encoding is one row per target category, {@code p_t = P0[c_t]} (table {@code
 *       P0_cat}, {@code categorySlots + 1} rows).
 *   <li>dPE ({@code true}): both sides use the tables of the target's category, {@code p_i =
 *       P_pos^{(c_t)}[pos_i] + P_dt^{(c_t)}[dt_i]}, {@code p_t = P_pos^{(c_t)}[0] +
 *       P_dt^{(c_t)}[0]}; stored as one table per kind with block {@code c_t} at rows {@code c_t *
 *       buckets ...}.
 * </ul>
 *
 * Categories beyond {@link ModelParams#categorySlots()} share the default slot 0 ({@link
 * CategorySlots}). The backbone is {@link TinLayer}.
 */
public final class DecoupledPeLayer implements InterestLayer {
  public static final String TDPE_TARGET_TABLE = "P0_cat";
  public static final String DPE_POS_TABLE = "P_pos_cat";
  public static final String DPE_DT_TABLE = "P_dt_cat";

  private final boolean perCategoryTables;
  private final TinLayer tin = new TinLayer();

  public DecoupledPeLayer(boolean perCategoryTables) {
    this.perCategoryTables = perCategoryTables;
  }

  @Override
  public boolean temporalEncoding() {
    return false; // this layer adds its own encodings
  }

  @Override
  public int outputDim(ModelParams p) {
    return p.dim();
  }

  @Override
  public Operand<TFloat32> build(Ops tf, ParamStore store, ModelParams p, Inputs in) {
    throw new UnsupportedOperationException("TdPE/dPE need the feature rows: use build(...)");
  }

  @Override
  public Operand<TFloat32> build(Ops tf, ParamStore store, ModelParams p, Inputs in, Features f) {
    int d = p.dim();
    int slots = p.categorySlots() + 1;
    float std = p.embeddings().initStd();
    Operand<TInt32> slot = f.targetCategorySlot(); // [B]
    Operand<TFloat32> eTilde;
    Operand<TFloat32> vTilde;
    if (!perCategoryTables) {
      TemporalEncoding shared = TemporalEncoding.base(d);
      shared.create(tf, store, p);
      store.table(tf, TDPE_TARGET_TABLE, slots, d, std);
      eTilde = shared.encodeBehaviors(tf, store, in.behaviors(), f.histPos(), f.histDt());
      vTilde = tf.math.add(in.target(), store.lookup(tf, TDPE_TARGET_TABLE, slot));
    } else {
      int pb = p.positionBuckets();
      int tb = p.timeBuckets();
      store.table(tf, DPE_POS_TABLE, slots * pb, d, std);
      store.table(tf, DPE_DT_TABLE, slots * tb, d, std);
      Operand<TInt32> slot2 = tf.expandDims(slot, tf.constant(1)); // [B, 1]
      Operand<TInt32> posRows = tf.math.add(tf.math.mul(slot2, tf.constant(pb)), f.histPos());
      Operand<TInt32> dtRows = tf.math.add(tf.math.mul(slot2, tf.constant(tb)), f.histDt());
      eTilde =
          GraphMath.add(
              tf,
              in.behaviors(),
              store.lookup(tf, DPE_POS_TABLE, posRows),
              store.lookup(tf, DPE_DT_TABLE, dtRows));
      vTilde =
          GraphMath.add(
              tf,
              in.target(),
              store.lookup(tf, DPE_POS_TABLE, tf.math.mul(slot, tf.constant(pb))),
              store.lookup(tf, DPE_DT_TABLE, tf.math.mul(slot, tf.constant(tb))));
    }
    return tin.build(tf, store, p, new Inputs(eTilde, vTilde, in.mask()));
  }
}
