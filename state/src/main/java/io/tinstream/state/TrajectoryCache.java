package io.tinstream.state;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The decoded trajectories of the most recently used users of one operator instance, bounded by the
 * rows their columns can hold. Transient: it starts empty after every restore and only ever holds
 * what this instance wrote or read, so it cannot disagree with the keyed state.
 */
final class TrajectoryCache {
  private final long maxRows;
  private final LinkedHashMap<Long, CachedTrajectory> entries =
      new LinkedHashMap<>(16, 0.75f, true);
  private final Map<Long, Integer> charged = new java.util.HashMap<>();
  private long rows;
  private long hits;
  private long misses;

  /**
   * @param maxRows rows of columns held at most; 0 keeps nothing beyond the current call
   */
  TrajectoryCache(long maxRows) {
    if (maxRows < 0) {
      throw new IllegalArgumentException("Trajectory cache size must be >= 0, got " + maxRows);
    }
    this.maxRows = maxRows;
  }

  /** The cached trajectory of {@code user}, or null (counted as a miss). */
  CachedTrajectory get(long user) {
    CachedTrajectory t = entries.get(user);
    if (t == null) {
      misses++;
    } else {
      hits++;
    }
    return t;
  }

  /**
   * Records {@code t} as {@code user}'s trajectory after it was loaded or changed, then evicts the
   * least recently used others while over the bound.
   */
  void put(long user, CachedTrajectory t) {
    Integer charge = charged.get(user);
    if (charge != null && charge == t.capacity() && entries.get(user) == t) {
      return; // the common append: same entry, same size, already the most recently used
    }
    entries.put(user, t);
    Integer before = charged.put(user, t.capacity());
    rows += t.capacity() - (before == null ? 0 : before);
    Iterator<Map.Entry<Long, CachedTrajectory>> eldest = entries.entrySet().iterator();
    while (rows > maxRows && eldest.hasNext()) {
      Map.Entry<Long, CachedTrajectory> entry = eldest.next();
      if (entry.getKey() != user || maxRows == 0) {
        rows -= charged.remove(entry.getKey());
        eldest.remove();
      }
    }
  }

  void remove(long user) {
    if (entries.remove(user) != null) {
      rows -= charged.remove(user);
    }
  }

  long rows() {
    return rows;
  }

  long hits() {
    return hits;
  }

  long misses() {
    return misses;
  }
}
