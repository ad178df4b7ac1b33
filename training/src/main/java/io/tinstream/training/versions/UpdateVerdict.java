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
  /**
   * An update of an older run than the one held: a previous run's lineage (found on a topic, or
   * replayed), never adopted once a newer run is followed, whatever its version number.
   */
  OLDER_RUN,
  /** A kind of update the holder does not follow (a delta for a full-snapshots-only holder). */
  NOT_FOLLOWED,
  /**
   * An update the holder could not take although it was next: its model could not be built, or its
   * weights did not import (corrupt, or shaped for other params). The holder keeps what it had and
   * does not try the same update again. Never returned by {@link #of}, which judges order only.
   */
  INVALID;

  /**
   * The verdict on {@code update} for a holder at {@code held} ({@link ModelLineage#NONE} = holds
   * nothing yet). Lineages compare run epoch first: an older run is never taken, a newer run's full
   * snapshot always is (its versions restart, so they may be lower). Within one run a full snapshot
   * applies when newer, a delta only on exactly its base, since it carries just the rows touched
   * after that base.
   */
  public static UpdateVerdict of(ModelLineage held, ModelUpdate update, Follows follows) {
    if (!follows.takes(update)) {
      return NOT_FOLLOWED;
    }
    if (held.isNewerRunThan(update)) {
      return OLDER_RUN;
    }
    boolean sameRun = !held.isNone() && update.getRunEpoch() == held.epoch();
    if (sameRun && update.getVersion() <= held.version()) {
      return ALREADY_HELD;
    }
    if (ModelUpdates.isFull(update)) {
      return APPLY;
    }
    // A delta of another run is cut from a base this holder never had.
    return sameRun && update.getBaseVersion() == held.version() ? APPLY : GAP;
  }
}
