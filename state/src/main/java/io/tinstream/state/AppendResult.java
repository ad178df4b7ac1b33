package io.tinstream.state;

/**
 * What {@link TrajectoryStore#append} did.
 *
 * @param outcome whether the behavior was stored
 * @param evicted behaviors dropped by retention or by the cap during this append; can include the
 *     appended behavior itself when it was the oldest and the trajectory was at its cap
 * @param firstForKey the key held no behavior before this append (a new user), so callers need no
 *     extra state read to count users
 */
public record AppendResult(Outcome outcome, int evicted, boolean firstForKey) {

  /** Whether the behavior was stored. */
  public enum Outcome {
    /** Stored in the trajectory. */
    APPENDED,
    /** The same event (id hash and event time) is already stored; nothing changed. */
    DUPLICATE,
    /** Older than the retention horizon relative to the user's newest event; nothing changed. */
    EXPIRED
  }

  static final AppendResult DUPLICATE = new AppendResult(Outcome.DUPLICATE, 0);
  static final AppendResult EXPIRED = new AppendResult(Outcome.EXPIRED, 0);

  /** A result for a key that already held behaviors. */
  public AppendResult(Outcome outcome, int evicted) {
    this(outcome, evicted, false);
  }

  public AppendResult {
    if (evicted < 0) {
      throw new IllegalArgumentException("evicted must be >= 0, got " + evicted);
    }
  }

  static AppendResult appended(int evicted, boolean firstForKey) {
    return new AppendResult(Outcome.APPENDED, evicted, firstForKey);
  }

  public boolean isAppended() {
    return outcome == Outcome.APPENDED;
  }
}
