package io.tinstream.training.features;

import io.tinstream.schemas.ItemFields;

/**
 * The target columns of one batch row, as raw ids (negative = unknown), with the time the history's
 * time deltas are measured to.
 */
public record BatchTarget(int item, int cat1, int cat2, int cat3, int scenario, long timeMillis) {

  /** No target: rows that only carry a history (e.g. a user's LREA entry rebuild). */
  public static final BatchTarget NONE = new BatchTarget(-1, -1, -1, -1, -1, 0L);

  /** A candidate ad of the stream, its 64-bit id folded as every batch folds ids. */
  public static BatchTarget of(ItemFields item, int scenario, long timeMillis) {
    return new BatchTarget(
        BatchBuilder.rawId(item.getItemId()),
        orUnknown(item.getCategoryL1()),
        orUnknown(item.getCategoryL2()),
        orUnknown(item.getCategoryL3()),
        scenario,
        timeMillis);
  }

  private static int orUnknown(Integer value) {
    return value == null ? -1 : value;
  }
}
