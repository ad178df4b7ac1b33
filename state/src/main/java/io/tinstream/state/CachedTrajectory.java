package io.tinstream.state;

import io.tinstream.state.internal.BehaviorColumns;

/**
 * One user's trajectory decoded in memory, kept in step with its keyed state by {@link
 * TrajectoryStore}: the rows of every sealed chunk in index order followed by the open segment's
 * rows, all sorted by event time (ties in arrival order), in columns with spare capacity so an
 * append costs O(1). Rows before {@link #visibleFrom} are still in state but already past retention
 * or the cap; they leave when their whole chunk can be dropped.
 */
final class CachedTrajectory {
  /** A late behavior at most this far from the end updates the category index in place. */
  private static final int MAX_ROWS_SHIFTED_IN_INDEX = 4_096;

  private TrajectoryIndex index;
  private BehaviorColumns rows;
  private int size;
  // Built when a view is first asked for; dropped when rows move.
  private CategoryIndex categories;
  // First row inside retention as of the last call: the cutoff only rises, so the next call
  // moves from here (O(1) amortized) instead of searching the whole trajectory again.
  private int retainedFrom;

  CachedTrajectory(TrajectoryIndex index, BehaviorColumns rows, int size) {
    if (size < index.sealedCount()) {
      throw new IllegalArgumentException(
          size + " rows cannot hold the " + index.sealedCount() + " sealed behaviors");
    }
    this.index = index;
    this.rows = rows;
    this.size = size;
  }

  TrajectoryIndex index() {
    return index;
  }

  void index(TrajectoryIndex index) {
    this.index = index;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Rows held in state, visible or not. */
  int rowCount() {
    return size;
  }

  /** Rows the columns can hold without growing: what this entry costs the cache. */
  int capacity() {
    return rows.length();
  }

  int openCount() {
    return size - index.sealedCount();
  }

  long newestTime() {
    return rows.eventTimes[size - 1];
  }

  /** Behaviors ever appended: this never goes down, unlike the length at its cap. */
  long appendedCount() {
    return index.sealedAppends() + openCount();
  }

  /** First row still inside retention and the cap. */
  int visibleFrom(TrajectoryPolicy policy) {
    if (size == 0) {
      return 0;
    }
    long cutoff = newestTime() - policy.retentionMs();
    // Rows before r stay outside retention: the cutoff only rises, and a row inside it sorts after
    // them. Rows from r on may have fallen out of it since.
    int r = Math.min(retainedFrom, size);
    while (r < size && rows.eventTimes[r] < cutoff) {
      r++;
    }
    retainedFrom = r;
    return Math.max(r, size - policy.maxBehaviors());
  }

  int visibleCount(TrajectoryPolicy policy) {
    return size - visibleFrom(policy);
  }

  TrajectoryView view(TrajectoryPolicy policy) {
    int from = visibleFrom(policy);
    if (categories == null) {
      categories = CategoryIndex.build(rows, size);
    }
    return new TrajectoryView(rows, from, size - from, categories);
  }

  /** Whether a visible behavior has this event id hash and event time. */
  boolean containsVisible(int eventIdHash, long eventTime, TrajectoryPolicy policy) {
    if (size == 0 || eventTime > newestTime()) {
      return false; // a duplicate has the same time as its original
    }
    for (int i = rows.firstAtOrAfter(eventTime, visibleFrom(policy), size);
        i < size && rows.eventTimes[i] == eventTime;
        i++) {
      if (rows.eventIdHashes[i] == eventIdHash) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a behavior at {@code time} goes to the open segment rather than into a sealed chunk.
   */
  boolean belongsToOpenSegment(long time) {
    return index.isEmpty() || time >= index.lastTime(index.chunkCount() - 1);
  }

  /** First row of sealed chunk {@code c}. */
  int chunkStart(int c) {
    int start = 0;
    for (int i = 0; i < c; i++) {
      start += index.count(i);
    }
    return start;
  }

  /** Adds {@code b} to the open segment, after every open row at the same or an earlier time. */
  void insertOpen(Behavior b) {
    boolean newest = size == 0 || b.eventTime() >= newestTime();
    insertAt(newest ? size : rows.firstAfter(b.eventTime(), index.sealedCount(), size), b);
  }

  /**
   * Adds {@code b} to sealed chunk {@code c} in place and returns the chunk as it is now; the
   * caller writes it back and records {@code index} afterwards.
   */
  TrajectoryChunk insertIntoChunk(int c, Behavior b) {
    int start = chunkStart(c);
    int end = start + index.count(c);
    insertAt(rows.firstAfter(b.eventTime(), start, end), b);
    TrajectoryChunk chunk = TrajectoryChunk.wrap(rows.slice(start, end + 1));
    index = index.withInserted(c, chunk.eventTime(0), chunk.eventTime(chunk.size() - 1));
    return chunk;
  }

  /** Seals the open segment: its rows as a chunk, now the last one of the index. */
  TrajectoryChunk sealOpenSegment() {
    TrajectoryChunk chunk = TrajectoryChunk.wrap(rows.slice(index.sealedCount(), size));
    index = index.withSealed(chunk.size(), chunk.eventTime(0), chunk.eventTime(chunk.size() - 1));
    return chunk;
  }

  /** Forgets the rows of the oldest sealed chunk (already gone from state). */
  void dropOldestChunk() {
    int dropped = index.count(0);
    BehaviorColumns.copy(rows, dropped, rows, 0, size - dropped);
    size -= dropped;
    retainedFrom = Math.max(0, retainedFrom - dropped);
    categories = null;
    index = index.withoutOldest();
  }

  private void insertAt(int at, Behavior b) {
    if (size == rows.length()) {
      // A quarter more each time: appends stay O(1) amortized, spare memory under 25%.
      BehaviorColumns grown = new BehaviorColumns(size + size / 4 + 16);
      BehaviorColumns.copy(rows, 0, grown, 0, size);
      rows = grown;
    }
    boolean atEnd = at == size;
    if (!atEnd) {
      BehaviorColumns.copy(rows, at, rows, at + 1, size - at);
    }
    rows.set(at, b);
    if (categories != null) {
      if (atEnd) {
        categories.appended(rows, at);
      } else if (size - at <= MAX_ROWS_SHIFTED_IN_INDEX) {
        categories.inserted(rows, at);
      } else {
        // Far back (into a sealed chunk): rebuilding once is cheaper than shifting most rows.
        categories = null;
      }
    }
    size++;
  }
}
