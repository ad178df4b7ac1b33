package io.tinstream.streaming.scoring;

import java.io.Serializable;
import java.time.Duration;
import java.util.Optional;

/**
 * How old an ad request may be when it would be scored: an older one is answered with a "timed out"
 * error instead of a score the ad server has long stopped waiting for (after a backlog, a restart
 * that replays requests, or a long wait for a variant's first model).
 *
 * <p>The age is measured from when the request was produced to Kafka (the record timestamp), not
 * from its request time: the request time is the user's clock, the event time the behaviors are
 * ordered by, and a replayed or simulated feed (the demo's requests sit right after the user's
 * latest behavior) dates it anywhere. Nor only from when the job received it: under backpressure
 * Flink stops reading, so a backlog waits in Kafka, before the job's own clock starts. A produce
 * time later than the job's receipt (a producer clock ahead) counts from the receipt instead, so no
 * clock skew makes a request look younger than its time in the job; a producer clock behind by more
 * than the deadline times every request out, which the message (ages, the setting) shows.
 */
public record RequestDeadline(long maxAgeMs) implements Serializable {

  /** The key of the setting, named in every timed-out answer so an operator knows what to raise. */
  public static final String KEY = "tinstream.scoring.request-deadline";

  public static final Duration DEFAULT = Duration.ofSeconds(5);

  /** No deadline: every request is scored however old (embedding code and tests that want it). */
  public static final RequestDeadline NONE = new RequestDeadline(Long.MAX_VALUE);

  public RequestDeadline {
    if (maxAgeMs <= 0) {
      throw new IllegalArgumentException(KEY + " must be > 0, got " + maxAgeMs + " ms");
    }
  }

  public static RequestDeadline of(Duration max) {
    return new RequestDeadline(max.toMillis());
  }

  /**
   * Age at {@code now} of a request produced at {@code producedAt} and received at {@code
   * receivedAt}.
   */
  public static long age(long producedAt, long receivedAt, long now) {
    return now - Math.min(producedAt, receivedAt);
  }

  /** Why the request is too old to score at {@code now}, if it is. */
  public Optional<String> check(long producedAt, long receivedAt, long now) {
    long age = age(producedAt, receivedAt, now);
    if (age <= maxAgeMs) {
      return Optional.empty();
    }
    return Optional.of(
        "timed out: the request is "
            + age
            + " ms old (since it was produced to Kafka), more than "
            + KEY
            + " = "
            + maxAgeMs
            + " ms");
  }
}
