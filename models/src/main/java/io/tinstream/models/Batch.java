package io.tinstream.models;

/**
 * A micro-batch in columnar primitive form. Histories are left-aligned: row {@code b} holds
 * behaviors {@code [b*maxLen, b*maxLen + lengths[b])}, oldest first; the rest is padding and never
 * contributes to a score. Raw ids are the dataset's ids: negative means unknown; the model hashes
 * them into its tables (row 0 reserved).
 *
 * <p>Arrays are owned by the batch and not copied: a producer must not mutate them afterwards.
 */
public final class Batch {
  public final int size;
  public final int maxLen;
  public final int[] lengths;

  /** [size * maxLen] behavior columns. */
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

  /** [size] target columns. */
  public final int[] targetItem;

  public final int[] targetCat1;
  public final int[] targetCat2;
  public final int[] targetCat3;
  public final int[] targetScenario;

  /** [size] labels in {0,1}; may be null for scoring-only batches. */
  public final float[] labels;

  /** [size] user ids (for GAUC); may be null. */
  public final int[] userIds;

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
    if (size <= 0 || maxLen <= 0) {
      throw new IllegalArgumentException("size and maxLen must be > 0: " + size + ", " + maxLen);
    }
    this.size = size;
    this.maxLen = maxLen;
    int n = size * maxLen;
    this.lengths = check(lengths, size, "lengths");
    this.histItem = check(histItem, n, "histItem");
    this.histCat1 = check(histCat1, n, "histCat1");
    this.histCat2 = check(histCat2, n, "histCat2");
    this.histCat3 = check(histCat3, n, "histCat3");
    this.histAction = check(histAction, n, "histAction");
    this.histScenario = check(histScenario, n, "histScenario");
    if (histDeltaSec.length != n) {
      throw new IllegalArgumentException("histDeltaSec length " + histDeltaSec.length + " != " + n);
    }
    this.histDeltaSec = histDeltaSec;
    this.histPosition = check(histPosition, n, "histPosition");
    this.targetItem = check(targetItem, size, "targetItem");
    this.targetCat1 = check(targetCat1, size, "targetCat1");
    this.targetCat2 = check(targetCat2, size, "targetCat2");
    this.targetCat3 = check(targetCat3, size, "targetCat3");
    this.targetScenario = check(targetScenario, size, "targetScenario");
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

  private static int[] check(int[] a, int n, String name) {
    if (a == null || a.length != n) {
      throw new IllegalArgumentException(
          name + " must have length " + n + ", got " + (a == null ? "null" : a.length));
    }
    return a;
  }

  /** Allocates an all-padding batch that a producer fills in place. */
  /** The first {@code n} rows as a new batch (copies), e.g. a partly filled micro-batch. */
  public Batch firstRows(int n) {
    if (n <= 0 || n > size) {
      throw new IllegalArgumentException("rows must be in 1.." + size + ", got " + n);
    }
    int m = n * maxLen;
    return new Batch(
        n,
        maxLen,
        java.util.Arrays.copyOf(lengths, n),
        java.util.Arrays.copyOf(histItem, m),
        java.util.Arrays.copyOf(histCat1, m),
        java.util.Arrays.copyOf(histCat2, m),
        java.util.Arrays.copyOf(histCat3, m),
        java.util.Arrays.copyOf(histAction, m),
        java.util.Arrays.copyOf(histScenario, m),
        java.util.Arrays.copyOf(histDeltaSec, m),
        java.util.Arrays.copyOf(histPosition, m),
        java.util.Arrays.copyOf(targetItem, n),
        java.util.Arrays.copyOf(targetCat1, n),
        java.util.Arrays.copyOf(targetCat2, n),
        java.util.Arrays.copyOf(targetCat3, n),
        java.util.Arrays.copyOf(targetScenario, n),
        labels == null ? null : java.util.Arrays.copyOf(labels, n),
        userIds == null ? null : java.util.Arrays.copyOf(userIds, n));
  }

  public static Batch allocate(int size, int maxLen, boolean withLabels) {
    int n = size * maxLen;
    return new Batch(
        size,
        maxLen,
        new int[size],
        new int[n],
        new int[n],
        new int[n],
        new int[n],
        new int[n],
        new int[n],
        new float[n],
        new int[n],
        new int[size],
        new int[size],
        new int[size],
        new int[size],
        new int[size],
        withLabels ? new float[size] : null,
        new int[size]);
  }
}
