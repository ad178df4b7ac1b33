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

  public TrajectoryInput() {}

  public static TrajectoryInput of(BehaviorEvent event) {
    TrajectoryInput in = new TrajectoryInput();
    in.event = event;
    return in;
  }

  public static TrajectoryInput of(AdRequest request) {
    TrajectoryInput in = new TrajectoryInput();
    in.request = request;
    return in;
  }

  public long userId() {
    return event != null ? event.getUserId() : request.getUserId();
  }
}
