package io.tinstream.models.embedding;

import java.util.Locale;

/**
 * How a model maps the raw ids of every categorical field to rows of that field's table.
 *
 * @param mode {@link Mode#COLLISIONLESS}: each admitted id holds a row of its own ({@link
 *     IdRowMapping}); {@link Mode#HASHED}: ids are hashed into the table and may share rows
 * @param minCount observations an id needs in training before it gets a row (collisionless only)
 * @param expiryMs an id not trained on for this long loses its row, which is reinitialized before
 *     reuse; 0 never expires (collisionless only). Measured on the clock the trainer is given (the
 *     stream's event time), not the wall clock, so a replay expires the same ids
 */
public record IdRowPolicy(Mode mode, int minCount, long expiryMs) {

  /** The ways ids become rows. */
  public enum Mode {
    HASHED,
    COLLISIONLESS;

    /** {@code hashed} or {@code collisionless}, any case; anything else names the choices. */
    public static Mode parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "id-row mode must be 'hashed' or 'collisionless', got '" + s + "'", e);
      }
    }
  }

  /** Collisionless, admitted on first sight, never expired: what the job and eval start from. */
  public static final IdRowPolicy COLLISIONLESS =
      new IdRowPolicy(
          Mode.COLLISIONLESS,
          IdRowMappingConfig.DEFAULT_MIN_COUNT,
          IdRowMappingConfig.DEFAULT_EXPIRY_MS);

  /**
   * Hashed rows: the model library's default, so a model's math can be tested on an untrained model
   * whose every id already has a (random) row.
   */
  public static final IdRowPolicy HASHED = new IdRowPolicy(Mode.HASHED, 1, 0L);

  public IdRowPolicy {
    if (mode == null) {
      throw new IllegalArgumentException("id-row mode must be set");
    }
    if (minCount < 1 || minCount > IdRowMappingConfig.MAX_MIN_COUNT) {
      throw new IllegalArgumentException(
          "id admission count must be in 1.."
              + IdRowMappingConfig.MAX_MIN_COUNT
              + ", got "
              + minCount);
    }
    if (expiryMs < 0) {
      throw new IllegalArgumentException("id expiry must be >= 0 ms, got " + expiryMs);
    }
  }

  public boolean collisionless() {
    return mode == Mode.COLLISIONLESS;
  }

  /** The mapping settings of a field whose table has {@code rows} rows (row 0 reserved). */
  public IdRowMappingConfig configFor(int rows) {
    return IdRowMappingConfig.builder(rows).minCount(minCount).expiryMs(expiryMs).build();
  }
}
