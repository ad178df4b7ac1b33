package io.tinstream.streaming.trajectory;

import io.tinstream.schemas.AdRequest;
import java.util.Optional;

/** The rules an ad request (or probe) must pass; messages become dead-letter reasons. */
public final class AdRequestValidator {

  private AdRequestValidator() {}

  /**
   * Why a probe is refused, or empty when it is not a probe or probes are on. A probe answers with
   * the behaviors searched from a user's whole history, so a job hands them out only where its
   * settings name a probe topic; elsewhere a probe gets an error response naming that setting.
   */
  public static Optional<String> probeRefused(AdRequest r, boolean probesOn) {
    if (probesOn || !TrajectoryFunction.PROBE_VARIANT.equals(r.getModelVariant())) {
      return Optional.empty();
    }
    return Optional.of(
        "probes are off: set tinstream.topics.probe-responses to a topic to answer them");
  }

  /**
   * Why the request is invalid, or empty when it is valid.
   *
   * @param nowMs processing time: a request time more than {@code skew} ahead of it is rejected
   * @param cap the most candidates a request (or a probe) may carry
   */
  public static Optional<String> check(AdRequest r, FutureSkew skew, long nowMs, CandidateCap cap) {
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
    boolean probe = TrajectoryFunction.PROBE_VARIANT.equals(r.getModelVariant());
    if (probe && r.getCandidates().size() > cap.probes()) {
      return Optional.of(
          "too many candidates for a probe: "
              + r.getCandidates().size()
              + " > "
              + cap.probes()
              + " (at most "
              + CandidateCap.KEY
              + " = "
              + cap.requests()
              + ", fewer where the searched behaviors of each would not fit one record)");
    }
    if (r.getCandidates().size() > cap.requests()) {
      return Optional.of(
          "too many candidates: "
              + r.getCandidates().size()
              + " > "
              + CandidateCap.KEY
              + " = "
              + cap.requests());
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
