package io.tinstream.state;

import java.time.Duration;

/**
 * How much of a user's trajectory is kept and how it is laid out in state.
 *
 * <p>{@code chunkSize} is how many behaviors the open segment collects before it is sealed into an
 * immutable chunk. It may change between runs: it only decides when future chunks are sealed, and
 * no lookup depends on it.
 *
 * @param retentionMs behaviors older than the user's newest event time minus this are dropped
 * @param maxBehaviors at most this many behaviors per user; the oldest are dropped first
 * @param chunkSize behaviors per sealed chunk
 */
public record TrajectoryPolicy(long retentionMs, int maxBehaviors, int chunkSize) {

  public static final long DEFAULT_RETENTION_MS = Duration.ofDays(3 * 365).toMillis();
  public static final int DEFAULT_MAX_BEHAVIORS = 50_000;

  /**
   * Large enough that chunks compress well (one item dictionary per chunk) and a 10^4-behavior
   * trajectory has a few dozen index entries; small enough that the open segment is a small share
   * of the state.
   */
  public static final int DEFAULT_CHUNK_SIZE = 256;

  public TrajectoryPolicy {
    if (retentionMs <= 0) {
      throw new IllegalArgumentException(
          "Trajectory retention must be positive (milliseconds), got " + retentionMs);
    }
    if (maxBehaviors <= 0) {
      throw new IllegalArgumentException(
          "Trajectory behavior cap must be positive, got " + maxBehaviors);
    }
    if (chunkSize <= 0) {
      throw new IllegalArgumentException(
          "Trajectory chunk size must be positive (behaviors), got " + chunkSize);
    }
  }

  public static TrajectoryPolicy defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder with the default of every field preset. */
  public static final class Builder {
    private long retentionMs = DEFAULT_RETENTION_MS;
    private int maxBehaviors = DEFAULT_MAX_BEHAVIORS;
    private int chunkSize = DEFAULT_CHUNK_SIZE;

    private Builder() {}

    public Builder retention(Duration retention) {
      return retentionMs(retention.toMillis());
    }

    public Builder retentionMs(long retentionMs) {
      this.retentionMs = retentionMs;
      return this;
    }

    public Builder maxBehaviors(int maxBehaviors) {
      this.maxBehaviors = maxBehaviors;
      return this;
    }

    public Builder chunkSize(int chunkSize) {
      this.chunkSize = chunkSize;
      return this;
    }

    /** Validates and builds; throws {@link IllegalArgumentException} naming the bad field. */
    public TrajectoryPolicy build() {
      return new TrajectoryPolicy(retentionMs, maxBehaviors, chunkSize);
    }
  }
}
