package io.tinstream.training.batch;

import io.tinstream.models.Batch;

/**
 * Writes examples (trajectory slice + target + label) straight into a {@link Batch}'s primitive
 * columns: the history is the last {@code maxLen} behaviors before {@code histEnd}, left-aligned,
 * positions counted back from the target (1 = most recent), time deltas relative to the target's
 * request time.
 */
public final class BatchAssembler {
  private final int batchSize;
  private final int maxLen;
  private Batch current;
  private int rows;

  public BatchAssembler(int batchSize, int maxLen) {
    if (batchSize <= 0 || maxLen <= 0) {
      throw new IllegalArgumentException("batchSize and maxLen must be > 0");
    }
    this.batchSize = batchSize;
    this.maxLen = maxLen;
  }

  public int batchSize() {
    return batchSize;
  }

  public int maxLen() {
    return maxLen;
  }

  /** Rows added to the batch being filled. */
  public int pending() {
    return rows;
  }

  public boolean isFull() {
    return rows == batchSize;
  }

  /**
   * Adds one example. {@code histEnd} is exclusive: behaviors {@code [0, histEnd)} happened
   * strictly before the target.
   */
  public void add(
      Trajectory t,
      int histEnd,
      int targetItem,
      int targetCat1,
      int targetCat2,
      int targetCat3,
      int targetScenario,
      long targetTimeSec,
      float label) {
    int r = nextRow();
    Batch b = current;
    int len = Math.min(histEnd, maxLen);
    int from = histEnd - len;
    int base = r * maxLen;
    System.arraycopy(t.item(), from, b.histItem, base, len);
    System.arraycopy(t.cat1(), from, b.histCat1, base, len);
    System.arraycopy(t.cat2(), from, b.histCat2, base, len);
    System.arraycopy(t.cat3(), from, b.histCat3, base, len);
    System.arraycopy(t.action(), from, b.histAction, base, len);
    System.arraycopy(t.scenario(), from, b.histScenario, base, len);
    long[] time = t.timeSec();
    for (int j = 0; j < len; j++) {
      b.histDeltaSec[base + j] = Math.max(0L, targetTimeSec - time[from + j]);
      b.histPosition[base + j] = len - j;
    }
    finishRow(
        r, len, t.userId(), targetItem, targetCat1, targetCat2, targetCat3, targetScenario, label);
  }

  /**
   * Adds one example whose history is a searched subsequence: {@code selected} are ascending
   * indices below {@code histEnd} (at most {@code maxLen}); each keeps its true position relative
   * to the target ({@code histEnd - index}, 1 = most recent) and its true time delta.
   */
  public void addSelected(
      Trajectory t,
      int[] selected,
      int histEnd,
      int targetItem,
      int targetCat1,
      int targetCat2,
      int targetCat3,
      int targetScenario,
      long targetTimeSec,
      float label) {
    if (selected.length > maxLen) {
      throw new IllegalArgumentException(
          "selected " + selected.length + " behaviors, more than maxLen " + maxLen);
    }
    int r = nextRow();
    Batch b = current;
    int base = r * maxLen;
    long[] time = t.timeSec();
    for (int j = 0; j < selected.length; j++) {
      int i = selected[j];
      if (i < 0 || i >= histEnd || (j > 0 && i <= selected[j - 1])) {
        throw new IllegalArgumentException("selected indices must ascend below histEnd: " + i);
      }
      b.histItem[base + j] = t.item()[i];
      b.histCat1[base + j] = t.cat1()[i];
      b.histCat2[base + j] = t.cat2()[i];
      b.histCat3[base + j] = t.cat3()[i];
      b.histAction[base + j] = t.action()[i];
      b.histScenario[base + j] = t.scenario()[i];
      b.histDeltaSec[base + j] = Math.max(0L, targetTimeSec - time[i]);
      b.histPosition[base + j] = histEnd - i;
    }
    finishRow(
        r,
        selected.length,
        t.userId(),
        targetItem,
        targetCat1,
        targetCat2,
        targetCat3,
        targetScenario,
        label);
  }

  /** Claims the next row of the batch being filled (allocating it first if needed). */
  private int nextRow() {
    if (rows == batchSize) {
      throw new IllegalStateException("batch full: call build() first");
    }
    if (current == null) {
      current = Batch.allocate(batchSize, maxLen, true);
    }
    return rows++;
  }

  /** Pads row {@code r} after its {@code len} behaviors and writes its target and label. */
  private void finishRow(
      int r,
      int len,
      int userId,
      int targetItem,
      int targetCat1,
      int targetCat2,
      int targetCat3,
      int targetScenario,
      float label) {
    Batch b = current;
    int base = r * maxLen;
    for (int j = len; j < maxLen; j++) {
      b.histItem[base + j] = -1;
      b.histPosition[base + j] = 0;
      b.histDeltaSec[base + j] = 0f;
    }
    b.lengths[r] = len;
    b.targetItem[r] = targetItem;
    b.targetCat1[r] = targetCat1;
    b.targetCat2[r] = targetCat2;
    b.targetCat3[r] = targetCat3;
    b.targetScenario[r] = targetScenario;
    b.labels[r] = label;
    b.userIds[r] = userId;
  }

  /**
   * Returns the filled batch and starts a new one. A partial batch is trimmed to its rows (a copy),
   * so scores and metrics never see filler rows.
   */
  public Batch build() {
    if (rows == 0) {
      throw new IllegalStateException("empty batch");
    }
    Batch b = current;
    int n = rows;
    current = null;
    rows = 0;
    return n == batchSize ? b : b.firstRows(n);
  }
}
