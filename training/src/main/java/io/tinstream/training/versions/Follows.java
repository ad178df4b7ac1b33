package io.tinstream.training.versions;

import io.tinstream.schemas.ModelUpdate;

/** Which of a variant's updates a replica takes. */
public enum Follows {
  /** Full snapshots and the deltas between them: the replica moves with every published version. */
  EVERY_UPDATE,
  /**
   * Full snapshots only: for a replica whose every version change is expensive downstream (LREA
   * serving rebuilds each user's entry per version), so it moves once per full snapshot.
   */
  FULL_SNAPSHOTS;

  public boolean takes(ModelUpdate update) {
    return this == EVERY_UPDATE || ModelUpdates.isFull(update);
  }
}
