package io.tinstream.models.layers;

import io.tinstream.models.CategorySlots;
import io.tinstream.models.ModelParams;
import io.tinstream.models.UserHeadCache;
import io.tinstream.models.internal.ParamStore;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gather;
import org.tensorflow.op.math.Cumsum;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Two-tower matching (MODELS.md "Target-decoupled SASRec"). User tower: SASRec blocks (causal
 * self-attention + feed-forward, residuals and layer norm) over {@code ẽ_i} (learned recency
 * positions {@code P_pos} and {@code P_dt} added); {@code h} is the hidden state of the most recent
 * fed behavior. Heads {@code u_c = W_c h + b_c}, one per target-category slot plus the default
 * ({@link CategorySlots}); plain SASRec has a single head. Ad tower: {@code e_a} = the target's
 * summed item-field embedding. Logit {@code u_{cat(a)} · e_a + b}: only the ad's head is used.
 *
 * <p>Registered outputs: {@link #OUT_USER_HEADS} {@code [B, H*d]} (what a keyed-state cache holds
 * per user, see {@link UserHeadCache}) and {@link #OUT_AD_VECTOR} {@code [B, d]}.
 */
public final class SasRecLayer implements InterestLayer {

  @Override
  public boolean takesItemMatch() {
    return false; // target-decoupled: behaviors encoded once per user, before any target
  }

  public static final String OUT_USER_HEADS = "user_heads";
  public static final String OUT_AD_VECTOR = "ad_vector";

  /** The logit's bias {@code b} {@code [1]}: a score from cached heads is σ(u·e_a + b). */
  public static final String OUT_LOGIT_BIAS = "logit_bias";

  /** The user tower's last hidden states {@code [B, L, d]} (oldest first), for causality tests. */
  public static final String OUT_HIDDEN = "sas_hidden";

  public static final String HEADS_W = "sas_W_heads";
  static final float LN_EPS = 1e-6f;

  /** {@code blocks}: causal self-attention blocks of the user tower. */
  public record Settings(int blocks) {
    public static final Settings DEFAULT = new Settings(2);

    public void validate() {
      if (blocks < 1) {
        throw new IllegalArgumentException("sasrecBlocks must be >= 1");
      }
    }
  }

  private final boolean targetDecoupled;
  private final History history;

  public SasRecLayer(boolean targetDecoupled, History history) {
    this.targetDecoupled = targetDecoupled;
    this.history = history;
  }

  /** Number of heads: {@code categorySlots + 1} for TD-SASRec, 1 for plain SASRec. */
  public int heads(ModelParams p) {
    return targetDecoupled ? p.categorySlots() + 1 : 1;
  }

  @Override
  public boolean temporalEncoding() {
    return true;
  }

  @Override
  public boolean outputsLogit() {
    return true;
  }

  @Override
  public History history() {
    return history;
  }

  @Override
  public int outputDim(ModelParams p) {
    return 1;
  }

  @Override
  public Operand<TFloat32> build(Ops tf, ParamStore store, ModelParams p, Inputs in) {
    throw new UnsupportedOperationException("SASRec needs the feature rows: use build(...)");
  }

  @Override
  public Operand<TFloat32> build(Ops tf, ParamStore store, ModelParams p, Inputs in, Features f) {
    int d = p.dim();
    Operand<TFloat32> mask = in.mask(); // [B, L]
    Operand<TFloat32> x = tf.math.mul(in.behaviors(), tf.expandDims(mask, tf.constant(2)));
    // Causal mask [B, L(query), L(key)]: key j <= query i and key j real.
    Operand<TInt32> len =
        tf.reshape(
            tf.gather(tf.shape(mask), tf.constant(new int[] {1}), tf.constant(0)),
            tf.constant(new int[0]));
    Operand<TFloat32> ones = tf.fill(tf.stack(java.util.List.of(len, len)), tf.constant(1f));
    Operand<TFloat32> causal = tf.linalg.bandPart(ones, tf.constant(-1), tf.constant(0));
    Operand<TFloat32> attMask =
        tf.math.mul(tf.expandDims(causal, tf.constant(0)), tf.expandDims(mask, tf.constant(1)));
    for (int b = 0; b < p.sasRec().blocks(); b++) {
      String n = "sas" + b + "_";
      Operand<TFloat32> q = GraphMath.project3(tf, x, store.glorot(tf, n + "W_q", d, d), d);
      Operand<TFloat32> k = GraphMath.project3(tf, x, store.glorot(tf, n + "W_k", d, d), d);
      Operand<TFloat32> v = GraphMath.project3(tf, x, store.glorot(tf, n + "W_v", d, d), d);
      // logits[b,i,j] = q_i·k_j/√d by broadcasting (BatchMatMulV3's gradient is not relied on).
      Operand<TFloat32> logits =
          tf.math.mul(
              GraphMath.sum(
                  tf,
                  tf.math.mul(tf.expandDims(q, tf.constant(2)), tf.expandDims(k, tf.constant(1))),
                  3,
                  false),
              tf.constant((float) (1.0 / Math.sqrt(d))));
      Operand<TFloat32> a = tf.nn.softmax(GraphMath.maskLogits(tf, logits, attMask));
      a = tf.math.mul(a, attMask);
      Operand<TFloat32> att =
          GraphMath.sum(
              tf,
              tf.math.mul(tf.expandDims(a, tf.constant(3)), tf.expandDims(v, tf.constant(1))),
              2,
              false);
      x = layerNorm(tf, store, n + "ln1", tf.math.add(x, att), d);
      Operand<TFloat32> ff =
          tf.math.add(
              GraphMath.project3(
                  tf,
                  tf.nn.relu(
                      tf.math.add(
                          GraphMath.project3(tf, x, store.glorot(tf, n + "W_ff1", d, d), d),
                          store.zeros(tf, n + "b_ff1", d))),
                  store.glorot(tf, n + "W_ff2", d, d),
                  d),
              store.zeros(tf, n + "b_ff2", d));
      x = layerNorm(tf, store, n + "ln2", tf.math.add(x, ff), d);
      x = tf.math.mul(x, tf.expandDims(mask, tf.constant(2)));
    }
    store.output(OUT_HIDDEN, x);
    // h = hidden state at the last real position (left-aligned rows): cumsum(mask) == length.
    Operand<TFloat32> lengths = GraphMath.sum(tf, mask, 1, true);
    Operand<TFloat32> last =
        tf.math.mul(
            mask,
            tf.dtypes.cast(
                tf.math.equal(tf.math.cumsum(mask, tf.constant(1), new Cumsum.Options[0]), lengths),
                TFloat32.class));
    Operand<TFloat32> h =
        GraphMath.sum(tf, tf.math.mul(x, tf.expandDims(last, tf.constant(2))), 1, false);
    int heads = heads(p);
    Operand<TFloat32> w = store.glorot(tf, HEADS_W, d, heads * d);
    Operand<TFloat32> bias = store.zeros(tf, "sas_b_heads", heads * d);
    Operand<TFloat32> all = tf.math.add(tf.linalg.matMul(h, w), bias); // [B, H*d]
    store.output(OUT_USER_HEADS, all);
    Operand<TFloat32> all3 = tf.reshape(all, tf.constant(new int[] {-1, heads, d}));
    Operand<TInt32> slot =
        targetDecoupled
            ? f.targetCategorySlot()
            : tf.math.mul(f.targetCategorySlot(), tf.constant(0));
    Operand<TFloat32> u = tf.gather(all3, slot, tf.constant(1), Gather.batchDims(1L)); // [B, d]
    // e_a: the target's summed item fields; ṽ_t's temporal part P_pos[0] + P_dt[0] is one learned
    // offset shared by every ad (using ṽ_t keeps the model's target lookups on the loss path).
    Operand<TFloat32> ea = in.target();
    store.output(OUT_AD_VECTOR, ea);
    Operand<TFloat32> b = store.zeros(tf, "sas_b", 1);
    store.output(OUT_LOGIT_BIAS, b);
    return tf.math.add(GraphMath.sum(tf, tf.math.mul(u, ea), 1, false), b);
  }

  private static Operand<TFloat32> layerNorm(
      Ops tf, ParamStore store, String name, Operand<TFloat32> x, int d) {
    Operand<TFloat32> mu = tf.math.mean(x, tf.constant(2), Mean.keepDims(true));
    Operand<TFloat32> c = tf.math.sub(x, mu);
    Operand<TFloat32> var = tf.math.mean(tf.math.mul(c, c), tf.constant(2), Mean.keepDims(true));
    float[] one = new float[d];
    java.util.Arrays.fill(one, 1f);
    Operand<TFloat32> gamma = store.dense(tf, name + "_gamma", new long[] {d}, one);
    Operand<TFloat32> beta = store.zeros(tf, name + "_beta", d);
    return tf.math.add(
        tf.math.mul(tf.math.mul(c, tf.math.rsqrt(tf.math.add(var, tf.constant(LN_EPS)))), gamma),
        beta);
  }
}
