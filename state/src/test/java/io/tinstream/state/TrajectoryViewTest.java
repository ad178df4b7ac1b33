package io.tinstream.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.Domain;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrajectoryViewTest {
  private final TrajectoryView view =
      TrajectoryView.of(
          List.of(
              TestBehaviors.at(30).item(3).categories(1, 2, 3).build(),
              TestBehaviors.at(10).item(1).categories(4, 5, 6).scenario(2).build(),
              TestBehaviors.at(20)
                  .item(2)
                  .action(ActionType.PLAY)
                  .domain(Domain.CONTENT)
                  .detail(42.5f)
                  .build(),
              TestBehaviors.at(20).item(4).build()));

  @Test
  void sortsByTimeKeepingListOrderForTies() {
    assertThat(view.size()).isEqualTo(4);
    assertThat(new long[] {view.itemId(0), view.itemId(1), view.itemId(2), view.itemId(3)})
        .containsExactly(1, 2, 4, 3);
  }

  @Test
  void prefixBeforeKeepsOnlyThePast() {
    assertThat(view.prefixBefore(20).size()).isEqualTo(1);
    assertThat(view.prefixBefore(21).size()).isEqualTo(3);
    assertThat(view.prefixBefore(0).size()).isZero();
    assertThat(view.prefixBefore(1000)).isSameAs(view);
    TrajectoryView past = view.prefixBefore(21);
    assertThatThrownBy(() -> past.eventTime(3)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void toSequenceFillsEveryColumn() {
    BehaviorSequence sequence = view.toSequence(new int[] {0, 1});

    assertThat(sequence.getEventTimes()).containsExactly(10L, 20L);
    assertThat(sequence.getItemIds()).containsExactly(1L, 2L);
    assertThat(sequence.getCategoryL1()).containsExactly(4, -1);
    assertThat(sequence.getCategoryL2()).containsExactly(5, -1);
    assertThat(sequence.getCategoryL3()).containsExactly(6, -1);
    assertThat(sequence.getActionTypes())
        .containsExactly(ActionType.IMPRESSION.ordinal(), ActionType.PLAY.ordinal());
    assertThat(sequence.getScenarios()).containsExactly(2, 0);
    assertThat(sequence.getDomains())
        .containsExactly(Domain.AD.ordinal(), Domain.CONTENT.ordinal());
    assertThat(sequence.getActionDetails()).containsExactly(0f, 42.5f);
    assertThat(view.toSequence(new int[0]).getEventTimes()).isEmpty();
  }
}
