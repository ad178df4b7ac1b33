package io.tinstream.models.layers;

import io.tinstream.models.ModelParams;
import io.tinstream.models.internal.ParamStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * One set of categorical field tables (the model's base tables, or a layer's own set such as DARE's
 * attention tables), one per {@link ModelParams.Field} named {@code prefix + field.key()}, and the
 * sums of MODELS.md "Notation" over them: {@code e_i} of a behavior (every field) and {@code v_t}
 * of the target (every field the target carries).
 */
public record FieldEmbeddings(String prefix, int dim) {

  /**
   * {@code dim}: {@code d}; {@code rows}: rows of each field's table including the reserved row 0;
   * {@code initStd}: standard deviation of the initial rows (of every table a model creates).
   */
  public record Settings(int dim, Map<ModelParams.Field, Integer> rows, float initStd) {
    public static final Settings DEFAULT = new Settings(16, defaultRows(), 0.05f);

    public Settings {
      rows = Collections.unmodifiableMap(new EnumMap<>(rows));
    }

    private static Map<ModelParams.Field, Integer> defaultRows() {
      Map<ModelParams.Field, Integer> r = new EnumMap<>(ModelParams.Field.class);
      r.put(ModelParams.Field.ITEM, 1 << 15);
      r.put(ModelParams.Field.CAT1, 1 << 10);
      r.put(ModelParams.Field.CAT2, 1 << 10);
      r.put(ModelParams.Field.CAT3, 1 << 10);
      r.put(ModelParams.Field.ACTION, 64);
      r.put(ModelParams.Field.SCENARIO, 64);
      r.put(ModelParams.Field.CREATIVE, 1 << 15);
      r.put(ModelParams.Field.PRODUCT, 1 << 14);
      r.put(ModelParams.Field.SPU, 1 << 14);
      r.put(ModelParams.Field.MARKETING_TARGET, 64);
      r.put(ModelParams.Field.ADVERTISER, 1 << 13);
      r.put(ModelParams.Field.INDUSTRY, 256);
      r.put(ModelParams.Field.ACTION_DETAIL, 64);
      // Hashed (FieldRows.hashed) the two known domains share a row at four rows: domain tells
      // apart only under a collisionless id -> row mapping.
      r.put(ModelParams.Field.DOMAIN, 4);
      return r;
    }

    /** The same with {@code field}'s table at {@code n} rows. */
    public Settings withRows(ModelParams.Field field, int n) {
      Map<ModelParams.Field, Integer> r = new EnumMap<>(rows);
      r.put(field, n);
      return new Settings(dim, r, initStd);
    }

    public void validate() {
      if (dim <= 0) {
        throw new IllegalArgumentException("dim must be > 0, got " + dim);
      }
      for (ModelParams.Field f : ModelParams.Field.values()) {
        if (!rows.containsKey(f)) {
          throw new IllegalArgumentException("rows(" + f + ") missing");
        }
      }
      for (Map.Entry<ModelParams.Field, Integer> e : rows.entrySet()) {
        if (e.getValue() < 2) {
          throw new IllegalArgumentException(
              "rows(" + e.getKey() + ") must be >= 2 (row 0 is reserved)");
        }
      }
    }
  }

  /** The model's shared tables {@code emb_*} at width {@code d}. */
  public static FieldEmbeddings base(int d) {
    return prefixed("emb_", d);
  }

  /** A separate set named {@code prefix + field}. */
  public static FieldEmbeddings prefixed(String prefix, int d) {
    return new FieldEmbeddings(prefix, d);
  }

  /** Name of the field's table in this set. */
  public String table(ModelParams.Field field) {
    return prefix + field.key();
  }

  /** Creates the tables that do not exist yet (row 0 is the reserved row of every table). */
  public void create(Ops tf, ParamStore store, ModelParams p) {
    float std = p.embeddings().initStd();
    for (ModelParams.Field f : ModelParams.Field.values()) {
      store.table(tf, table(f), f, p.rows(f), dim, std);
    }
  }

  /** One behavior field's embeddings {@code [B, L, d]}. */
  public Operand<TFloat32> behavior(
      Ops tf, ParamStore store, InterestLayer.Features f, ModelParams.Field field) {
    return store.lookup(tf, table(field), f.hist(field));
  }

  /** One target field's embeddings {@code [B, d]}; the field must be one the target carries. */
  public Operand<TFloat32> target(
      Ops tf, ParamStore store, InterestLayer.Features f, ModelParams.Field field) {
    return store.lookup(tf, table(field), f.target(field));
  }

  /** {@code e_i}, {@code [B, L, d]}, over every fed behavior. */
  public Operand<TFloat32> behaviors(Ops tf, ParamStore store, InterestLayer.Features f) {
    return behaviors(tf, store, f, ids -> ids);
  }

  /**
   * {@code e_i}: the sum over every field, of behavior columns each first passed through {@code
   * select} (identity, or a gather of the kept positions).
   */
  public Operand<TFloat32> behaviors(
      Ops tf, ParamStore store, InterestLayer.Features f, UnaryOperator<Operand<TInt32>> select) {
    List<Operand<TFloat32>> terms = new ArrayList<>();
    for (ModelParams.Field field : ModelParams.Field.values()) {
      terms.add(store.lookup(tf, table(field), select.apply(f.hist(field))));
    }
    return sum(tf, terms);
  }

  /** {@code v_t}, {@code [B, d]}: the sum over every field the target carries. */
  public Operand<TFloat32> target(Ops tf, ParamStore store, InterestLayer.Features f) {
    List<Operand<TFloat32>> terms = new ArrayList<>();
    for (ModelParams.Field field : ModelParams.Field.targetFields()) {
      terms.add(target(tf, store, f, field));
    }
    return sum(tf, terms);
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> sum(Ops tf, List<Operand<TFloat32>> terms) {
    return GraphMath.add(tf, terms.toArray(new Operand[0]));
  }
}
