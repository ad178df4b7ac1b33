package io.tinstream.state;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.Domain;

/** Hand-made behaviors for tests: every field unknown or neutral unless set. */
final class TestBehaviors {
  private TestBehaviors() {}

  static Builder at(long eventTime) {
    return new Builder(eventTime);
  }

  static final class Builder {
    private final long eventTime;
    private String eventId;
    private Domain domain = Domain.AD;
    private ActionType actionType = ActionType.IMPRESSION;
    private int scenario = 0;
    private float actionDetail = 0f;
    private long itemId = 1;
    private int l1 = Behavior.UNKNOWN;
    private int l2 = Behavior.UNKNOWN;
    private int l3 = Behavior.UNKNOWN;

    private Builder(long eventTime) {
      this.eventTime = eventTime;
      this.eventId = "event-" + eventTime;
    }

    Builder id(String eventId) {
      this.eventId = eventId;
      return this;
    }

    Builder item(long itemId) {
      this.itemId = itemId;
      return this;
    }

    Builder categories(int l1, int l2, int l3) {
      this.l1 = l1;
      this.l2 = l2;
      this.l3 = l3;
      return this;
    }

    Builder action(ActionType actionType) {
      this.actionType = actionType;
      return this;
    }

    Builder domain(Domain domain) {
      this.domain = domain;
      return this;
    }

    Builder scenario(int scenario) {
      this.scenario = scenario;
      return this;
    }

    Builder detail(float actionDetail) {
      this.actionDetail = actionDetail;
      return this;
    }

    Behavior build() {
      return new Behavior(
          Behavior.hashEventId(eventId),
          eventTime,
          (byte) domain.ordinal(),
          (byte) actionType.ordinal(),
          scenario,
          actionDetail,
          itemId,
          itemId * 10,
          itemId * 100,
          Behavior.UNKNOWN,
          l1,
          l2,
          l3,
          Behavior.UNKNOWN,
          7,
          Behavior.UNKNOWN);
    }
  }
}
