package io.tinstream.state;

import java.util.Arrays;

/**
 * Per-user metadata of the sealed part of a trajectory, small enough to keep beside every user: for
 * each sealed chunk (ascending keys, ascending and disjoint time ranges) its key, behavior count
 * and first and last event time; the key the next sealed chunk gets; and how many behaviors were
 * ever stored outside the open segment, so that together with the open segment's size it gives a
 * count of appends that never goes down (length stops changing at the cap; this does not).
 * Immutable.
 *
 * <p>An index restored from the bucket layout (format 1) knows its chunks' counts but not their
 * times ({@link #timesKnown()} is false); the store fills them in from the chunks the first time it
 * loads the user.
 */
public final class TrajectoryIndex {
  public static final TrajectoryIndex EMPTY =
      new TrajectoryIndex(new long[0], new int[0], new long[0], new long[0], 0L, 0L, true);

  private final long[] keys;
  private final int[] counts;
  private final long[] firstTimes;
  private final long[] lastTimes;
  private final long nextKey;
  private final long sealedAppends;
  private final boolean timesKnown;
  private final int sealedCount;

  TrajectoryIndex(
      long[] keys,
      int[] counts,
      long[] firstTimes,
      long[] lastTimes,
      long nextKey,
      long sealedAppends,
      boolean timesKnown) {
    int n = keys.length;
    if (counts.length != n || firstTimes.length != n || lastTimes.length != n) {
      throw new IllegalArgumentException(
          n + " chunk keys but " + counts.length + " counts and " + firstTimes.length + " times");
    }
    long total = 0;
    for (int i = 0; i < n; i++) {
      boolean ordered =
          i == 0 || (keys[i] > keys[i - 1] && !(timesKnown && firstTimes[i] < lastTimes[i - 1]));
      if (counts[i] <= 0 || !ordered || (timesKnown && firstTimes[i] > lastTimes[i])) {
        throw new IllegalArgumentException(
            "Chunks must be ascending in key and time with positive counts: keys "
                + Arrays.toString(keys)
                + ", counts "
                + Arrays.toString(counts));
      }
      total += counts[i];
    }
    if (n > 0 && nextKey <= keys[n - 1]) {
      throw new IllegalArgumentException(
          "The next chunk key " + nextKey + " must follow the last one " + keys[n - 1]);
    }
    if (sealedAppends < total) {
      throw new IllegalArgumentException(
          sealedAppends + " sealed appends cannot be fewer than the " + total + " behaviors held");
    }
    this.keys = keys;
    this.counts = counts;
    this.firstTimes = firstTimes;
    this.lastTimes = lastTimes;
    this.nextKey = nextKey;
    this.sealedAppends = sealedAppends;
    this.timesKnown = timesKnown;
    this.sealedCount = Math.toIntExact(total);
  }

  public boolean isEmpty() {
    return keys.length == 0;
  }

  /** Number of sealed chunks. */
  public int chunkCount() {
    return keys.length;
  }

  /** Map-state key of the {@code i}-th sealed chunk, ascending. */
  public long key(int i) {
    return keys[i];
  }

  /** Behaviors held in the {@code i}-th sealed chunk. */
  public int count(int i) {
    return counts[i];
  }

  /** Event time of the first behavior of the {@code i}-th chunk (when {@link #timesKnown()}). */
  public long firstTime(int i) {
    return firstTimes[i];
  }

  /** Event time of the last behavior of the {@code i}-th chunk (when {@link #timesKnown()}). */
  public long lastTime(int i) {
    return lastTimes[i];
  }

  /** Behaviors held in sealed chunks. */
  public int sealedCount() {
    return sealedCount;
  }

  /** Key the next sealed chunk will get. */
  public long nextKey() {
    return nextKey;
  }

  /** Behaviors ever stored outside the open segment (sealed, or inserted into a sealed chunk). */
  public long sealedAppends() {
    return sealedAppends;
  }

  /** False for an index restored from format 1, whose chunk times are not recorded. */
  public boolean timesKnown() {
    return timesKnown;
  }

  /**
   * The sealed chunk an out-of-order behavior at {@code time} belongs in: the last chunk that
   * starts at or before it (the first chunk when it is older than all). Only for times before the
   * last chunk's end; later times go to the open segment.
   */
  public int chunkFor(long time) {
    int at = Arrays.binarySearch(firstTimes, time);
    if (at < 0) {
      at = -at - 2;
    } else {
      // Equal first times: the behavior goes after them, i.e. into the last chunk starting there.
      while (at + 1 < firstTimes.length && firstTimes[at + 1] == time) {
        at++;
      }
    }
    return Math.max(0, at);
  }

  /** This index with a new sealed chunk after the others. */
  TrajectoryIndex withSealed(int count, long firstTime, long lastTime) {
    int n = keys.length;
    long[] newKeys = Arrays.copyOf(keys, n + 1);
    int[] newCounts = Arrays.copyOf(counts, n + 1);
    long[] newFirst = Arrays.copyOf(firstTimes, n + 1);
    long[] newLast = Arrays.copyOf(lastTimes, n + 1);
    newKeys[n] = nextKey;
    newCounts[n] = count;
    newFirst[n] = firstTime;
    newLast[n] = lastTime;
    return new TrajectoryIndex(
        newKeys, newCounts, newFirst, newLast, nextKey + 1, sealedAppends + count, timesKnown);
  }

  /** This index after one behavior was inserted into chunk {@code i}, now spanning the times. */
  TrajectoryIndex withInserted(int i, long firstTime, long lastTime) {
    int[] newCounts = counts.clone();
    long[] newFirst = firstTimes.clone();
    long[] newLast = lastTimes.clone();
    newCounts[i]++;
    newFirst[i] = firstTime;
    newLast[i] = lastTime;
    return new TrajectoryIndex(
        keys, newCounts, newFirst, newLast, nextKey, sealedAppends + 1, timesKnown);
  }

  /** This index without its oldest chunk. */
  TrajectoryIndex withoutOldest() {
    int n = keys.length;
    return new TrajectoryIndex(
        Arrays.copyOfRange(keys, 1, n),
        Arrays.copyOfRange(counts, 1, n),
        Arrays.copyOfRange(firstTimes, 1, n),
        Arrays.copyOfRange(lastTimes, 1, n),
        nextKey,
        sealedAppends,
        timesKnown);
  }

  /** This index with the chunks' times filled in (for an index restored from format 1). */
  TrajectoryIndex withTimes(long[] first, long[] last) {
    return new TrajectoryIndex(keys, counts, first, last, nextKey, sealedAppends, true);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrajectoryIndex other
        && Arrays.equals(keys, other.keys)
        && Arrays.equals(counts, other.counts)
        && Arrays.equals(firstTimes, other.firstTimes)
        && Arrays.equals(lastTimes, other.lastTimes)
        && nextKey == other.nextKey
        && sealedAppends == other.sealedAppends
        && timesKnown == other.timesKnown;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(keys) + Arrays.hashCode(counts) + Long.hashCode(sealedAppends);
  }

  @Override
  public String toString() {
    return "TrajectoryIndex[keys="
        + Arrays.toString(keys)
        + ", counts="
        + Arrays.toString(counts)
        + ", firstTimes="
        + Arrays.toString(firstTimes)
        + ", lastTimes="
        + Arrays.toString(lastTimes)
        + ", nextKey="
        + nextKey
        + ", sealedAppends="
        + sealedAppends
        + (timesKnown ? "" : ", times unknown")
        + "]";
  }
}
