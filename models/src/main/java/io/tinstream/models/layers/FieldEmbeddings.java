package io.tinstream.models.layers;

import io.tinstream.models.ModelParams;
import io.tinstream.models.internal.ParamStore;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * One set of categorical field tables (the model's base tables, or a layer's own set such as DARE's
 * attention tables) and the sums of MODELS.md "Notation" over them: {@code e_i} of a behavior (item
 * fields, action, scenario) and {@code v_t} of the target (item fields, scenario).
 */
public record FieldEmbeddings(
    String item, String cat1, String cat2, String cat3, String action, String scenario, int dim) {

  /**
   * {@code dim}: {@code d}; {@code rows}: rows of each field's table including the reserved row 0;
   * {@code initStd}: standard deviation of the initial rows (of every table a model creates).
   */
  public record Settings(int dim, Map<ModelParams.Field, Integer> rows, float initStd) {
    public static final Settings DEFAULT =
        new Settings(
            16,
            Map.of(
                ModelParams.Field.ITEM, 1 << 15,
                ModelParams.Field.CAT1, 1 << 10,
                ModelParams.Field.CAT2, 1 << 10,
                ModelParams.Field.CAT3, 1 << 10,
                ModelParams.Field.ACTION, 64,
                ModelParams.Field.SCENARIO, 64),
            0.05f);

    public Settings {
      rows = Collections.unmodifiableMap(new EnumMap<>(rows));
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
    return new FieldEmbeddings(
        prefix + "item",
        prefix + "cat1",
        prefix + "cat2",
        prefix + "cat3",
        prefix + "action",
        prefix + "scenario",
        d);
  }

  /** Creates the tables that do not exist yet (row 0 is the reserved row of every table). */
  public void create(Ops tf, ParamStore store, ModelParams p) {
    float std = p.embeddings().initStd();
    store.table(tf, item, ModelParams.Field.ITEM, p.rows(ModelParams.Field.ITEM), dim, std);
    store.table(tf, cat1, ModelParams.Field.CAT1, p.rows(ModelParams.Field.CAT1), dim, std);
    store.table(tf, cat2, ModelParams.Field.CAT2, p.rows(ModelParams.Field.CAT2), dim, std);
    store.table(tf, cat3, ModelParams.Field.CAT3, p.rows(ModelParams.Field.CAT3), dim, std);
    store.table(tf, action, ModelParams.Field.ACTION, p.rows(ModelParams.Field.ACTION), dim, std);
    store.table(
        tf, scenario, ModelParams.Field.SCENARIO, p.rows(ModelParams.Field.SCENARIO), dim, std);
  }

  /** {@code e_i}, {@code [B, L, d]}, over every fed behavior. */
  public Operand<TFloat32> behaviors(Ops tf, ParamStore store, InterestLayer.Features f) {
    return behaviors(tf, store, f, ids -> ids);
  }

  /**
   * {@code e_i} over behavior columns each first passed through {@code select} (identity, or a
   * gather of the kept positions).
   */
  public Operand<TFloat32> behaviors(
      Ops tf, ParamStore store, InterestLayer.Features f, UnaryOperator<Operand<TInt32>> select) {
    return GraphMath.add(
        tf,
        store.lookup(tf, item, select.apply(f.histItem())),
        store.lookup(tf, cat1, select.apply(f.histCat1())),
        store.lookup(tf, cat2, select.apply(f.histCat2())),
        store.lookup(tf, cat3, select.apply(f.histCat3())),
        store.lookup(tf, action, select.apply(f.histAction())),
        store.lookup(tf, scenario, select.apply(f.histScenario())));
  }

  /** {@code v_t}, {@code [B, d]}: the target's item fields and scenario. */
  public Operand<TFloat32> target(Ops tf, ParamStore store, InterestLayer.Features f) {
    return GraphMath.add(
        tf,
        store.lookup(tf, item, f.targetItem()),
        store.lookup(tf, cat1, f.targetCat1()),
        store.lookup(tf, cat2, f.targetCat2()),
        store.lookup(tf, cat3, f.targetCat3()),
        store.lookup(tf, scenario, f.targetScenario()));
  }
}
