package io.tinstream.models.layers;

import io.tinstream.models.ModelParams;
import io.tinstream.models.internal.ParamStore;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Target-aware temporal encoding (MODELS.md "Target-aware temporal encoding") over one pair of
 * tables: {@code P_pos} (row 0 is the target, 1 the most recent behavior) and {@code P_dt}
 * (logarithmic time-interval buckets, see {@code FeatureEncoding}); {@code p_i = P_pos[pos_i] +
 * P_dt[dt_i]} and {@code p_t = P_pos[0] + P_dt[0]}. The model's base pair is {@code P_pos}/{@code
 * P_dt}; a layer with its own embedding space (DARE's attention tables) uses a prefixed pair.
 */
public record TemporalEncoding(String positionTable, String intervalTable, int dim) {
  private static final String POSITION = "P_pos";
  private static final String INTERVAL = "P_dt";

  /**
   * {@code positionBuckets}: rows of {@code P_pos} (row 0 the target, 1 the most recent behavior,
   * capped at the end); {@code timeBuckets}: rows of {@code P_dt} (bucket 0 is shared by the target
   * and intervals under a minute).
   */
  public record Settings(int positionBuckets, int timeBuckets) {
    public static final Settings DEFAULT = new Settings(257, 32);

    public void validate() {
      if (timeBuckets < 2) {
        throw new IllegalArgumentException("timeBuckets must be >= 2");
      }
      if (positionBuckets < 2) {
        throw new IllegalArgumentException("positionBuckets must be >= 2");
      }
    }
  }

  /** The model's shared {@code P_pos}, {@code P_dt} at width {@code d}. */
  public static TemporalEncoding base(int d) {
    return prefixed("", d);
  }

  /** A separate pair named {@code prefix + P_pos}, {@code prefix + P_dt}. */
  public static TemporalEncoding prefixed(String prefix, int d) {
    return new TemporalEncoding(prefix + POSITION, prefix + INTERVAL, d);
  }

  /** Creates both tables unless they exist. */
  public void create(Ops tf, ParamStore store, ModelParams p) {
    float std = p.embeddings().initStd();
    store.table(tf, positionTable, p.positionBuckets(), dim, std);
    store.table(tf, intervalTable, p.timeBuckets(), dim, std);
  }

  /** {@code p_i = P_pos[pos_i] + P_dt[dt_i]} for behavior rows {@code [B, L]}. */
  public Operand<TFloat32> behaviors(
      Ops tf, ParamStore store, Operand<TInt32> positions, Operand<TInt32> intervals) {
    return tf.math.add(
        store.lookup(tf, positionTable, positions), store.lookup(tf, intervalTable, intervals));
  }

  /** {@code p_t = P_pos[0] + P_dt[0]}, {@code [1, d]} (broadcasts over the batch). */
  public Operand<TFloat32> target(Ops tf, ParamStore store) {
    Operand<TInt32> zero = tf.constant(new int[] {0});
    return tf.math.add(
        store.lookup(tf, positionTable, zero), store.lookup(tf, intervalTable, zero));
  }

  /**
   * {@code ẽ_i = e_i + p_i}, added one table at a time ({@code (e + P_pos) + P_dt}): the float
   * rounding of earlier versions, so exported weights score exactly as before.
   */
  public Operand<TFloat32> encodeBehaviors(
      Ops tf,
      ParamStore store,
      Operand<TFloat32> e,
      Operand<TInt32> positions,
      Operand<TInt32> intervals) {
    return GraphMath.add(
        tf,
        e,
        store.lookup(tf, positionTable, positions),
        store.lookup(tf, intervalTable, intervals));
  }

  /** {@code ṽ_t = v_t + p_t}, added one table at a time like {@link #encodeBehaviors}. */
  public Operand<TFloat32> encodeTarget(Ops tf, ParamStore store, Operand<TFloat32> v) {
    Operand<TInt32> zero = tf.constant(new int[] {0});
    return GraphMath.add(
        tf, v, store.lookup(tf, positionTable, zero), store.lookup(tf, intervalTable, zero));
  }
}
