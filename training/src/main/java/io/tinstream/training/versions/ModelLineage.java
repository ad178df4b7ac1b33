package io.tinstream.training.versions;

import io.tinstream.schemas.ModelUpdate;

/**
 * Where a model version sits in the history of all runs: the trainer run it belongs to ({@code
 * epoch}, chosen when a trainer starts without restored state and kept across its restores) and its
 * version within that run. Versions restart at every fresh run, so a version number alone cannot
 * tell which of two updates is newer; the pair, compared epoch first, can.
 */
public record ModelLineage(long epoch, long version) implements Comparable<ModelLineage> {

  /** What a holder that holds nothing is at: older than every published version. */
  public static final ModelLineage NONE = new ModelLineage(Long.MIN_VALUE, -1);

  public static ModelLineage of(ModelUpdate update) {
    return new ModelLineage(update.getRunEpoch(), update.getVersion());
  }

  public boolean isNone() {
    return equals(NONE);
  }

  /** Whether {@code update} belongs to an older run than this one. */
  public boolean isNewerRunThan(ModelUpdate update) {
    return !isNone() && update.getRunEpoch() < epoch;
  }

  @Override
  public int compareTo(ModelLineage o) {
    int byEpoch = Long.compare(epoch, o.epoch);
    return byEpoch != 0 ? byEpoch : Long.compare(version, o.version);
  }

  @Override
  public String toString() {
    return isNone() ? "none" : epoch + "/" + version;
  }
}
