package io.tinstream.models.internal;

import io.tinstream.models.FieldRows;
import io.tinstream.models.ModelParams;

/**
 * Remembers, for one field of one batch, the rows a read-only {@link FieldRows} gave: a scoring
 * batch repeats the same user's behaviors across its candidates (every candidate's selection comes
 * from one trajectory), so most of its cells ask for an id already asked. A small direct-mapped
 * table that stays in the CPU cache answers those instead of the mapping's index, whose arrays (per
 * field, a few hundred KB) do not. A slot keeps the latest id that hashed to it; unknown (negative)
 * ids are passed through, being cheap to map.
 */
final class BatchRowMemo {
  private static final int SLOT_BITS = 11;
  private static final int NO_ID = -1;

  private final FieldRows rows;
  private final int[] ids = new int[1 << SLOT_BITS];
  private final int[] found = new int[1 << SLOT_BITS];
  private ModelParams.Field field;

  BatchRowMemo(FieldRows rows) {
    if (rows.observes()) {
      throw new IllegalArgumentException("rows that observe ids must be asked for every id");
    }
    this.rows = rows;
  }

  /** Forgets the previous field's rows: what follows asks for {@code next}'s. */
  void start(ModelParams.Field next) {
    field = next;
    java.util.Arrays.fill(ids, NO_ID);
  }

  int row(int rawId) {
    if (rawId < 0) {
      return rows.row(field, rawId);
    }
    // Fibonacci hashing: raw ids are often dense or strided, and the top bits mix them.
    int slot = (rawId * 0x9E3779B9) >>> (32 - SLOT_BITS);
    if (ids[slot] != rawId) {
      ids[slot] = rawId;
      found[slot] = rows.row(field, rawId);
    }
    return found[slot];
  }
}
