package io.tinstream.models.layers;

import io.tinstream.models.ModelParams;
import io.tinstream.models.internal.ParamStore;
import java.util.function.UnaryOperator;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Names of one set of field tables (the model's base tables, or a layer's own set such as DARE's
 * attention tables) and the sums of MODELS.md "Notation" over them.
 */
record FieldEmbeddings(
    String item,
    String cat1,
    String cat2,
    String cat3,
    String action,
    String scenario,
    String pos,
    String dt,
    int dim) {

  /** The model's shared tables ({@code emb_*}, {@code P_pos}, {@code P_dt}) at width {@code d}. */
  static FieldEmbeddings base(int d) {
    return new FieldEmbeddings(
        "emb_item",
        "emb_cat1",
        "emb_cat2",
        "emb_cat3",
        "emb_action",
        "emb_scenario",
        "P_pos",
        "P_dt",
        d);
  }

  /** A separate set named {@code prefix + field}. */
  static FieldEmbeddings prefixed(String prefix, int d) {
    return new FieldEmbeddings(
        prefix + "item",
        prefix + "cat1",
        prefix + "cat2",
        prefix + "cat3",
        prefix + "action",
        prefix + "scenario",
        prefix + "P_pos",
        prefix + "P_dt",
        d);
  }

  /** Creates the tables that do not exist yet (the base ones mostly do). */
  void create(Ops tf, ParamStore store, ModelParams p) {
    float std = p.embeddingInitStd();
    store.table(tf, item, p.rows(ModelParams.Field.ITEM), dim, std);
    store.table(tf, cat1, p.rows(ModelParams.Field.CAT1), dim, std);
    store.table(tf, cat2, p.rows(ModelParams.Field.CAT2), dim, std);
    store.table(tf, cat3, p.rows(ModelParams.Field.CAT3), dim, std);
    store.table(tf, action, p.rows(ModelParams.Field.ACTION), dim, std);
    store.table(tf, scenario, p.rows(ModelParams.Field.SCENARIO), dim, std);
    store.table(tf, pos, p.positionBuckets(), dim, std);
    store.table(tf, dt, p.timeBuckets(), dim, std);
  }

  /**
   * {@code ẽ_i = e_i + P_pos[pos_i] + P_dt[dt_i]} over behavior columns, each first passed through
   * {@code select} (identity, or a gather of the kept positions).
   */
  Operand<TFloat32> behaviors(
      Ops tf,
      ParamStore store,
      InterestLayer.Features f,
      UnaryOperator<Operand<TInt32>> select,
      boolean temporal) {
    Operand<TFloat32> s =
        add(
            tf,
            store.lookup(tf, item, select.apply(f.histItem())),
            store.lookup(tf, cat1, select.apply(f.histCat1())),
            store.lookup(tf, cat2, select.apply(f.histCat2())),
            store.lookup(tf, cat3, select.apply(f.histCat3())),
            store.lookup(tf, action, select.apply(f.histAction())),
            store.lookup(tf, scenario, select.apply(f.histScenario())));
    if (temporal) {
      s =
          add(
              tf,
              s,
              store.lookup(tf, pos, select.apply(f.histPos())),
              store.lookup(tf, dt, select.apply(f.histDt())));
    }
    return s;
  }

  /** {@code ṽ_t = v_t + P_pos[0] + P_dt[0]} (or {@code v_t} without temporal encoding). */
  Operand<TFloat32> target(Ops tf, ParamStore store, InterestLayer.Features f, boolean temporal) {
    Operand<TFloat32> s =
        add(
            tf,
            store.lookup(tf, item, f.targetItem()),
            store.lookup(tf, cat1, f.targetCat1()),
            store.lookup(tf, cat2, f.targetCat2()),
            store.lookup(tf, cat3, f.targetCat3()),
            store.lookup(tf, scenario, f.targetScenario()));
    if (temporal) {
      Operand<TInt32> zero = tf.constant(new int[] {0});
      s = add(tf, s, store.lookup(tf, pos, zero), store.lookup(tf, dt, zero));
    }
    return s;
  }

  @SafeVarargs
  static Operand<TFloat32> add(Ops tf, Operand<TFloat32>... xs) {
    Operand<TFloat32> s = xs[0];
    for (int i = 1; i < xs.length; i++) {
      s = tf.math.add(s, xs[i]);
    }
    return s;
  }
}
