package io.tinstream.state;

import io.tinstream.state.internal.BehaviorColumns;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Per category, at each level, the rows of a cached trajectory that hold it, ascending: lets a hard
 * search walk back through just the behaviors of the target's category, so its cost follows K
 * rather than the trajectory's length. Grows with appends at the end; a change that moves rows (an
 * out-of-order insert, a dropped chunk) makes the owner build a new one.
 */
final class CategoryIndex {
  private final Map<Integer, Rows>[] byLevel;

  @SuppressWarnings("unchecked")
  private CategoryIndex() {
    byLevel = new Map[CategoryLevel.values().length];
    for (int level = 0; level < byLevel.length; level++) {
      byLevel[level] = new HashMap<>();
    }
  }

  /** The index of rows {@code [0, size)}. */
  static CategoryIndex build(BehaviorColumns columns, int size) {
    CategoryIndex index = new CategoryIndex();
    for (int row = 0; row < size; row++) {
      index.appended(columns, row);
    }
    return index;
  }

  /** Records {@code row}, which must come after every row recorded so far. */
  void appended(BehaviorColumns columns, int row) {
    add(CategoryLevel.L1, columns.categoryL1[row], row);
    add(CategoryLevel.L2, columns.categoryL2[row], row);
    add(CategoryLevel.L3, columns.categoryL3[row], row);
  }

  /**
   * Records {@code row}, inserted before rows that were recorded already: those move up by one. A
   * late behavior lands among the newest few, so this touches only each category's last rows.
   */
  void inserted(BehaviorColumns columns, int row) {
    for (Map<Integer, Rows> level : byLevel) {
      for (Rows rows : level.values()) {
        rows.shiftFrom(row);
      }
    }
    insert(CategoryLevel.L1, columns.categoryL1[row], row);
    insert(CategoryLevel.L2, columns.categoryL2[row], row);
    insert(CategoryLevel.L3, columns.categoryL3[row], row);
  }

  /** Rows holding {@code category} at {@code level}, ascending; null when none. */
  Rows rows(CategoryLevel level, int category) {
    return byLevel[level.ordinal()].get(category);
  }

  private void add(CategoryLevel level, int category, int row) {
    if (category != Behavior.UNKNOWN) {
      byLevel[level.ordinal()].computeIfAbsent(category, c -> new Rows()).add(row);
    }
  }

  private void insert(CategoryLevel level, int category, int row) {
    if (category != Behavior.UNKNOWN) {
      byLevel[level.ordinal()].computeIfAbsent(category, c -> new Rows()).insert(row);
    }
  }

  /** A growable ascending list of row numbers. */
  static final class Rows {
    private int[] rows = new int[4];
    private int size;

    void add(int row) {
      if (size == rows.length) {
        rows = Arrays.copyOf(rows, size * 2);
      }
      rows[size++] = row;
    }

    /** Places {@code row} in order (no row equal to it is held). */
    void insert(int row) {
      add(row);
      int i = size - 1;
      while (i > 0 && rows[i - 1] > row) {
        rows[i] = rows[i - 1];
        i--;
      }
      rows[i] = row;
    }

    /** Every row at or after {@code row} moves up by one; walks back only over those. */
    void shiftFrom(int row) {
      for (int i = size - 1; i >= 0 && rows[i] >= row; i--) {
        rows[i]++;
      }
    }

    int size() {
      return size;
    }

    int get(int i) {
      return rows[i];
    }

    /** The number of rows below {@code row}: where a walk back from {@code row} starts. */
    int countBelow(int row) {
      int at = Arrays.binarySearch(rows, 0, size, row);
      return at >= 0 ? at : -at - 1;
    }
  }
}
