package io.tinstream.state;

/**
 * When a user's {@link LreaEntry} must be rebuilt: the model version changed, or at least {@link
 * #rebuildAfterNewBehaviors()} behaviors arrived since it was built. Rebuilds triggered by events
 * are coalesced: every event of a burst asks for a timer at {@link #coalescedTimerTime}, which is
 * the same timestamp within one {@link #coalesceMs()} window, and Flink keeps one timer per key and
 * timestamp, so the burst costs one rebuild.
 */
public final class LreaRefreshPolicy {
  public static final int DEFAULT_REBUILD_AFTER_NEW_BEHAVIORS = 64;
  public static final long DEFAULT_COALESCE_MS = 1_000L;

  /** What a caller may do with an entry for a given model version and trajectory length. */
  public enum Freshness {
    /** Built by this model version, fewer than N behaviors ago: use it. */
    FRESH,
    /** No entry yet. */
    MISSING,
    /** Built by another model version: its floats belong to other weights. */
    STALE_MODEL_VERSION,
    /** N or more behaviors arrived since it was built. */
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
   * Whether {@code entry} is usable for {@code modelVersion} and a trajectory that now has {@code
   * trajectoryLength} behaviors. A trajectory that shrank (retention) counts its distance too.
   */
  public Freshness check(LreaEntry entry, long modelVersion, int trajectoryLength) {
    return entry == null
        ? Freshness.MISSING
        : check(entry.modelVersion(), entry.trajectoryLength(), modelVersion, trajectoryLength);
  }

  /**
   * As {@link #check(LreaEntry, long, int)} for an entry built at {@code builtVersion,
   * builtLength}.
   */
  public Freshness check(
      long builtVersion, int builtLength, long modelVersion, int trajectoryLength) {
    if (builtVersion != modelVersion) {
      return Freshness.STALE_MODEL_VERSION;
    }
    if (Math.abs(trajectoryLength - builtLength) >= rebuildAfterNewBehaviors) {
      return Freshness.STALE_TRAJECTORY;
    }
    return Freshness.FRESH;
  }

  /** The timer timestamp an event at {@code now} asks for: the end of its coalescing window. */
  public long coalescedTimerTime(long now) {
    return Math.floorDiv(now, coalesceMs) * coalesceMs + coalesceMs;
  }
}
