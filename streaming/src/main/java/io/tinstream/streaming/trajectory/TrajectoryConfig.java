package io.tinstream.streaming.trajectory;

import io.tinstream.state.TrajectoryPolicy;
import io.tinstream.state.TrajectoryStore;
import java.io.Serializable;

/**
 * What the trajectory operator is configured with. Plain values rather than {@link
 * TrajectoryPolicy}: an operator's fields must be serializable to ship to the cluster. Checked by
 * {@link io.tinstream.streaming.JobSettings}, which names the setting that is wrong.
 *
 * @param chunkSize behaviors per sealed trajectory chunk
 * @param cacheRows rows of decoded trajectories each operator instance keeps in memory
 * @param taxonomyWaitMs how long a behavior that needs the taxonomy waits for its first edge before
 *     it is stored with what it has (only at the job's very first start: afterwards the taxonomy is
 *     in checkpointed broadcast state)
 * @param attributionWindowMs how long (event time) an impression waits for its click
 * @param maxPendingImpressions impressions per user waiting for a label
 * @param joinLabels whether impressions become training examples at all: not when nothing trains on
 *     them and no topic takes them (building an example searches the trajectory for each history)
 */
public record TrajectoryConfig(
    long retentionMs,
    int maxBehaviors,
    int chunkSize,
    long cacheRows,
    long taxonomyWaitMs,
    long attributionWindowMs,
    int maxPendingImpressions,
    boolean joinLabels)
    implements Serializable {

  /** With the default trajectory cache. */
  public TrajectoryConfig(
      TrajectoryPolicy policy,
      long taxonomyWaitMs,
      long attributionWindowMs,
      int maxPendingImpressions) {
    this(
        policy,
        TrajectoryStore.DEFAULT_CACHE_ROWS,
        taxonomyWaitMs,
        attributionWindowMs,
        maxPendingImpressions);
  }

  public TrajectoryConfig(
      TrajectoryPolicy policy,
      long cacheRows,
      long taxonomyWaitMs,
      long attributionWindowMs,
      int maxPendingImpressions) {
    this(
        policy.retentionMs(),
        policy.maxBehaviors(),
        policy.chunkSize(),
        cacheRows,
        taxonomyWaitMs,
        attributionWindowMs,
        maxPendingImpressions,
        true);
  }

  public TrajectoryConfig {
    if (taxonomyWaitMs < 0) {
      throw new IllegalArgumentException("taxonomy wait must be >= 0, got " + taxonomyWaitMs);
    }
    if (cacheRows < 0) {
      throw new IllegalArgumentException("trajectory cache rows must be >= 0, got " + cacheRows);
    }
    if (attributionWindowMs <= 0 || maxPendingImpressions <= 0) {
      throw new IllegalArgumentException("attribution window and pending cap must be > 0");
    }
  }

  public TrajectoryPolicy policy() {
    return new TrajectoryPolicy(retentionMs, maxBehaviors, chunkSize);
  }
}
