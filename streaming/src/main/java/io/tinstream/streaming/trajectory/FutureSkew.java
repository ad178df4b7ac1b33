package io.tinstream.streaming.trajectory;

import java.io.Serializable;
import java.time.Duration;
import java.util.Optional;

/**
 * How far ahead of processing time an event or request time may be. Anything further is a clock
 * bug, and it must never reach state or the watermark: a user's retention horizon follows the
 * newest behavior, so one event dated decades ahead would expire the whole history and every later
 * real event; and one such record per partition would close every pending attribution window.
 */
public record FutureSkew(long maxMs) implements Serializable {

  /** The key of the setting, named in every rejection so an operator knows what to change. */
  public static final String KEY = "tinstream.event-time.max-future-skew";

  public static final Duration DEFAULT = Duration.ofMinutes(10);

  public FutureSkew {
    if (maxMs <= 0) {
      throw new IllegalArgumentException(KEY + " must be > 0, got " + maxMs + " ms");
    }
  }

  public static FutureSkew of(Duration max) {
    return new FutureSkew(max.toMillis());
  }

  /** Why {@code timeMs} of {@code field} is too far in the future at {@code nowMs}, if it is. */
  public Optional<String> check(String field, long timeMs, long nowMs) {
    // Written as a difference so that times near Long.MAX_VALUE cannot overflow into the past.
    if (timeMs - nowMs > maxMs) {
      return Optional.of(
          field
              + " "
              + timeMs
              + " is "
              + Duration.ofMillis(timeMs - nowMs)
              + " ahead of processing time "
              + nowMs
              + ", more than "
              + KEY
              + " = "
              + Duration.ofMillis(maxMs));
    }
    return Optional.empty();
  }
}
