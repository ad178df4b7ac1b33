package io.tinstream.models.layers;

import io.tinstream.models.ModelParams;
import io.tinstream.models.internal.ParamStore;
import java.util.function.UnaryOperator;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gather;
import org.tensorflow.op.nn.TopK;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * DARE soft search (MODELS.md "Search stage (ranking)"): relevance {@code r_i = e^A_i · v^A_t /
 * √d_A} in the attention space over the whole fed trajectory, keep the top {@code K =
 * maxHistoryLength}, then {@code α = softmax(r_kept)} and interest {@code Σ α_i (e^R_i ⊙ v^R_t)} in
 * the representation space. Temporal encodings are added in both spaces.
 *
 * <p>{@code shared = false} (DARE): attention tables {@code dare_A_*} of width {@code d_A} are
 * separate from the representation (the model's base tables), so {@code A} only gets gradient
 * through {@code α} and {@code R} only through the representation. {@code shared = true} (TWIN):
 * one table set for both. Representation rows are gathered for the kept behaviors only.
 */
public final class DareLayer implements InterestLayer {
  public static final String ATTENTION_PREFIX = "dare_A_";

  /** Names of the intermediate tensors this layer registers (tests, benchmarks). */
  public static final String OUT_ALPHA = "dare_alpha";

  public static final String OUT_REPRESENTATION = "dare_representation";

  /**
   * {@code attentionDim}: {@code d_A}; 0 lets the variant decide ({@code d}, or {@code d/2} for
   * {@code dare-half}).
   */
  public record Settings(int attentionDim) {
    public static final Settings DEFAULT = new Settings(0);

    public void validate() {
      if (attentionDim < 0) {
        throw new IllegalArgumentException("attentionDim must be >= 0 (0 = variant default)");
      }
    }
  }

  private final boolean shared;
  private final int attentionDivisor;

  /**
   * @param shared TWIN (one table) instead of DARE
   * @param attentionDivisor {@code d_A = d / attentionDivisor} unless {@link
   *     Settings#attentionDim()} sets it
   */
  public DareLayer(boolean shared, int attentionDivisor) {
    if (attentionDivisor < 1 || (shared && attentionDivisor != 1)) {
      throw new IllegalArgumentException("TWIN shares one table: its attention dim is d");
    }
    this.shared = shared;
    this.attentionDivisor = attentionDivisor;
  }

  public int attentionDim(ModelParams p) {
    if (shared) {
      return p.dim();
    }
    int configured = p.dare().attentionDim();
    return configured > 0 ? configured : Math.max(1, p.dim() / attentionDivisor);
  }

  @Override
  public boolean temporalEncoding() {
    return false;
  }

  @Override
  public boolean usesBehaviorEmbeddings() {
    return false;
  }

  @Override
  public History history() {
    return History.FULL;
  }

  @Override
  public int outputDim(ModelParams p) {
    return p.dim();
  }

  @Override
  public Operand<TFloat32> build(Ops tf, ParamStore store, ModelParams p, Inputs in) {
    throw new UnsupportedOperationException("DARE embeds fields itself: use build(..., Features)");
  }

  @Override
  public Operand<TFloat32> build(Ops tf, ParamStore store, ModelParams p, Inputs in, Features f) {
    Space rep = Space.base(p.dim());
    rep.create(tf, store, p);
    Space att = shared ? rep : Space.prefixed(ATTENTION_PREFIX, attentionDim(p));
    att.create(tf, store, p);
    Search s = search(tf, store, att, f, in.mask(), p.maxHistoryLength());
    // α_i = softmax over the kept behaviors of their relevance (padding kept only when L < K).
    Operand<TFloat32> alpha =
        tf.math.mul(tf.nn.softmax(GraphMath.maskLogits(tf, s.keptLogits, s.keptMask)), s.keptMask);
    // e^R_i ⊙ v^R_t for the kept behaviors only.
    Operand<TFloat32> eR = rep.behaviors(tf, store, f, ids -> keep(tf, ids, s.indices));
    Operand<TFloat32> vR = rep.target(tf, store, f);
    Operand<TFloat32> representation = tf.math.mul(eR, tf.expandDims(vR, tf.constant(1)));
    store.output(OUT_ALPHA, alpha);
    store.output(OUT_REPRESENTATION, representation);
    return GraphMath.sum(
        tf, tf.math.mul(representation, tf.expandDims(alpha, tf.constant(2))), 1, false);
  }

  /**
   * The search alone, for benchmarks and serving: creates attention tables {@code prefix*} of width
   * {@code attentionDim} and returns the top-{@code k} indices {@code [B, min(k, L)]} (unsorted).
   */
  public static Operand<TInt32> searchIndices(
      Ops tf,
      ParamStore store,
      ModelParams p,
      String prefix,
      int attentionDim,
      Features f,
      Operand<TFloat32> mask,
      int k) {
    Space att = Space.prefixed(prefix, attentionDim);
    att.create(tf, store, p);
    return search(tf, store, att, f, mask, k).indices();
  }

  /**
   * One embedding space (attention or representation): field embeddings with their own temporal
   * encoding, since MODELS.md adds temporal encodings in both spaces.
   */
  record Space(FieldEmbeddings fields, TemporalEncoding temporal) {
    static Space base(int d) {
      return new Space(FieldEmbeddings.base(d), TemporalEncoding.base(d));
    }

    static Space prefixed(String prefix, int d) {
      return new Space(FieldEmbeddings.prefixed(prefix, d), TemporalEncoding.prefixed(prefix, d));
    }

    int dim() {
      return fields.dim();
    }

    void create(Ops tf, ParamStore store, ModelParams p) {
      fields.create(tf, store, p);
      temporal.create(tf, store, p);
    }

    /** {@code ẽ_i} over the behavior columns passed through {@code select}. */
    Operand<TFloat32> behaviors(
        Ops tf, ParamStore store, Features f, UnaryOperator<Operand<TInt32>> select) {
      return temporal.encodeBehaviors(
          tf,
          store,
          fields.behaviors(tf, store, f, select),
          select.apply(f.histPos()),
          select.apply(f.histDt()));
    }

    /** {@code ṽ_t}. */
    Operand<TFloat32> target(Ops tf, ParamStore store, Features f) {
      return temporal.encodeTarget(tf, store, fields.target(tf, store, f));
    }
  }

  /** Top-K indices {@code [B, K']} (K' = min(K, L)) and the kept masked relevances. */
  record Search(
      Operand<TInt32> indices, Operand<TFloat32> keptLogits, Operand<TFloat32> keptMask) {}

  /**
   * The soft search alone: attention-space embeddings over the whole sequence, relevance and top-K
   * (TopK has no gradient and needs none: only the gathered relevances carry it).
   */
  static Search search(
      Ops tf, ParamStore store, Space att, Features f, Operand<TFloat32> mask, int k) {
    Operand<TFloat32> eA = att.behaviors(tf, store, f, ids -> ids);
    Operand<TFloat32> vA = att.target(tf, store, f);
    Operand<TFloat32> r =
        tf.math.mul(
            GraphMath.sum(tf, tf.math.mul(eA, tf.expandDims(vA, tf.constant(1))), 2, false),
            tf.constant((float) (1.0 / Math.sqrt(att.dim()))));
    Operand<TFloat32> masked = GraphMath.maskLogits(tf, r, mask);
    Operand<TInt32> len =
        tf.reshape(
            tf.gather(tf.shape(mask), tf.constant(new int[] {1}), tf.constant(0)),
            tf.constant(new int[0]));
    Operand<TInt32> kk = tf.math.minimum(tf.constant(k), len);
    TopK<TFloat32, TInt32> top = tf.nn.topK(masked, kk, new TopK.Options[] {TopK.sorted(false)});
    Operand<TInt32> idx = top.indices();
    return new Search(idx, keep(tf, masked, idx), keep(tf, mask, idx));
  }

  /** Gathers {@code [B, L, ...] -> [B, K, ...]} at per-row indices. */
  static <T extends org.tensorflow.types.family.TType> Operand<T> keep(
      Ops tf, Operand<T> x, Operand<TInt32> idx) {
    return tf.gather(x, idx, tf.constant(1), Gather.batchDims(1L));
  }
}
