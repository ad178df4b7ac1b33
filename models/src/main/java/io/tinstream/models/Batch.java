package io.tinstream.models;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * A micro-batch in columnar primitive form. Histories are left-aligned: row {@code b} holds
 * behaviors {@code [b*maxLen, b*maxLen + lengths[b])}, oldest first; the rest is padding and never
 * contributes to a score. Raw ids are the dataset's ids: negative means unknown; the model maps
 * them to rows of its tables through {@link FieldRows} (row 0 reserved).
 *
 * <p>There is one behavior column per {@link ModelParams.Field} ({@link #hist}) and one target
 * column per field the target carries ({@link #target}). A column a producer does not give is all
 * unknown (-1), never id 0. The named fields ({@link #histItem}, {@link #targetCat1}, ...) are the
 * same arrays as the columns of their fields.
 *
 * <p>Arrays are owned by the batch and not copied: a producer must not mutate them afterwards.
 */
public final class Batch {
  public final int size;
  public final int maxLen;
  public final int[] lengths;

  /** Behavior columns by field ordinal, each [size * maxLen]. */
  private final int[][] hist;

  /** Target columns by field ordinal, each [size]; null for fields the target does not carry. */
  private final int[][] target;

  /** [size * maxLen] behavior columns (views of {@link #hist}). */
  public final int[] histItem;

  public final int[] histCat1;
  public final int[] histCat2;
  public final int[] histCat3;
  public final int[] histAction;
  public final int[] histScenario;

  /** [size * maxLen] seconds between the behavior and the target's request time ({@code >= 0}). */
  public final float[] histDeltaSec;

  /**
   * [size * maxLen] position relative to the target: 1 = most recent, counting back; 0 on padding.
   * Explicit (not derived from lengths) so a searched subsequence keeps its true positions.
   */
  public final int[] histPosition;

  /** [size] target columns (views of {@link #target}). */
  public final int[] targetItem;

  public final int[] targetCat1;
  public final int[] targetCat2;
  public final int[] targetCat3;
  public final int[] targetScenario;

  /** [size] labels in {0,1}; may be null for scoring-only batches. */
  public final float[] labels;

  /** [size] user ids (for GAUC); may be null. */
  public final int[] userIds;

  /**
   * A batch of the given columns; a field missing from {@code hist} (or, for a field the target
   * carries, from {@code target}) gets an all-unknown column.
   */
  public Batch(
      int size,
      int maxLen,
      int[] lengths,
      Map<ModelParams.Field, int[]> hist,
      float[] histDeltaSec,
      int[] histPosition,
      Map<ModelParams.Field, int[]> target,
      float[] labels,
      int[] userIds) {
    if (size <= 0 || maxLen <= 0) {
      throw new IllegalArgumentException("size and maxLen must be > 0: " + size + ", " + maxLen);
    }
    this.size = size;
    this.maxLen = maxLen;
    int n = size * maxLen;
    this.lengths = check(lengths, size, "lengths");
    ModelParams.Field[] fields = ModelParams.Field.values();
    this.hist = new int[fields.length][];
    this.target = new int[fields.length][];
    for (ModelParams.Field f : fields) {
      int[] h = hist.get(f);
      this.hist[f.ordinal()] = h == null ? unknown(n) : check(h, n, "hist " + f);
      int[] t = target.get(f);
      if (t != null && !f.onTarget()) {
        throw new IllegalArgumentException("the target carries no " + f);
      }
      if (f.onTarget()) {
        this.target[f.ordinal()] = t == null ? unknown(size) : check(t, size, "target " + f);
      }
    }
    if (histDeltaSec.length != n) {
      throw new IllegalArgumentException("histDeltaSec length " + histDeltaSec.length + " != " + n);
    }
    this.histDeltaSec = histDeltaSec;
    this.histPosition = check(histPosition, n, "histPosition");
    this.histItem = hist(ModelParams.Field.ITEM);
    this.histCat1 = hist(ModelParams.Field.CAT1);
    this.histCat2 = hist(ModelParams.Field.CAT2);
    this.histCat3 = hist(ModelParams.Field.CAT3);
    this.histAction = hist(ModelParams.Field.ACTION);
    this.histScenario = hist(ModelParams.Field.SCENARIO);
    this.targetItem = target(ModelParams.Field.ITEM);
    this.targetCat1 = target(ModelParams.Field.CAT1);
    this.targetCat2 = target(ModelParams.Field.CAT2);
    this.targetCat3 = target(ModelParams.Field.CAT3);
    this.targetScenario = target(ModelParams.Field.SCENARIO);
    if (labels != null && labels.length != size) {
      throw new IllegalArgumentException("labels length " + labels.length + " != " + size);
    }
    this.labels = labels;
    if (userIds != null && userIds.length != size) {
      throw new IllegalArgumentException("userIds length " + userIds.length + " != " + size);
    }
    this.userIds = userIds;
    for (int b = 0; b < size; b++) {
      if (lengths[b] < 0 || lengths[b] > maxLen) {
        throw new IllegalArgumentException(
            "lengths[" + b + "]=" + lengths[b] + " not in [0," + maxLen + "]");
      }
    }
  }

  /** A batch of the item, category, action and scenario columns; every other field unknown. */
  @SuppressWarnings("checkstyle:ParameterNumber")
  public Batch(
      int size,
      int maxLen,
      int[] lengths,
      int[] histItem,
      int[] histCat1,
      int[] histCat2,
      int[] histCat3,
      int[] histAction,
      int[] histScenario,
      float[] histDeltaSec,
      int[] histPosition,
      int[] targetItem,
      int[] targetCat1,
      int[] targetCat2,
      int[] targetCat3,
      int[] targetScenario,
      float[] labels,
      int[] userIds) {
    this(
        size,
        maxLen,
        lengths,
        columns(histItem, histCat1, histCat2, histCat3, histAction, histScenario),
        histDeltaSec,
        histPosition,
        columns(targetItem, targetCat1, targetCat2, targetCat3, null, targetScenario),
        labels,
        userIds);
  }

  private static Map<ModelParams.Field, int[]> columns(
      int[] item, int[] cat1, int[] cat2, int[] cat3, int[] action, int[] scenario) {
    Map<ModelParams.Field, int[]> m = new EnumMap<>(ModelParams.Field.class);
    putRequired(m, ModelParams.Field.ITEM, item);
    putRequired(m, ModelParams.Field.CAT1, cat1);
    putRequired(m, ModelParams.Field.CAT2, cat2);
    putRequired(m, ModelParams.Field.CAT3, cat3);
    if (action != null) {
      m.put(ModelParams.Field.ACTION, action);
    }
    putRequired(m, ModelParams.Field.SCENARIO, scenario);
    return m;
  }

  private static void putRequired(
      Map<ModelParams.Field, int[]> m, ModelParams.Field f, int[] column) {
    if (column == null) {
      throw new IllegalArgumentException(f + " column must not be null");
    }
    m.put(f, column);
  }

  private static int[] unknown(int n) {
    int[] a = new int[n];
    Arrays.fill(a, -1);
    return a;
  }

  private static int[] check(int[] a, int n, String name) {
    if (a == null || a.length != n) {
      throw new IllegalArgumentException(
          name + " must have length " + n + ", got " + (a == null ? "null" : a.length));
    }
    return a;
  }

  /** The behavior column of {@code f}, [size * maxLen] raw ids (the batch's own array). */
  public int[] hist(ModelParams.Field f) {
    return hist[f.ordinal()];
  }

  /**
   * The target column of {@code f}, [size] raw ids (the batch's own array); throws for a field the
   * target does not carry.
   */
  public int[] target(ModelParams.Field f) {
    int[] t = target[f.ordinal()];
    if (t == null) {
      throw new IllegalArgumentException("the target carries no " + f);
    }
    return t;
  }

  /** The first {@code n} rows as a new batch (copies), e.g. a partly filled micro-batch. */
  public Batch firstRows(int n) {
    if (n <= 0 || n > size) {
      throw new IllegalArgumentException("rows must be in 1.." + size + ", got " + n);
    }
    int m = n * maxLen;
    Map<ModelParams.Field, int[]> h = new EnumMap<>(ModelParams.Field.class);
    Map<ModelParams.Field, int[]> t = new EnumMap<>(ModelParams.Field.class);
    for (ModelParams.Field f : ModelParams.Field.values()) {
      h.put(f, Arrays.copyOf(hist(f), m));
      if (f.onTarget()) {
        t.put(f, Arrays.copyOf(target(f), n));
      }
    }
    return new Batch(
        n,
        maxLen,
        Arrays.copyOf(lengths, n),
        h,
        Arrays.copyOf(histDeltaSec, m),
        Arrays.copyOf(histPosition, m),
        t,
        labels == null ? null : Arrays.copyOf(labels, n),
        userIds == null ? null : Arrays.copyOf(userIds, n));
  }

  /**
   * Allocates an all-padding batch that a producer fills in place: every id column unknown (-1),
   * lengths, deltas and positions 0.
   */
  public static Batch allocate(int size, int maxLen, boolean withLabels) {
    int n = size * maxLen;
    return new Batch(
        size,
        maxLen,
        new int[size],
        Map.of(),
        new float[n],
        new int[n],
        Map.of(),
        withLabels ? new float[size] : null,
        new int[size]);
  }
}
