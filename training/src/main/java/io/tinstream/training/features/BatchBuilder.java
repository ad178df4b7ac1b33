package io.tinstream.training.features;

import io.tinstream.models.Batch;
import io.tinstream.models.ModelParams;
import java.util.Arrays;

/**
 * The one writer of {@link Batch} columns, offline and online: each row is a {@link RowHistory}
 * (its newest {@code maxLen} behaviors kept, left-aligned, true positions, time deltas to the
 * target in seconds), a {@link BatchTarget} and a label, every field of both. A partial batch is
 * trimmed to its rows, so scores and metrics never see filler rows.
 */
public final class BatchBuilder {
  private final int capacity;
  private final int maxLen;
  private Batch current;
  private int rows;

  public BatchBuilder(int capacity, int maxLen) {
    if (capacity <= 0 || maxLen <= 0) {
      throw new IllegalArgumentException("capacity and maxLen must be > 0");
    }
    this.capacity = capacity;
    this.maxLen = maxLen;
  }

  public int maxLen() {
    return maxLen;
  }

  /** Rows added to the batch being filled. */
  public int rows() {
    return rows;
  }

  public boolean isFull() {
    return rows == capacity;
  }

  /** Adds one row; only the newest {@code maxLen} behaviors of {@code history} are kept. */
  public void add(RowHistory history, BatchTarget target, float label, int userId) {
    if (rows == capacity) {
      throw new IllegalStateException("batch full: call build() first");
    }
    if (current == null) {
      current = Batch.allocate(capacity, maxLen, true);
    }
    Batch b = current;
    int r = rows++;
    int n = history.size();
    int len = Math.min(n, maxLen);
    int from = n - len;
    int base = r * maxLen;
    for (ModelParams.Field f : ModelParams.Field.values()) {
      int[] column = b.hist(f);
      for (int j = 0; j < len; j++) {
        column[base + j] = history.id(f, from + j);
      }
      Arrays.fill(column, base + len, base + maxLen, -1);
    }
    for (int j = 0; j < len; j++) {
      int i = from + j;
      b.histDeltaSec[base + j] = Math.max(0L, target.timeMillis() - history.timeMillis(i)) / 1000f;
      b.histPosition[base + j] = history.position(i);
    }
    Arrays.fill(b.histDeltaSec, base + len, base + maxLen, 0f);
    Arrays.fill(b.histPosition, base + len, base + maxLen, 0);
    b.lengths[r] = len;
    for (ModelParams.Field f : ModelParams.Field.targetFields()) {
      b.target(f)[r] = target.id(f);
    }
    b.labels[r] = label;
    b.userIds[r] = userId;
  }

  /** A row with no behaviors: only the target's columns matter (ad vectors, entry scoring). */
  public void addTarget(BatchTarget target) {
    add(RowHistory.EMPTY, target, 0f, 0);
  }

  /** The filled rows as a batch (trimmed when not full); starts a new one. */
  public Batch build() {
    if (rows == 0) {
      throw new IllegalStateException("empty batch");
    }
    Batch full = current;
    int n = rows;
    current = null;
    rows = 0;
    return n == capacity ? full : full.firstRows(n);
  }

  /** 64-bit ids folded into the model's non-negative int id space; negative stays unknown. */
  public static int rawId(long id) {
    return id < 0 ? -1 : (int) ((id ^ (id >>> 32)) & 0x7fffffff);
  }
}
