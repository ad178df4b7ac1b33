package io.tinstream.state;

import java.util.Arrays;

/**
 * Per-user metadata of a trajectory, small enough to read on every append: how many behaviors each
 * time bucket holds (buckets ascending), the newest event time seen, and a lower bound on the
 * oldest held event time so retention only reads a chunk when something may be due. Immutable.
 */
public final class TrajectoryIndex {
  public static final TrajectoryIndex EMPTY =
      new TrajectoryIndex(new long[0], new int[0], Long.MIN_VALUE, Long.MAX_VALUE);

  private final long[] buckets;
  private final int[] counts;
  private final int totalCount;
  private final long maxEventTime;
  private final long retainedSince;

  TrajectoryIndex(long[] buckets, int[] counts, long maxEventTime, long retainedSince) {
    if (buckets.length != counts.length) {
      throw new IllegalArgumentException(
          buckets.length + " buckets but " + counts.length + " counts");
    }
    long total = 0;
    for (int i = 0; i < buckets.length; i++) {
      if (counts[i] <= 0 || (i > 0 && buckets[i] <= buckets[i - 1])) {
        throw new IllegalArgumentException(
            "Buckets must be ascending with positive counts: "
                + Arrays.toString(buckets)
                + " / "
                + Arrays.toString(counts));
      }
      total += counts[i];
    }
    this.buckets = buckets;
    this.counts = counts;
    this.totalCount = Math.toIntExact(total);
    this.maxEventTime = maxEventTime;
    this.retainedSince = retainedSince;
  }

  public boolean isEmpty() {
    return buckets.length == 0;
  }

  public int bucketCount() {
    return buckets.length;
  }

  /** The {@code i}-th bucket, ascending. */
  public long bucket(int i) {
    return buckets[i];
  }

  /** Behaviors held in the {@code i}-th bucket. */
  public int count(int i) {
    return counts[i];
  }

  public int totalCount() {
    return totalCount;
  }

  /** Newest event time ever appended ({@link Long#MIN_VALUE} when empty). */
  public long maxEventTime() {
    return maxEventTime;
  }

  /** No held behavior is older than this ({@link Long#MAX_VALUE} when empty). */
  public long retainedSince() {
    return retainedSince;
  }

  /** This index after a behavior with {@code eventTime} was added to its bucket. */
  TrajectoryIndex withAppended(long bucket, long eventTime) {
    int at = Arrays.binarySearch(buckets, bucket);
    long[] newBuckets = buckets;
    int[] newCounts;
    if (at >= 0) {
      newCounts = counts.clone();
      newCounts[at]++;
    } else {
      int insert = -at - 1;
      newBuckets = new long[buckets.length + 1];
      newCounts = new int[counts.length + 1];
      System.arraycopy(buckets, 0, newBuckets, 0, insert);
      System.arraycopy(counts, 0, newCounts, 0, insert);
      newBuckets[insert] = bucket;
      newCounts[insert] = 1;
      System.arraycopy(buckets, insert, newBuckets, insert + 1, buckets.length - insert);
      System.arraycopy(counts, insert, newCounts, insert + 1, counts.length - insert);
    }
    return new TrajectoryIndex(
        newBuckets,
        newCounts,
        Math.max(maxEventTime, eventTime),
        Math.min(retainedSince, eventTime));
  }

  /** This index without its oldest bucket; {@code retainedSince} moves to the next bucket. */
  TrajectoryIndex withoutOldestBucket(TrajectoryPolicy policy) {
    long[] newBuckets = Arrays.copyOfRange(buckets, 1, buckets.length);
    int[] newCounts = Arrays.copyOfRange(counts, 1, counts.length);
    long since =
        newBuckets.length == 0
            ? Long.MAX_VALUE
            : Math.max(retainedSince, policy.bucketStart(newBuckets[0]));
    return new TrajectoryIndex(newBuckets, newCounts, maxEventTime, since);
  }

  /** This index after the oldest bucket was trimmed to {@code count} behaviors, oldest at time. */
  TrajectoryIndex withOldestBucketTrimmed(int count, long oldestEventTime) {
    int[] newCounts = counts.clone();
    newCounts[0] = count;
    return new TrajectoryIndex(buckets, newCounts, maxEventTime, oldestEventTime);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrajectoryIndex other
        && Arrays.equals(buckets, other.buckets)
        && Arrays.equals(counts, other.counts)
        && maxEventTime == other.maxEventTime
        && retainedSince == other.retainedSince;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(buckets) + Arrays.hashCode(counts) + Long.hashCode(maxEventTime);
  }

  @Override
  public String toString() {
    return "TrajectoryIndex[buckets="
        + Arrays.toString(buckets)
        + ", counts="
        + Arrays.toString(counts)
        + ", maxEventTime="
        + maxEventTime
        + ", retainedSince="
        + retainedSince
        + "]";
  }
}
