package io.tinstream.models.embedding;

/**
 * Settings of one field's {@link IdRowMapping}: the table's rows (row 0 reserved), how often an id
 * must be seen before it gets a row of its own, how long an unseen id keeps its row, and the size
 * of the sketch that counts ids before admission.
 *
 * @param rows rows of the embedding table, including the reserved row 0; at most {@code rows - 1}
 *     ids hold a row at once
 * @param minCount observations (sketch estimate) an id needs to be admitted, at most {@value
 *     #MAX_MIN_COUNT}; 1 admits on first sight and uses no sketch
 * @param expiryMs an admitted id not observed for this long loses its row on the next {@link
 *     IdRowMapping#expire}; 0 never expires
 * @param sketchWidth one-byte counters per sketch row: about the number of distinct ids seen
 *     between two halvings, or over-estimates admit ids early (1M distinct ids, depth 4: 4% of
 *     once-seen ids pass {@code minCount 2} at width 1M, 0.5% at 2M, 86% at 64K)
 * @param sketchDepth sketch rows (independent hashes)
 * @param sketchHalvingMs every this long all sketch counters are halved so old counts fade and the
 *     threshold keeps meaning "seen recently"; 0 never halves
 */
public record IdRowMappingConfig(
    int rows, int minCount, long expiryMs, int sketchWidth, int sketchDepth, long sketchHalvingMs) {
  public static final int DEFAULT_MIN_COUNT = 1;
  public static final long DEFAULT_EXPIRY_MS = 0L;
  public static final int MAX_MIN_COUNT = CountMinSketch.MAX_COUNT;

  /** Default sketch width per table row: the ids competing for rows grow with the table. */
  public static final int DEFAULT_SKETCH_WIDTH_PER_ROW = 2;

  public static final int MIN_DEFAULT_SKETCH_WIDTH = 1024;
  public static final int DEFAULT_SKETCH_DEPTH = 4;

  /** Row indices are ints and the open-addressing index needs 1.5 slots per row. */
  public static final int MAX_ROWS = 1 << 29;

  public IdRowMappingConfig {
    if (rows < 2 || rows > MAX_ROWS) {
      throw new IllegalArgumentException(
          "rows must be in [2, " + MAX_ROWS + "] (row 0 is reserved), got " + rows);
    }
    if (minCount < 1 || minCount > MAX_MIN_COUNT) {
      throw new IllegalArgumentException(
          "minCount must be in [1, " + MAX_MIN_COUNT + "] (byte counters), got " + minCount);
    }
    if (expiryMs < 0) {
      throw new IllegalArgumentException("expiryMs must be >= 0 (0 = never), got " + expiryMs);
    }
    if (sketchWidth < 1 || sketchDepth < 1) {
      throw new IllegalArgumentException(
          "sketch width and depth must be >= 1, got " + sketchWidth + " x " + sketchDepth);
    }
    if ((long) sketchWidth * sketchDepth > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "sketch width x depth must fit one int array, got " + sketchWidth + " x " + sketchDepth);
    }
    if (sketchHalvingMs < 0) {
      throw new IllegalArgumentException(
          "sketchHalvingMs must be >= 0 (0 = never), got " + sketchHalvingMs);
    }
  }

  /** Whether ids are counted before admission at all. */
  boolean usesSketch() {
    return minCount > 1;
  }

  public static Builder builder(int rows) {
    return new Builder(rows);
  }

  /**
   * Defaults: admit on first sight, never expire; when a threshold is set, a sketch of depth 4 and
   * width {@code 2 x rows} (at least 1024) halved every expiry.
   */
  public static final class Builder {
    private final int rows;
    private int minCount = DEFAULT_MIN_COUNT;
    private long expiryMs = DEFAULT_EXPIRY_MS;
    private int sketchWidth;
    private int sketchDepth = DEFAULT_SKETCH_DEPTH;
    private Long sketchHalvingMs;

    private Builder(int rows) {
      this.rows = rows;
      this.sketchWidth =
          (int)
              Math.min(
                  (Integer.MAX_VALUE - 8) / DEFAULT_SKETCH_DEPTH,
                  Math.max(MIN_DEFAULT_SKETCH_WIDTH, (long) DEFAULT_SKETCH_WIDTH_PER_ROW * rows));
    }

    public Builder minCount(int minCount) {
      this.minCount = minCount;
      return this;
    }

    public Builder expiryMs(long expiryMs) {
      this.expiryMs = expiryMs;
      return this;
    }

    public Builder sketch(int width, int depth) {
      this.sketchWidth = width;
      this.sketchDepth = depth;
      return this;
    }

    /** Unset: the expiry, so a count lives about as long as a row does. */
    public Builder sketchHalvingMs(long sketchHalvingMs) {
      this.sketchHalvingMs = sketchHalvingMs;
      return this;
    }

    public IdRowMappingConfig build() {
      return new IdRowMappingConfig(
          rows,
          minCount,
          expiryMs,
          sketchWidth,
          sketchDepth,
          sketchHalvingMs == null ? expiryMs : sketchHalvingMs);
    }
  }
}
