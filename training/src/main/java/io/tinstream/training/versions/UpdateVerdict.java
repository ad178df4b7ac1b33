package io.tinstream.training.versions;

import io.tinstream.schemas.ModelUpdate;

/**
 * What an update means for a holder at a given version: the one rule of applying versions in order,
 * shared by a {@link ModelReplica} (holding weights) and an {@link UpdatesSinceFull} log (holding
 * the records to rebuild them from).
 */
public enum UpdateVerdict {
  /** Moves the holder to the update's version. */
  APPLY,
  /** The holder is already at this version or past it (a replay or a late duplicate). */
  ALREADY_HELD,
  /**
   * A delta whose base is not the holder's version: applying it would mix rows of two versions, so
   * it is refused and the holder stays where it is until the next full snapshot.
   */
  GAP,
  /** A kind of update the holder does not follow (a delta for a full-snapshots-only holder). */
  NOT_FOLLOWED;

  /**
   * The verdict on {@code update} for a holder at {@code heldVersion} (-1 = holds nothing yet). A
   * full snapshot applies when newer; a delta only on exactly its base, since it carries just the
   * rows touched after that base.
   */
  public static UpdateVerdict of(long heldVersion, ModelUpdate update, Follows follows) {
    if (!follows.takes(update)) {
      return NOT_FOLLOWED;
    }
    if (update.getVersion() <= heldVersion) {
      return ALREADY_HELD;
    }
    if (ModelUpdates.isFull(update)) {
      return APPLY;
    }
    return heldVersion >= 0 && update.getBaseVersion() == heldVersion ? APPLY : GAP;
  }
}
