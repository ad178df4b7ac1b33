package io.tinstream.models.internal;

import io.tinstream.models.Batch;
import io.tinstream.models.CategorySlots;
import io.tinstream.models.FeatureEncoding;
import io.tinstream.models.FieldRows;
import io.tinstream.models.ModelParams;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Turns a {@link Batch} into the graph's input tensors: table rows (from {@link FieldRows}),
 * temporal rows and the mask. Padded positions are forced to row 0 here as well as masked in the
 * graph.
 */
public final class FeedEncoder {
  public static final String HIST_ITEM = "hist_item";
  public static final String HIST_CAT1 = "hist_cat1";
  public static final String HIST_CAT2 = "hist_cat2";
  public static final String HIST_CAT3 = "hist_cat3";
  public static final String HIST_ACTION = "hist_action";
  public static final String HIST_SCENARIO = "hist_scenario";
  public static final String HIST_POS = "hist_pos";
  public static final String HIST_DT = "hist_dt";
  public static final String MASK = "mask";
  public static final String TGT_ITEM = "tgt_item";
  public static final String TGT_CAT1 = "tgt_cat1";
  public static final String TGT_CAT2 = "tgt_cat2";
  public static final String TGT_CAT3 = "tgt_cat3";
  public static final String TGT_SCENARIO = "tgt_scenario";
  public static final String TGT_CATEGORY_SLOT = "tgt_cslot";
  public static final String LABEL = "label";

  /** Hashed rows of one batch, kept so the model can record which rows a step touches. */
  public static final class Encoded {
    public final int size;
    public final int maxLen;
    public final Map<String, int[]> ints = new LinkedHashMap<>();
    public final float[] mask;

    Encoded(int size, int maxLen) {
      this.size = size;
      this.maxLen = maxLen;
      this.mask = new float[size * maxLen];
    }

    /** Tensors keyed by placeholder name; the caller closes them. */
    public Map<String, Tensor> tensors() {
      Map<String, Tensor> out = new LinkedHashMap<>();
      for (Map.Entry<String, int[]> e : ints.entrySet()) {
        int[] a = e.getValue();
        Shape shape = e.getKey().startsWith("hist_") ? Shape.of(size, maxLen) : Shape.of(size);
        out.put(e.getKey(), TInt32.tensorOf(shape, DataBuffers.of(a, true, false)));
      }
      out.put(MASK, TFloat32.tensorOf(Shape.of(size, maxLen), DataBuffers.of(mask, true, false)));
      return out;
    }
  }

  private FeedEncoder() {}

  public static Encoded encode(ModelParams p, Batch b, FieldRows rows) {
    int n = b.size * b.maxLen;
    Encoded enc = new Encoded(b.size, b.maxLen);
    int[] item = new int[n];
    int[] c1 = new int[n];
    int[] c2 = new int[n];
    int[] c3 = new int[n];
    int[] act = new int[n];
    int[] scn = new int[n];
    int[] pos = new int[n];
    int[] dt = new int[n];
    for (int r = 0; r < b.size; r++) {
      int base = r * b.maxLen;
      int len = b.lengths[r];
      for (int j = 0; j < len; j++) {
        int i = base + j;
        item[i] = rows.row(ModelParams.Field.ITEM, b.histItem[i]);
        c1[i] = rows.row(ModelParams.Field.CAT1, b.histCat1[i]);
        c2[i] = rows.row(ModelParams.Field.CAT2, b.histCat2[i]);
        c3[i] = rows.row(ModelParams.Field.CAT3, b.histCat3[i]);
        act[i] = rows.row(ModelParams.Field.ACTION, b.histAction[i]);
        scn[i] = rows.row(ModelParams.Field.SCENARIO, b.histScenario[i]);
        // A real behavior never takes the target's position row 0.
        pos[i] = FeatureEncoding.positionRow(Math.max(1, b.histPosition[i]), p.positionBuckets());
        dt[i] = FeatureEncoding.timeBucket(b.histDeltaSec[i], p.timeBuckets());
        enc.mask[i] = 1f;
      }
    }
    int[] ti = new int[b.size];
    int[] t1 = new int[b.size];
    int[] t2 = new int[b.size];
    int[] t3 = new int[b.size];
    int[] ts = new int[b.size];
    int[] tslot = new int[b.size];
    for (int r = 0; r < b.size; r++) {
      ti[r] = rows.row(ModelParams.Field.ITEM, b.targetItem[r]);
      t1[r] = rows.row(ModelParams.Field.CAT1, b.targetCat1[r]);
      t2[r] = rows.row(ModelParams.Field.CAT2, b.targetCat2[r]);
      t3[r] = rows.row(ModelParams.Field.CAT3, b.targetCat3[r]);
      ts[r] = rows.row(ModelParams.Field.SCENARIO, b.targetScenario[r]);
      tslot[r] = CategorySlots.slot(b.targetCat1[r], p.categorySlots());
    }
    enc.ints.put(HIST_ITEM, item);
    enc.ints.put(HIST_CAT1, c1);
    enc.ints.put(HIST_CAT2, c2);
    enc.ints.put(HIST_CAT3, c3);
    enc.ints.put(HIST_ACTION, act);
    enc.ints.put(HIST_SCENARIO, scn);
    enc.ints.put(HIST_POS, pos);
    enc.ints.put(HIST_DT, dt);
    enc.ints.put(TGT_ITEM, ti);
    enc.ints.put(TGT_CAT1, t1);
    enc.ints.put(TGT_CAT2, t2);
    enc.ints.put(TGT_CAT3, t3);
    enc.ints.put(TGT_SCENARIO, ts);
    enc.ints.put(TGT_CATEGORY_SLOT, tslot);
    return enc;
  }
}
