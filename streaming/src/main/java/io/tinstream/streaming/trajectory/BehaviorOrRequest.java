package io.tinstream.streaming.trajectory;

import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.BehaviorEvent;

/**
 * What the keyed trajectory operator consumes: a behavior or a request of one user, exactly one
 * set. A union type because a keyed broadcast function has a single keyed input.
 */
public final class BehaviorOrRequest {
  public BehaviorEvent event;
  public AdRequest request;

  /** Wall-clock time the record was produced to Kafka (epoch ms); freshness is measured from it. */
  public long producedAt;

  public BehaviorOrRequest() {}

  public static BehaviorOrRequest of(BehaviorEvent event) {
    return of(event, System.currentTimeMillis());
  }

  public static BehaviorOrRequest of(AdRequest request) {
    return of(request, System.currentTimeMillis());
  }

  public static BehaviorOrRequest of(BehaviorEvent event, long producedAt) {
    BehaviorOrRequest in = new BehaviorOrRequest();
    in.event = event;
    in.producedAt = producedAt;
    return in;
  }

  public static BehaviorOrRequest of(AdRequest request, long producedAt) {
    BehaviorOrRequest in = new BehaviorOrRequest();
    in.request = request;
    in.producedAt = producedAt;
    return in;
  }

  public long userId() {
    return event != null ? event.getUserId() : request.getUserId();
  }
}
