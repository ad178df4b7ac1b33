package io.tinstream.state;

/**
 * When a user's {@link LreaEntry} must be rebuilt: the model (run epoch or version) changed, or at
 * least {@link #rebuildAfterNewBehaviors()} behaviors were appended since it was built, counted by
 * the user's appended-behavior counter rather than the trajectory length, which stops changing once
 * the trajectory is at its cap (new behaviors then evict old ones one for one). Rebuilds triggered
 * by events are coalesced: every event of a burst asks for a timer at {@link #coalescedTimerTime},
 * which is the same timestamp within one {@link #coalesceMs()} window, and Flink keeps one timer
 * per key and timestamp, so the burst costs one rebuild.
 */
public final class LreaRefreshPolicy {
  public static final int DEFAULT_REBUILD_AFTER_NEW_BEHAVIORS = 64;
  public static final long DEFAULT_COALESCE_MS = 1_000L;

  /** What a caller may do with an entry for a given model version and trajectory length. */
  public enum Freshness {
    /** Built by this model (epoch and version), fewer than N behaviors ago: use it. */
    FRESH,
    /** No entry yet. */
    MISSING,
    /** Built by another model version or run: its floats belong to other weights. */
    STALE_MODEL_VERSION,
    /** N or more behaviors were appended (or N expired) since it was built. */
    STALE_TRAJECTORY;

    public boolean usable() {
      return this == FRESH;
    }
  }

  private final int rebuildAfterNewBehaviors;
  private final long coalesceMs;

  private LreaRefreshPolicy(int rebuildAfterNewBehaviors, long coalesceMs) {
    if (rebuildAfterNewBehaviors < 1) {
      throw new IllegalArgumentException(
          "rebuildAfterNewBehaviors must be >= 1, got " + rebuildAfterNewBehaviors);
    }
    if (coalesceMs < 1) {
      throw new IllegalArgumentException("coalesceMs must be >= 1, got " + coalesceMs);
    }
    this.rebuildAfterNewBehaviors = rebuildAfterNewBehaviors;
    this.coalesceMs = coalesceMs;
  }

  public static LreaRefreshPolicy of(int rebuildAfterNewBehaviors, long coalesceMs) {
    return new LreaRefreshPolicy(rebuildAfterNewBehaviors, coalesceMs);
  }

  public static LreaRefreshPolicy defaults() {
    return of(DEFAULT_REBUILD_AFTER_NEW_BEHAVIORS, DEFAULT_COALESCE_MS);
  }

  public int rebuildAfterNewBehaviors() {
    return rebuildAfterNewBehaviors;
  }

  public long coalesceMs() {
    return coalesceMs;
  }

  /**
   * Whether {@code entry} is usable for the model at {@code modelEpoch, modelVersion} and a user
   * whose trajectory now has {@code trajectoryLength} behaviors and whose appended-behavior counter
   * is at {@code appendedCount}.
   */
  public Freshness check(
      LreaEntry entry,
      long modelEpoch,
      long modelVersion,
      int trajectoryLength,
      long appendedCount) {
    return entry == null
        ? Freshness.MISSING
        : check(entry.stamp(), modelEpoch, modelVersion, trajectoryLength, appendedCount);
  }

  /**
   * As {@link #check(LreaEntry, long, long, int, long)} for an entry built at {@code built}. New
   * behaviors are counted by the appended counter (an unknown one, -1, counts as stale); a
   * trajectory that shrank (retention) counts its distance too, since the pair still holds the
   * expired behaviors.
   */
  public Freshness check(
      LreaEntry.Stamp built,
      long modelEpoch,
      long modelVersion,
      int trajectoryLength,
      long appendedCount) {
    if (built.modelEpoch() != modelEpoch || built.modelVersion() != modelVersion) {
      return Freshness.STALE_MODEL_VERSION;
    }
    if (built.appendedCount() < 0
        || appendedCount - built.appendedCount() >= rebuildAfterNewBehaviors
        || built.trajectoryLength() - trajectoryLength >= rebuildAfterNewBehaviors) {
      return Freshness.STALE_TRAJECTORY;
    }
    return Freshness.FRESH;
  }

  /** The timer timestamp an event at {@code now} asks for: the end of its coalescing window. */
  public long coalescedTimerTime(long now) {
    return Math.floorDiv(now, coalesceMs) * coalesceMs + coalesceMs;
  }
}
