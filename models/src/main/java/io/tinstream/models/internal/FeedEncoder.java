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
 * Turns a {@link Batch} into the graph's input tensors: table rows (from {@link FieldRows}) of
 * every field ({@link #hist}, {@link #target}; the named constants are those names for the fields
 * older SavedModels were exported with), temporal rows and the mask. Padded positions are forced to
 * row 0 here as well as masked in the graph.
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

  /** Feed (and SavedModel input) name of a behavior field's rows: {@code hist_<key>}. */
  public static String hist(ModelParams.Field f) {
    return "hist_" + f.key();
  }

  /** Feed name of a target field's rows: {@code tgt_<key>}. */
  public static String target(ModelParams.Field f) {
    return "tgt_" + f.key();
  }

  public static Encoded encode(ModelParams p, Batch b, FieldRows rows) {
    int n = b.size * b.maxLen;
    Encoded enc = new Encoded(b.size, b.maxLen);
    ModelParams.Field[] fields = ModelParams.Field.values();
    int[][] hist = new int[fields.length][];
    for (ModelParams.Field f : fields) {
      int[] raw = b.hist(f);
      int[] out = new int[n];
      for (int r = 0; r < b.size; r++) {
        int base = r * b.maxLen;
        int len = b.lengths[r];
        for (int i = base; i < base + len; i++) {
          out[i] = rows.row(f, raw[i]);
        }
      }
      hist[f.ordinal()] = out;
    }
    int[] pos = new int[n];
    int[] dt = new int[n];
    for (int r = 0; r < b.size; r++) {
      int base = r * b.maxLen;
      int len = b.lengths[r];
      for (int j = 0; j < len; j++) {
        int i = base + j;
        // A real behavior never takes the target's position row 0.
        pos[i] = FeatureEncoding.positionRow(Math.max(1, b.histPosition[i]), p.positionBuckets());
        dt[i] = FeatureEncoding.timeBucket(b.histDeltaSec[i], p.timeBuckets());
        enc.mask[i] = 1f;
      }
    }
    for (ModelParams.Field f : fields) {
      enc.ints.put(hist(f), hist[f.ordinal()]);
    }
    enc.ints.put(HIST_POS, pos);
    enc.ints.put(HIST_DT, dt);
    for (ModelParams.Field f : ModelParams.Field.targetFields()) {
      int[] raw = b.target(f);
      int[] out = new int[b.size];
      for (int r = 0; r < b.size; r++) {
        out[r] = rows.row(f, raw[r]);
      }
      enc.ints.put(target(f), out);
    }
    int[] tslot = new int[b.size];
    for (int r = 0; r < b.size; r++) {
      tslot[r] = CategorySlots.slot(b.targetCat1[r], p.categorySlots());
    }
    enc.ints.put(TGT_CATEGORY_SLOT, tslot);
    return enc;
  }
}
