package io.tinstream.models.embedding;

import io.tinstream.models.FeatureEncoding;
import java.util.Arrays;

/**
 * Open-addressing (linear probing) index id -> row that stores only the row: the id is read back
 * from the mapping's {@code idOfRow} array, so a slot costs 4 bytes. Row 0 is the reserved row and
 * never indexed, so 0 marks an empty slot. Load stays at or below 2/3; removal shifts entries back
 * instead of leaving tombstones, so lookups never slow down with churn.
 */
final class RowIndex {
  private static final int EMPTY = 0;

  private final int[] idOfRow;
  private final int[] slots;
  private final int mask;

  /** {@code idOfRow} is the mapping's array, read here and written only by the mapping. */
  RowIndex(int[] idOfRow) {
    this.idOfRow = idOfRow;
    long wanted = Math.max(2L, (long) idOfRow.length + idOfRow.length / 2);
    int capacity = Integer.highestOneBit((int) Math.min((1L << 30) - 1, wanted - 1)) << 1;
    this.slots = new int[capacity];
    this.mask = capacity - 1;
  }

  /** The id's row, or the reserved row when it has none. */
  int find(int id) {
    int s = IdHash.mix(id) & mask;
    while (true) {
      int row = slots[s];
      if (row == EMPTY) {
        return FeatureEncoding.RESERVED_ROW;
      }
      if (idOfRow[row] == id) {
        return row;
      }
      s = (s + 1) & mask;
    }
  }

  /** Indexes {@code row} under {@code idOfRow[row]}, which must not be indexed yet. */
  void insert(int row) {
    int s = IdHash.mix(idOfRow[row]) & mask;
    while (slots[s] != EMPTY) {
      s = (s + 1) & mask;
    }
    slots[s] = row;
  }

  /** Unindexes {@code row}; {@code idOfRow[row]} must still hold its id. */
  void remove(int row) {
    int hole = IdHash.mix(idOfRow[row]) & mask;
    while (slots[hole] != row) {
      if (slots[hole] == EMPTY) {
        throw new IllegalStateException("row " + row + " is not indexed");
      }
      hole = (hole + 1) & mask;
    }
    // Backward-shift deletion: move each later entry of the run whose home is not in (hole, j]
    // into the hole, so every entry stays reachable from its home slot.
    int j = hole;
    while (true) {
      j = (j + 1) & mask;
      int r = slots[j];
      if (r == EMPTY) {
        break;
      }
      int home = IdHash.mix(idOfRow[r]) & mask;
      boolean homeInGap = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (!homeInGap) {
        slots[hole] = r;
        hole = j;
      }
    }
    slots[hole] = EMPTY;
  }

  void clear() {
    Arrays.fill(slots, EMPTY);
  }

  long heapBytes() {
    return 16L + 4L * slots.length;
  }
}
