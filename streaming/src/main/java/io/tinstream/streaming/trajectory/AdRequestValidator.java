package io.tinstream.streaming.trajectory;

import io.tinstream.schemas.AdRequest;
import java.util.Optional;

/** The rules an ad request (or probe) must pass; messages become dead-letter reasons. */
public final class AdRequestValidator {

  /** More candidates than this in one request is a client bug, not a workload. */
  public static final int MAX_CANDIDATES = 2_000;

  private AdRequestValidator() {}

  /**
   * Why the request is invalid, or empty when it is valid.
   *
   * @param nowMs processing time: a request time more than {@code skew} ahead of it is rejected
   */
  public static Optional<String> check(AdRequest r, FutureSkew skew, long nowMs) {
    if (r.getRequestId() == null || r.getRequestId().isBlank()) {
      return Optional.of("requestId is empty");
    }
    if (r.getUserId() < 0) {
      return Optional.of("userId is negative: " + r.getUserId());
    }
    long time = r.getRequestTime().toEpochMilli();
    if (time < BehaviorValidator.MIN_EVENT_TIME_MS || time > BehaviorValidator.MAX_EVENT_TIME_MS) {
      return Optional.of("requestTime out of range [1990, 2100): " + time);
    }
    Optional<String> future = skew.check("requestTime", time, nowMs);
    if (future.isPresent()) {
      return future;
    }
    if (r.getCandidates().isEmpty()) {
      return Optional.of("no candidates");
    }
    if (r.getCandidates().size() > MAX_CANDIDATES) {
      return Optional.of(
          "too many candidates: " + r.getCandidates().size() + " > " + MAX_CANDIDATES);
    }
    for (int i = 0; i < r.getCandidates().size(); i++) {
      Optional<String> bad = BehaviorValidator.checkItem(r.getCandidates().get(i));
      if (bad.isPresent()) {
        return Optional.of("candidate " + i + ": " + bad.get());
      }
    }
    return Optional.empty();
  }
}
