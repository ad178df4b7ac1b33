package io.tinstream.models;

/**
 * Shared, deterministic mapping from raw feature values to table rows (MODELS.md: unknown ids map
 * to the reserved row 0, never to an exception; temporal encoding relative to the target).
 */
public final class FeatureEncoding {
  /** Row of padding and of unknown (negative) ids in every categorical table. */
  public static final int RESERVED_ROW = 0;

  private FeatureEncoding() {}

  /**
   * Hashes a raw id into {@code [1, rows)}; negative ids are unknown and map to {@link
   * #RESERVED_ROW}. Uses a fixed 32-bit mix so rows are stable across JVMs and model versions.
   */
  public static int hashRow(int rawId, int rows) {
    if (rawId < 0) {
      return RESERVED_ROW;
    }
    int h = rawId * 0x9E3779B1;
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    return 1 + Math.floorMod(h, rows - 1);
  }

  /**
   * Logarithmic time-interval bucket {@code min(floor(log2(1 + Δ/60s)), buckets-1)}; the target
   * itself (Δ = 0) is bucket 0. Negative or NaN deltas (clock skew) are treated as 0.
   */
  public static int timeBucket(float deltaSeconds, int buckets) {
    if (!(deltaSeconds > 0)) {
      return 0;
    }
    double x = 1.0 + deltaSeconds / 60.0;
    int b = 63 - Long.numberOfLeadingZeros((long) Math.min(x, 9.0e18));
    return Math.min(b, buckets - 1);
  }

  /** Buckets of {@link #actionDetailBucket}: {@code 0 .. ACTION_DETAIL_BUCKETS - 1}. */
  public static final int ACTION_DETAIL_BUCKETS = 32;

  /**
   * The categorical id of an action detail (a magnitude such as play seconds or a rating): its
   * logarithmic bucket {@code min(1 + floor(log2(1 + |v|)), 31)}, and 0 for exactly 0, so 0 | (0,1)
   * | [1,3) | [3,7) | ... each get a bucket and the sign is ignored. NaN and infinities are unknown
   * (-1). The bucket is an id like any other: its table row comes from {@link FieldRows}.
   */
  public static int actionDetailBucket(float value) {
    if (!Float.isFinite(value)) {
      return -1;
    }
    double x = Math.abs((double) value);
    if (x == 0) {
      return 0;
    }
    int b = 1 + (63 - Long.numberOfLeadingZeros((long) (1.0 + x)));
    return Math.min(b, ACTION_DETAIL_BUCKETS - 1);
  }

  /**
   * Row of {@code P_pos}: position 1 = most recent, capped at {@code buckets-1}; 0 = target/pad.
   */
  public static int positionRow(int position, int buckets) {
    if (position <= 0) {
      return 0;
    }
    return Math.min(position, buckets - 1);
  }
}
