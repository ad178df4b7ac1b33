package io.tinstream.models.layers;

import io.tinstream.models.ModelParams;
import io.tinstream.models.internal.ParamStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * DSI-TIN (MODELS.md "DSI-TIN"): one TIN attention per field group {@code g} whose logits use only
 * that group's embeddings ({@code k^g_i} from the behavior's fields in {@code g}, {@code q^g} from
 * the target's, or a learned query {@code dsi_q_<g>} where the target has none of them), while
 * every group's representation is the full {@code ẽ_i ⊙ ṽ_t}. Outputs are summed ({@code dsi_sum})
 * or concatenated ({@code dsi_concat}).
 */
public final class DsiTinLayer implements InterestLayer {

  /**
   * A member of a field group: one categorical field's embedding, or {@link #TEMPORAL} ({@code
   * P_pos + P_dt}).
   */
  public record GroupField(ModelParams.Field field) {
    public static final GroupField TEMPORAL = new GroupField(null);

    public static GroupField of(ModelParams.Field field) {
      return new GroupField(Objects.requireNonNull(field, "field"));
    }

    public boolean isTemporal() {
      return field == null;
    }

    @Override
    public String toString() {
      return isTemporal() ? "TEMPORAL" : field.name();
    }
  }

  /**
   * Default groups (MODELS.md): temporal encodings; action type; everything else, i.e. every other
   * field (item, creative, product, SPU, categories, marketing target, advertiser, industry,
   * scenario, action detail, domain).
   */
  public static final List<Set<GroupField>> DEFAULT_GROUPS = defaultGroups();

  private static List<Set<GroupField>> defaultGroups() {
    Set<GroupField> rest = new LinkedHashSet<>();
    for (ModelParams.Field f : ModelParams.Field.values()) {
      if (f != ModelParams.Field.ACTION) {
        rest.add(GroupField.of(f));
      }
    }
    return List.of(
        Set.of(GroupField.TEMPORAL),
        Set.of(GroupField.of(ModelParams.Field.ACTION)),
        Collections.unmodifiableSet(rest));
  }

  /**
   * Per group {@code g}: its attention weights {@code [B, L]} ({@code dsi_alpha_<g>}) and its
   * interest {@code [B, d]} ({@code dsi_interest_<g>}), for tests of the group isolation.
   */
  public static final String OUT_ALPHA_PREFIX = "dsi_alpha_";

  public static final String OUT_INTEREST_PREFIX = "dsi_interest_";

  private final List<Set<GroupField>> groups;
  private final boolean concat;

  public DsiTinLayer(boolean concat) {
    this(DEFAULT_GROUPS, concat);
  }

  public DsiTinLayer(List<Set<GroupField>> groups, boolean concat) {
    if (groups.isEmpty() || groups.stream().anyMatch(Set::isEmpty)) {
      throw new IllegalArgumentException("DSI needs at least one non-empty field group");
    }
    this.groups = List.copyOf(groups);
    this.concat = concat;
  }

  @Override
  public boolean temporalEncoding() {
    return true;
  }

  @Override
  public int outputDim(ModelParams p) {
    return concat ? p.dim() * groups.size() : p.dim();
  }

  @Override
  public Operand<TFloat32> build(Ops tf, ParamStore store, ModelParams p, Inputs in) {
    throw new UnsupportedOperationException(
        "DSI-TIN embeds field groups: use build(..., Features)");
  }

  @Override
  public Operand<TFloat32> build(Ops tf, ParamStore store, ModelParams p, Inputs in, Features f) {
    int d = p.dim();
    FieldEmbeddings t = FieldEmbeddings.base(d);
    TemporalEncoding temporal = TemporalEncoding.base(d);
    t.create(tf, store, p);
    temporal.create(tf, store, p);
    // TR: the full ẽ_i ⊙ ṽ_t, shared by every group.
    Operand<TFloat32> rep = tf.math.mul(in.behaviors(), tf.expandDims(in.target(), tf.constant(1)));
    List<Operand<TFloat32>> outs = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      Set<GroupField> group = groups.get(g);
      Operand<TFloat32> k = null;
      Operand<TFloat32> q = null;
      for (GroupField field : group) {
        k = plus(tf, k, behaviorField(tf, store, t, temporal, f, field));
        q = plus(tf, q, targetField(tf, store, t, temporal, f, field));
      }
      if (q == null) {
        // The target has none of the group's fields (e.g. action type): a learned query.
        float[] init = new float[d];
        java.util.Random r = new java.util.Random(p.seed() * 31 + g);
        for (int i = 0; i < d; i++) {
          init[i] = (float) (r.nextGaussian() * p.embeddings().initStd());
        }
        q = store.dense(tf, "dsi_q_" + g, new long[] {1, d}, init);
      }
      Operand<TFloat32> logits =
          tf.math.mul(
              GraphMath.sum(tf, tf.math.mul(k, tf.expandDims(q, tf.constant(1))), 2, false),
              tf.constant((float) (1.0 / Math.sqrt(d))));
      Operand<TFloat32> alpha =
          tf.math.mul(tf.nn.softmax(GraphMath.maskLogits(tf, logits, in.mask())), in.mask());
      Operand<TFloat32> out =
          GraphMath.sum(tf, tf.math.mul(rep, tf.expandDims(alpha, tf.constant(2))), 1, false);
      store.output(OUT_ALPHA_PREFIX + g, alpha);
      store.output(OUT_INTEREST_PREFIX + g, out);
      outs.add(out);
    }
    if (concat) {
      return outs.size() == 1 ? outs.get(0) : tf.concat(outs, tf.constant(1));
    }
    Operand<TFloat32> s = outs.get(0);
    for (int i = 1; i < outs.size(); i++) {
      s = tf.math.add(s, outs.get(i));
    }
    return s;
  }

  private static Operand<TFloat32> plus(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : tf.math.add(a, b);
  }

  private static Operand<TFloat32> behaviorField(
      Ops tf,
      ParamStore store,
      FieldEmbeddings t,
      TemporalEncoding temporal,
      Features f,
      GroupField field) {
    return field.isTemporal()
        ? temporal.behaviors(tf, store, f.histPos(), f.histDt())
        : t.behavior(tf, store, f, field.field());
  }

  /** The target's embedding of a field, or null where a target has no such field (action). */
  private static Operand<TFloat32> targetField(
      Ops tf,
      ParamStore store,
      FieldEmbeddings t,
      TemporalEncoding temporal,
      Features f,
      GroupField field) {
    if (field.isTemporal()) {
      return temporal.target(tf, store);
    }
    return field.field().onTarget() ? t.target(tf, store, f, field.field()) : null;
  }
}
