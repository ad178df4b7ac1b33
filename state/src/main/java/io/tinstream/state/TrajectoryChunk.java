package io.tinstream.state;

import io.tinstream.state.internal.BehaviorColumns;
import java.util.ArrayList;
import java.util.List;

/**
 * The behaviors of one user in one time bucket, in columns sorted by event time (ties in arrival
 * order). Immutable: every change returns a new chunk, which the store writes back to state.
 *
 * <p>A duplicate of an event has the same event time and therefore falls into the same bucket, so
 * deduplication only needs the one chunk ({@link #containsEventId}).
 */
public final class TrajectoryChunk {
  public static final TrajectoryChunk EMPTY = new TrajectoryChunk(BehaviorColumns.EMPTY);

  private final BehaviorColumns columns;

  private TrajectoryChunk(BehaviorColumns columns) {
    this.columns = columns;
  }

  /**
   * Wraps columns that are already sorted by event time and that nobody mutates afterwards (used by
   * the serializers).
   */
  static TrajectoryChunk wrap(BehaviorColumns sortedColumns) {
    return sortedColumns.length() == 0 ? EMPTY : new TrajectoryChunk(sortedColumns);
  }

  /** A chunk of the given behaviors in event-time order (ties keep the argument order). */
  public static TrajectoryChunk of(Behavior... behaviors) {
    TrajectoryChunk chunk = EMPTY;
    for (Behavior b : behaviors) {
      chunk = chunk.withInserted(b);
    }
    return chunk;
  }

  public int size() {
    return columns.length();
  }

  public boolean isEmpty() {
    return size() == 0;
  }

  public Behavior behavior(int i) {
    return columns.get(i);
  }

  /** The behaviors oldest first, as objects (for tests and diagnostics, not the hot path). */
  public List<Behavior> behaviors() {
    List<Behavior> list = new ArrayList<>(size());
    for (int i = 0; i < size(); i++) {
      list.add(columns.get(i));
    }
    return list;
  }

  public long eventTime(int i) {
    return columns.eventTimes[i];
  }

  /**
   * This chunk plus {@code b}, placed after every behavior with the same or an earlier event time:
   * an out-of-order event lands in place and events with equal times keep arrival order.
   */
  public TrajectoryChunk withInserted(Behavior b) {
    int n = size();
    int at = columns.firstAfter(b.eventTime(), n);
    BehaviorColumns grown = new BehaviorColumns(n + 1);
    BehaviorColumns.copy(columns, 0, grown, 0, at);
    grown.set(at, b);
    BehaviorColumns.copy(columns, at, grown, at + 1, n - at);
    return new TrajectoryChunk(grown);
  }

  /** Whether a behavior with this event id hash and event time is already held. */
  public boolean containsEventId(int eventIdHash, long eventTime) {
    int n = size();
    for (int i = columns.firstAtOrAfter(eventTime, n);
        i < n && columns.eventTimes[i] == eventTime;
        i++) {
      if (columns.eventIdHashes[i] == eventIdHash) {
        return true;
      }
    }
    return false;
  }

  /** This chunk without its {@code n} oldest behaviors. */
  public TrajectoryChunk withoutOldest(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("Cannot drop a negative number of behaviors: " + n);
    }
    if (n == 0) {
      return this;
    }
    return wrap(columns.slice(Math.min(n, size()), size()));
  }

  /** This chunk without the behaviors whose event time is before {@code time}. */
  public TrajectoryChunk withoutBefore(long time) {
    return withoutOldest(columns.firstAtOrAfter(time, size()));
  }

  /** The columns, shared: callers must not mutate them. */
  BehaviorColumns columns() {
    return columns;
  }

  @Override
  public String toString() {
    return size() == 0
        ? "TrajectoryChunk[]"
        : "TrajectoryChunk[size="
            + size()
            + ", times="
            + eventTime(0)
            + ".."
            + eventTime(size() - 1)
            + "]";
  }
}
