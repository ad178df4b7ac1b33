package io.tinstream.streaming.trajectory;

import java.io.Serializable;

/**
 * The most candidates one request may carry, so that whatever answers it fits one Kafka record: a
 * score response (4 bytes a candidate) within {@link #requests}, a probe response (the searched
 * behaviors of every candidate) within {@link #probes}, which is tighter when each candidate brings
 * many behaviors. A request over its cap is rejected with an error response, not answered with a
 * record the sink cannot write (which would fail the job on every replay of the request).
 *
 * @param requests the configured cap ({@code tinstream.requests.max-candidates})
 * @param probes the cap of probe requests: {@code requests}, or less where a probe response of that
 *     many candidates could exceed the largest record
 */
public record CandidateCap(int requests, int probes) implements Serializable {

  public static final String KEY = "tinstream.requests.max-candidates";

  public static final int DEFAULT = 1_000;

  /**
   * Upper bound of one behavior in a probe's {@code BehaviorSequence} columns: two longs (10 bytes
   * each as varints), seven ints (5 each) and a float.
   */
  static final int MAX_BYTES_PER_PROBED_BEHAVIOR = 2 * 10 + 7 * 5 + 4;

  /** Per candidate: the block count and terminator of each of the ten columns. */
  static final int MAX_BYTES_PER_PROBED_CANDIDATE = 10 * 6;

  /** Left for the probe response's own fields and the record's framing. */
  static final int RECORD_MARGIN_BYTES = 1 << 20;

  public CandidateCap {
    if (requests <= 0 || probes <= 0 || probes > requests) {
      throw new IllegalArgumentException(
          "candidate caps must be > 0 with probes <= requests, got " + requests + ", " + probes);
    }
  }

  /**
   * The caps for {@code maxCandidates} where a probe searches up to {@code behaviorsPerCandidate}
   * behaviors per candidate and a record may be up to {@code maxRecordBytes}.
   */
  public static CandidateCap of(int maxCandidates, int behaviorsPerCandidate, int maxRecordBytes) {
    long perCandidate =
        (long) behaviorsPerCandidate * MAX_BYTES_PER_PROBED_BEHAVIOR
            + MAX_BYTES_PER_PROBED_CANDIDATE;
    long fit = Math.max(1, (maxRecordBytes - RECORD_MARGIN_BYTES) / perCandidate);
    return new CandidateCap(maxCandidates, (int) Math.min(maxCandidates, fit));
  }
}
