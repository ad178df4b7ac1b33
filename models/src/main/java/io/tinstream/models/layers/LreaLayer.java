package io.tinstream.models.layers;

import io.tinstream.models.ModelParams;
import io.tinstream.models.internal.ParamStore;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.OperationBuilder;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.op.core.ReverseSequence;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * LREA (MODELS.md "LREA"): low-rank compression of the whole trajectory, trained on the
 * decompressed path and served from the absorbed pair {@code (E_comp, E_aux)}.
 *
 * <p>Row {@code i} of {@code W_comp} / {@code W_decompᵀ} belongs to the {@code i}-th most recent
 * behavior (computed from the left-aligned mask), so a position keeps its weights whatever the
 * user's length. There is no {@code P_dt}/{@code P_pos} encoding: the stored pair must not depend
 * on the request time, and positions are already carried by the rows of {@code W_comp}.
 *
 * <p><b>Where this deviates from the paper's equation 5, and why.</b> The contract property
 * (absorbed = decompressed when {@code W_decomp ≥ 0} and {@code E_comp ≥ 0}) is false for {@code
 * φ([E_t ⊕ x_i ⊕ E_t⊙x_i] W_in) W_o} with a dense {@code W_in}: {@code φ(Σ_j a_j z_j) = Σ_j a_j
 * φ(z_j)} for {@code a ≥ 0} needs every {@code z_j} of one hidden unit to have the same sign, which
 * a mixed-sign {@code W_in} breaks, and the target-only term {@code φ(E_t W_1)} turns into {@code
 * (Σ_i e_i)·c} on one path and {@code (E_aux 1_r)·c} on the other. So φ is applied to the
 * elementwise products {@code x_i ⊙ q_h(E_t)} of {@value #HEADS} target-side gates {@code q_h = E_t
 * W_q[h] + b_q[h]} (any sign) and only then read out linearly by {@code W_o}:
 *
 * <pre>
 *   g(x) = Σ_h φ(x ⊙ q_h) · W_o[h]
 *   decompressed: LREA = E_sᵀ (g(x_i) + Σ_j W_decomp[j,i] b_j)_i / n   (x_i = row i of W_decompᵀ E_compᵀ)
 *   absorbed:     LREA = E_aux · (g(c_j) + b_j)_{j=1..r} / n             (n = real behaviors, as DIN)
 * </pre>
 *
 * With {@code c_j ≥ 0} and {@code W_decomp ≥ 0} every term {@code W_decomp[j,i] c_jk q_hk} of one
 * coordinate has the sign of {@code q_hk}, so the two paths agree exactly. The gates start as the
 * paper's two sequence terms: head 0 is {@code E_t ⊙ x_i} ({@code W_3}), head 1 is {@code x_i}
 * ({@code W_2}). The target-only term is left out: it is not absorbable into {@code 2·d·r} floats,
 * and {@code v_t} reaches the MLP head directly anyway.
 *
 * <p>The virtual-behavior bias {@code b} (init 1) is linear in {@code W_decomp}, so it keeps the
 * paths equal; it starts the interest at the mean behavior instead of at zero.
 *
 * <p>The non-negativity loss {@code λ(‖max(0,−W_decomp)‖²_F + mean_b ‖max(0,−E_comp)‖²_F)} is
 * returned by {@link #regularizer}. Second deviation: the {@code E_comp} term trains {@code W_comp}
 * only (stop-gradient on {@code E_s}); letting it reach the shared embedding tables collapsed the
 * model at λ = 0.3 (numbers where the term is built).
 */
public final class LreaLayer implements InterestLayer {

  @Override
  public boolean takesItemMatch() {
    return false; // target-decoupled: behaviors encoded once per user, before any target
  }

  /** Target gates: {@code E_t ⊙ x} and {@code x} at initialization. */
  public static final int HEADS = 2;

  /** The decompressed (training) interest {@code [B, d]}, for reference tests of its formula. */
  public static final String OUT_DECOMPRESSED = "lrea_decompressed";

  /**
   * {@code rank}: {@code r}, the virtual behaviors in {@code E_comp} / {@code E_aux} (paper: 128 at
   * L = 10000, d = 16); {@code lambda}: {@code λ} of the non-negativity loss (the paper's best).
   */
  public record Settings(int rank, float lambda) {
    public static final Settings DEFAULT = new Settings(128, 0.3f);

    public void validate() {
      if (rank <= 0) {
        throw new IllegalArgumentException("lreaRank must be > 0, got " + rank);
      }
      if (!(lambda >= 0)) {
        throw new IllegalArgumentException("lreaLambda must be >= 0, got " + lambda);
      }
    }
  }

  private Operand<TFloat32> regularizer;
  private Operand<TFloat32> eComp;
  private Operand<TFloat32> eAux;
  private Operand<TFloat32> count;
  private Operand<TFloat32> absorbedInterest;
  private Operand<TFloat32> target;

  @Override
  public boolean temporalEncoding() {
    return false;
  }

  /** The per-user entry compresses the latest L behaviors, online as offline. */
  @Override
  public History history() {
    return History.LATEST;
  }

  @Override
  public int outputDim(ModelParams p) {
    return p.dim();
  }

  @Override
  public Operand<TFloat32> build(Ops tf, ParamStore store, ModelParams p, Inputs in) {
    int d = p.dim();
    int r = p.lrea().rank();
    int len = p.maxHistoryLength();
    Operand<TFloat32> mask = in.mask();
    // E_s with padded rows zeroed: they then add nothing to E_comp, E_aux or E_sᵀ s.
    Operand<TFloat32> es = tf.math.mul(in.behaviors(), tf.expandDims(mask, tf.constant(2)));
    this.target = in.target();

    // Reversed per user (ReverseSequence flips each row's first n slots): slot j now holds the
    // (j+1)-th most recent behavior for every user, so row j of W_comp / W_decompᵀ applies to
    // slot j and the rows are one [Lb, r] slice shared by the batch, not a [B, Lb, r] gather
    // (which, with its scatter gradient, dominated a training step at L = 1000). Padding stays at
    // the end and is zero.
    Operand<TFloat32> n = GraphMath.sum(tf, mask, 1, true); // [B, 1]
    Operand<TFloat32> esRev =
        tf.reverseSequence(
            es,
            tf.dtypes.cast(tf.reshape(n, tf.constant(new int[] {-1})), TInt64.class),
            1L,
            ReverseSequence.batchDim(0L));

    float[] initComp = new float[len * r];
    float[] initDecomp = new float[len * r];
    initLowRank(initComp, initDecomp, len, r, p.seed());
    Operand<TFloat32> wComp = store.dense(tf, "lrea_W_comp", new long[] {len, r}, initComp);
    // Stored transposed ([L, r]) so both matrices are indexed by recency on axis 0.
    Operand<TFloat32> wDecompT =
        store.dense(tf, "lrea_W_decomp_T", new long[] {len, r}, initDecomp);
    Operand<TInt32> slots = tf.gather(tf.shape(es), tf.constant(1), tf.constant(0));
    Operand<TInt32> rowsShape = tf.stack(List.of(slots, tf.constant(-1)));
    Operand<TFloat32> compRows = tf.slice(wComp, tf.constant(new int[] {0, 0}), rowsShape);
    Operand<TFloat32> decompRows = tf.slice(wDecompT, tf.constant(new int[] {0, 0}), rowsShape);

    // E_comp = E_sᵀ W_comp  [B, d, r];  E_aux = E_sᵀ W_decompᵀ  [B, d, r].
    this.eComp = tf.withName("lrea_E_comp").identity(project(tf, esRev, compRows, d, r));
    this.eAux = tf.withName("lrea_E_aux").identity(project(tf, esRev, decompRows, d, r));
    this.count = tf.withName("lrea_count").math.maximum(n, tf.constant(1f)); // [B, 1]

    float[] wq = new float[d * HEADS * d];
    float[] bq = new float[HEADS * d];
    for (int k = 0; k < d; k++) {
      wq[k * HEADS * d + k] = 1f; // head 0: q = E_t
      bq[d + k] = 1f; // head 1: q = 1
    }
    Operand<TFloat32> wQ = store.dense(tf, "lrea_W_q", new long[] {d, HEADS * d}, wq);
    Operand<TFloat32> bQ = store.dense(tf, "lrea_b_q", new long[] {HEADS * d}, bq);
    Operand<TFloat32> wO = store.glorot(tf, "lrea_W_o", HEADS * d, 1);
    Operand<TFloat32> q = tf.math.add(tf.linalg.matMul(in.target(), wQ), bQ); // [B, H*d]

    // Decompressed (training) path: x_i = Σ_j W_decomp[j,i] c_j, rows [B, Lb, d] in recency order.
    Operand<TFloat32> x = decompress(tf, decompRows, eComp, d, r);
    // Per-virtual-behavior bias b_j, read out on the decompressed rows as Σ_j W_decomp[j,i] b_j so
    // both paths stay equal. Starting at 1 makes the interest ≈ the mean behavior at init (as
    // DinLayer's attention bias): without it the interest is a product of three small factors and
    // barely moves in the first epoch (MovieLens, L=200, r=32, λ=0, 1 epoch: AUC .625 → .647).
    float[] ones = new float[r];
    Arrays.fill(ones, 1f);
    Operand<TFloat32> bV = store.dense(tf, "lrea_b_virtual", new long[] {r}, ones);
    Operand<TFloat32> s =
        tf.math.add(
            rowScores(tf, x, q, wO, d),
            tf.expandDims(
                tf.linalg.matMul(decompRows, tf.reshape(bV, tf.constant(new int[] {r, 1}))),
                tf.constant(0))); // [B, Lb, 1]
    Operand<TFloat32> decompressed =
        tf.math.div(
            tf.reshape(bmm(tf, esRev, s, true, false), tf.constant(new int[] {-1, d})), count);

    // Absorbed (inference) path from (E_comp, E_aux) only: O(r·d) per candidate.
    this.absorbedInterest = absorbed(tf, eComp, eAux, count, q, wO, bV, d);

    // Non-negativity loss (MODELS.md): λ (‖max(0, −W_decomp)‖²_F + mean_b ‖max(0, −E_comp)‖²_F).
    Operand<TFloat32> negDecomp = tf.nn.relu(tf.math.neg(wDecompT));
    // The E_comp term's gradient reaches W_comp only, not the embedding tables the target shares:
    // through the embeddings it pushed every item towards a non-negative corner and swamped the
    // CTR loss (MovieLens, L=200, r=32, λ=0.3, 1 epoch: test AUC .58 with it, .63 without).
    Operand<TFloat32> eCompForPenalty = project(tf, tf.stopGradient(esRev), compRows, d, r);
    Operand<TFloat32> negComp = tf.nn.relu(tf.math.neg(eCompForPenalty));
    Operand<TFloat32> decompPenalty =
        tf.sum(tf.math.mul(negDecomp, negDecomp), tf.constant(new int[] {0, 1}));
    Operand<TFloat32> compPenalty =
        tf.math.mean(
            tf.sum(tf.math.mul(negComp, negComp), tf.constant(new int[] {1, 2})), tf.constant(0));
    this.regularizer =
        tf.withName("lrea_nonneg_loss")
            .math
            .mul(tf.constant(p.lrea().lambda()), tf.math.add(decompPenalty, compPenalty));
    store.output(OUT_DECOMPRESSED, decompressed);
    return decompressed;
  }

  /** {@code E_sᵀ rows} for every user: {@code [B, Lb, d]} × {@code [Lb, r]} → {@code [B, d, r]}. */
  private static Operand<TFloat32> project(
      Ops tf, Operand<TFloat32> es, Operand<TFloat32> rows, int d, int r) {
    Operand<TInt32> slots = tf.gather(tf.shape(es), tf.constant(1), tf.constant(0));
    Operand<TFloat32> byDim = // [B·d, Lb]
        tf.reshape(
            tf.linalg.transpose(es, tf.constant(new int[] {0, 2, 1})),
            tf.stack(List.of(tf.constant(-1), slots)));
    return tf.reshape(tf.linalg.matMul(byDim, rows), tf.constant(new int[] {-1, d, r}));
  }

  /**
   * {@code rows · E_compᵀ} for every user: {@code [Lb, r]} × {@code [B, d, r]} → {@code [B, Lb,
   * d]}.
   */
  private static Operand<TFloat32> decompress(
      Ops tf, Operand<TFloat32> rows, Operand<TFloat32> eComp, int d, int r) {
    Operand<TFloat32> columns = // [r, B·d]
        tf.reshape(
            tf.linalg.transpose(eComp, tf.constant(new int[] {2, 0, 1})),
            tf.constant(new int[] {r, -1}));
    Operand<TInt32> slots = tf.gather(tf.shape(rows), tf.constant(0), tf.constant(0));
    Operand<TFloat32> x = // [Lb, B, d]
        tf.reshape(
            tf.linalg.matMul(rows, columns),
            tf.stack(List.of(slots, tf.constant(-1), tf.constant(d))));
    return tf.linalg.transpose(x, tf.constant(new int[] {1, 0, 2}));
  }

  /** {@code Σ_h φ(x ⊙ q_h) · W_o[h]} for rows {@code x [B, n, d]}: returns {@code [B, n, 1]}. */
  private static Operand<TFloat32> rowScores(
      Ops tf, Operand<TFloat32> x, Operand<TFloat32> q, Operand<TFloat32> wO, int d) {
    Operand<TFloat32> xh = tf.tile(x, tf.constant(new int[] {1, 1, HEADS})); // [B, n, H*d]
    Operand<TFloat32> z =
        GraphMath.leakyRelu(tf, tf.math.mul(xh, tf.expandDims(q, tf.constant(1))));
    Operand<TInt32> shape = tf.shape(z);
    Operand<TFloat32> flat = tf.reshape(z, tf.constant(new int[] {-1, HEADS * d}));
    Operand<TFloat32> out = tf.linalg.matMul(flat, wO);
    Operand<TInt32> outShape =
        tf.concat(
            List.of(
                tf.gather(shape, tf.constant(new int[] {0, 1}), tf.constant(0)),
                tf.constant(new int[] {1})),
            tf.constant(0));
    return tf.reshape(out, outShape);
  }

  /** Absorbed interest {@code E_aux · s(c_j) / n}, {@code [B, d]}. */
  static Operand<TFloat32> absorbed(
      Ops tf,
      Operand<TFloat32> eComp,
      Operand<TFloat32> eAux,
      Operand<TFloat32> count,
      Operand<TFloat32> q,
      Operand<TFloat32> wO,
      Operand<TFloat32> bV,
      int d) {
    Operand<TFloat32> virtual = tf.linalg.transpose(eComp, tf.constant(new int[] {0, 2, 1}));
    Operand<TFloat32> sj =
        tf.math.add(
            rowScores(tf, virtual, q, wO, d),
            tf.reshape(bV, tf.constant(new int[] {1, -1, 1}))); // [B, r, 1]
    return tf.math.div(
        tf.reshape(bmm(tf, eAux, sj, false, false), tf.constant(new int[] {-1, d})), count);
  }

  /**
   * Starts {@code W_comp} and {@code W_decompᵀ} non-negative: position {@code i} spreads over a few
   * neighbouring virtual behaviors ({@code j = i·r/L}) plus small noise, so early training does not
   * begin far outside the region where the absorbed path is exact.
   */
  static void initLowRank(float[] comp, float[] decomp, int len, int r, long seed) {
    java.util.Random rnd = new java.util.Random(seed * 31 + 17);
    float scale = (float) Math.sqrt(1.0 / Math.max(1, len / (double) r));
    for (int i = 0; i < len; i++) {
      int centre = (int) ((long) i * r / len);
      for (int j = 0; j < r; j++) {
        float v = 0.02f * rnd.nextFloat();
        if (j == centre) {
          v += 1f;
        }
        comp[i * r + j] = v * scale;
        decomp[i * r + j] = v;
      }
    }
  }

  /**
   * {@code BatchMatMulV2} built by name: the generated {@code tf.train.batchMatMul} emits {@code
   * BatchMatMulV3}, whose gradient is not in TF's C++ registry (STACK.md lists V2).
   */
  static Operand<TFloat32> bmm(
      Ops tf, Operand<TFloat32> x, Operand<TFloat32> y, boolean adjX, boolean adjY) {
    Scope scope = tf.scope();
    OperationBuilder b = scope.opBuilder("BatchMatMulV2", "BatchMatMulV2");
    b.addInput(x.asOutput());
    b.addInput(y.asOutput());
    b.setAttr("adj_x", adjX);
    b.setAttr("adj_y", adjY);
    return b.build().output(0);
  }

  /** {@code λ·L_nonneg}; available after {@link #build}. */
  @Override
  public Operand<TFloat32> regularizer() {
    return regularizer;
  }

  public Operand<TFloat32> eComp() {
    return eComp;
  }

  public Operand<TFloat32> eAux() {
    return eAux;
  }

  public Operand<TFloat32> count() {
    return count;
  }

  public Operand<TFloat32> absorbedInterest() {
    return absorbedInterest;
  }

  public Operand<TFloat32> target() {
    return target;
  }
}
