package io.tinstream.streaming.internal;

import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.BehaviorEvent;

/**
 * What the keyed trajectory operator consumes: a behavior or a request of one user, exactly one
 * set. A union type because a keyed broadcast function has a single keyed input.
 */
public final class TrajectoryInput {
  public BehaviorEvent event;
  public AdRequest request;

  /** Wall-clock time the record was produced to Kafka (epoch ms); freshness is measured from it. */
  public long producedAt;

  public TrajectoryInput() {}

  public static TrajectoryInput of(BehaviorEvent event) {
    return of(event, System.currentTimeMillis());
  }

  public static TrajectoryInput of(AdRequest request) {
    return of(request, System.currentTimeMillis());
  }

  public static TrajectoryInput of(BehaviorEvent event, long producedAt) {
    TrajectoryInput in = new TrajectoryInput();
    in.event = event;
    in.producedAt = producedAt;
    return in;
  }

  public static TrajectoryInput of(AdRequest request, long producedAt) {
    TrajectoryInput in = new TrajectoryInput();
    in.request = request;
    in.producedAt = producedAt;
    return in;
  }

  public long userId() {
    return event != null ? event.getUserId() : request.getUserId();
  }
}
