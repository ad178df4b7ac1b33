package io.tinstream.models.embedding;

import java.util.Arrays;

/**
 * Rows of one table that a trainer must reset to the initializer (embedding and optimizer slots)
 * before its next step: collected while a batch's feeds are built with {@link
 * IdRowMapping#observe(int, long, RowsToReset)}, drained once before the step runs.
 */
public final class RowsToReset {
  private int[] rows = new int[8];
  private int size;

  void add(int row) {
    if (size == rows.length) {
      rows = Arrays.copyOf(rows, 2 * size);
    }
    rows[size++] = row;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** The rows collected since the last drain, ascending and distinct; empties this. */
  public int[] drain() {
    int[] out = Arrays.copyOf(rows, size);
    size = 0;
    Arrays.sort(out);
    int n = 0;
    for (int i = 0; i < out.length; i++) {
      if (n == 0 || out[n - 1] != out[i]) {
        out[n++] = out[i];
      }
    }
    return Arrays.copyOf(out, n);
  }
}
