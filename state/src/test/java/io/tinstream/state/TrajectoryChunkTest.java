package io.tinstream.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TrajectoryChunkTest {

  @Test
  void insertsOutOfOrderEventsInPlaceAndKeepsArrivalOrderForEqualTimes() {
    Behavior late = TestBehaviors.at(300).id("late").build();
    Behavior early = TestBehaviors.at(100).id("early").build();
    Behavior tieFirst = TestBehaviors.at(200).id("tie-first").build();
    Behavior tieSecond = TestBehaviors.at(200).id("tie-second").build();
    Behavior middle = TestBehaviors.at(150).id("middle").build();

    TrajectoryChunk chunk = TrajectoryChunk.of(late, early, tieFirst, tieSecond, middle);

    assertThat(chunk.behaviors()).containsExactly(early, middle, tieFirst, tieSecond, late);
  }

  @Test
  void isImmutable() {
    TrajectoryChunk one = TrajectoryChunk.of(TestBehaviors.at(1).build());
    TrajectoryChunk two = one.withInserted(TestBehaviors.at(0).build());

    assertThat(one.size()).isEqualTo(1);
    assertThat(two.size()).isEqualTo(2);
    assertThat(one.eventTime(0)).isEqualTo(1);
  }

  @Test
  void findsDuplicatesByEventIdHashAndTime() {
    Behavior a = TestBehaviors.at(100).id("a").build();
    Behavior b = TestBehaviors.at(100).id("b").build();
    TrajectoryChunk chunk = TrajectoryChunk.of(TestBehaviors.at(50).build(), a, b);

    assertThat(chunk.containsEventId(a.eventIdHash(), 100)).isTrue();
    assertThat(chunk.containsEventId(b.eventIdHash(), 100)).isTrue();
    assertThat(chunk.containsEventId(Behavior.hashEventId("c"), 100)).isFalse();
    // Same id at another time is another event (the hash alone is not the identity).
    assertThat(chunk.containsEventId(a.eventIdHash(), 101)).isFalse();
    assertThat(TrajectoryChunk.EMPTY.containsEventId(a.eventIdHash(), 100)).isFalse();
  }

  @Test
  void dropsOldestAndBeforeATime() {
    TrajectoryChunk chunk =
        TrajectoryChunk.of(
            TestBehaviors.at(10).build(),
            TestBehaviors.at(20).build(),
            TestBehaviors.at(20).id("other").build(),
            TestBehaviors.at(30).build());

    assertThat(times(chunk.withoutOldest(2))).containsExactly(20L, 30L);
    assertThat(times(chunk.withoutOldest(0))).containsExactly(10L, 20L, 20L, 30L);
    assertThat(chunk.withoutOldest(10).isEmpty()).isTrue();
    assertThat(times(chunk.withoutBefore(20))).containsExactly(20L, 20L, 30L);
    assertThat(times(chunk.withoutBefore(21))).containsExactly(30L);
    assertThat(chunk.withoutBefore(31).size()).isZero();
    assertThatThrownBy(() -> chunk.withoutOldest(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  private static long[] times(TrajectoryChunk chunk) {
    long[] times = new long[chunk.size()];
    for (int i = 0; i < times.length; i++) {
      times[i] = chunk.eventTime(i);
    }
    return times;
  }
}
