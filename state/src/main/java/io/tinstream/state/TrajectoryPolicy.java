package io.tinstream.state;

import java.time.Duration;

/**
 * How much of a user's trajectory is kept and how it is bucketed.
 *
 * <p>{@code bucketWidthMs} decides which chunk holds a behavior; it must stay the same for as long
 * as the state lives (a different width would look up duplicates in the wrong chunk).
 *
 * @param retentionMs behaviors older than the user's newest event time minus this are dropped
 * @param maxBehaviors at most this many behaviors per user; the oldest are dropped first
 * @param bucketWidthMs time span of one chunk
 */
public record TrajectoryPolicy(long retentionMs, int maxBehaviors, long bucketWidthMs) {

  public static final long DEFAULT_RETENTION_MS = Duration.ofDays(3 * 365).toMillis();
  public static final int DEFAULT_MAX_BEHAVIORS = 50_000;
  public static final long DEFAULT_BUCKET_WIDTH_MS = Duration.ofDays(7).toMillis();

  public TrajectoryPolicy {
    if (retentionMs <= 0) {
      throw new IllegalArgumentException(
          "Trajectory retention must be positive (milliseconds), got " + retentionMs);
    }
    if (maxBehaviors <= 0) {
      throw new IllegalArgumentException(
          "Trajectory behavior cap must be positive, got " + maxBehaviors);
    }
    if (bucketWidthMs <= 0) {
      throw new IllegalArgumentException(
          "Trajectory bucket width must be positive (milliseconds), got " + bucketWidthMs);
    }
  }

  public static TrajectoryPolicy defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The time bucket (chunk key) of an event time; non-negative for non-negative times. */
  public long bucketOf(long eventTime) {
    return Math.floorDiv(eventTime, bucketWidthMs);
  }

  /** First event time that falls into {@code bucket}. */
  public long bucketStart(long bucket) {
    return bucket * bucketWidthMs;
  }

  /** Builder with the default of every field preset. */
  public static final class Builder {
    private long retentionMs = DEFAULT_RETENTION_MS;
    private int maxBehaviors = DEFAULT_MAX_BEHAVIORS;
    private long bucketWidthMs = DEFAULT_BUCKET_WIDTH_MS;

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

    public Builder bucketWidth(Duration bucketWidth) {
      return bucketWidthMs(bucketWidth.toMillis());
    }

    public Builder bucketWidthMs(long bucketWidthMs) {
      this.bucketWidthMs = bucketWidthMs;
      return this;
    }

    /** Validates and builds; throws {@link IllegalArgumentException} naming the bad field. */
    public TrajectoryPolicy build() {
      return new TrajectoryPolicy(retentionMs, maxBehaviors, bucketWidthMs);
    }
  }
}
