package io.tinstream.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ItemFields;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BehaviorTest {

  @Test
  void convertsAnEventWithUnknownItemFieldsAsMinusOne() {
    ItemFields item =
        ItemFields.newBuilder().setItemId(42).setCategoryL2(7).setAdvertiserId(9L).build();
    BehaviorEvent event =
        BehaviorEvent.newBuilder()
            .setEventId("evt-1")
            .setUserId(5)
            .setEventTime(Instant.ofEpochMilli(1234))
            .setDomain(Domain.CONTENT)
            .setScenario(3)
            .setActionType(ActionType.RATE)
            .setActionDetail(4.5)
            .setItem(item)
            .build();

    assertThat(Behavior.fromEvent(event))
        .isEqualTo(
            new Behavior(
                Behavior.hashEventId("evt-1"),
                1234,
                (byte) Domain.CONTENT.ordinal(),
                (byte) ActionType.RATE.ordinal(),
                3,
                4.5f,
                42,
                -1,
                -1,
                -1,
                -1,
                7,
                -1,
                -1,
                9,
                -1));
    assertThat(SearchTarget.of(item, 3, 99)).isEqualTo(new SearchTarget(-1, 7, -1, 3, 99));
  }

  @Test
  void hashesEventIdsStablyAndDifferently() {
    assertThat(Behavior.hashEventId("evt-1")).isEqualTo(Behavior.hashEventId("evt-1"));
    assertThat(Behavior.hashEventId("evt-1")).isNotEqualTo(Behavior.hashEventId("evt-2"));
  }

  @Test
  void rejectsNegativeTimes() {
    assertThatThrownBy(() -> TestBehaviors.at(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("eventTime");
  }
}
