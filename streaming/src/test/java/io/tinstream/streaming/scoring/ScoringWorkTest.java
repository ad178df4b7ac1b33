package io.tinstream.streaming.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ItemFields;
import io.tinstream.state.Behavior;
import io.tinstream.state.SearchTarget;
import io.tinstream.state.TrajectoryView;
import io.tinstream.training.features.HistorySelector;
import io.tinstream.training.features.RowHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScoringWorkTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final int K = 4;

  @Test
  void candidatesWithTheSameSelectionShareOneHistory() {
    // Six candidates in three leaf categories: a hierarchical search selects by category only.
    AdRequest request =
        request(item(900, 1), item(901, 2), item(902, 1), item(903, 3), item(904, 2), item(905, 1));
    HistorySelector search = new HistorySelector(HistorySelector.Kind.HIERARCHICAL_SEARCH, K);

    ScoringWork work = ScoringWork.select(request, search, past(), 30, 5L);

    assertThat(work.candidates()).isEqualTo(6);
    assertThat(work.distinctHistories()).hasSize(3);
    assertThat(work.history(0)).isSameAs(work.history(2)).isSameAs(work.history(5));
    assertThat(work.history(1)).isSameAs(work.history(4));
    assertThat(work.history(0)).isNotEqualTo(work.history(1));
    assertThat(work.trajectoryLength()).isEqualTo(30);
    assertThat(work.arrivedAt()).isEqualTo(5L);
    for (int c = 0; c < work.candidates(); c++) {
      assertThat(work.history(c))
          .as("candidate %d reads what the Avro sequence of the same selection read", c)
          .isEqualTo(
              HistoryColumns.copyOf(RowHistory.of(search.sequence(past(), target(request, c)))));
    }
  }

  @Test
  void aTargetIndependentSelectionIsOneHistoryForAll() {
    AdRequest request = request(item(900, 1), item(901, 2), item(902, 3));
    HistorySelector latest = new HistorySelector(HistorySelector.Kind.LATEST, K);

    ScoringWork work = ScoringWork.select(request, latest, past(), 30, 0L);

    assertThat(work.distinctHistories()).hasSize(1);
    HistoryColumns shared = work.history(0);
    assertThat(shared)
        .isEqualTo(HistoryColumns.copyOf(RowHistory.of(latest.sequence(past(), null))));
    assertThat(work.history(1)).isSameAs(shared);
    assertThat(work.history(2)).isSameAs(shared);
    assertThat(shared.position(K - 1)).as("the most recent is position 1").isEqualTo(1);
  }

  @Test
  void selectedColumnsHoldEveryFieldAsTheRowHistoryReadsIt() {
    // Every field of every behavior distinct from every other field's, so a column read from the
    // wrong field (or the wrong behavior) cannot match.
    List<Behavior> behaviors = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      behaviors.add(
          Behavior.fromEvent(
              BehaviorEvent.newBuilder()
                  .setEventId("f" + i)
                  .setUserId(7)
                  .setEventTime(Instant.ofEpochMilli(T0 + i * 1_000L))
                  .setDomain(i % 2 == 0 ? Domain.AD : Domain.CONTENT)
                  .setActionType(i % 3 == 0 ? ActionType.CLICK : ActionType.PLAY)
                  .setScenario(20 + i)
                  .setActionDetail(1.0 + i * 7)
                  .setItem(
                      ItemFields.newBuilder()
                          .setItemId(100L + i)
                          .setCreativeId(200L + i)
                          .setProductId(300L + i)
                          .setSpuId(400L + i)
                          .setAdvertiserId(500L + i)
                          .setCategoryL1(600 + i)
                          .setCategoryL2(700 + i)
                          .setCategoryL3(800 + i)
                          .setMarketingTarget(900 + i)
                          .setIndustryId(1000 + i)
                          .build())
                  .build()));
    }
    TrajectoryView past = TrajectoryView.of(behaviors);
    int[] picked = {1, 4, 5, 9, 11};

    assertThat(HistoryColumns.selected(past, picked))
        .isEqualTo(HistoryColumns.copyOf(RowHistory.selected(past, picked)));
    assertThat(HistoryColumns.selected(past, null))
        .as("all of it when no indices are given")
        .isEqualTo(HistoryColumns.copyOf(RowHistory.of(past)));
  }

  @Test
  void aCandidateWithoutAHistoryIsRefused() {
    AdRequest request = request(item(900, 1), item(901, 2));
    assertThatThrownBy(() -> ScoringWork.of(request, 0, 0, List.of(RowHistory.EMPTY)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 history indices for 2 candidates");
  }

  static TrajectoryView past() {
    List<Behavior> behaviors = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      behaviors.add(
          Behavior.fromEvent(
              BehaviorEvent.newBuilder()
                  .setEventId("b" + i)
                  .setUserId(7)
                  .setEventTime(Instant.ofEpochMilli(T0 + i * 1_000L))
                  .setDomain(Domain.CONTENT)
                  .setActionType(ActionType.PLAY)
                  .setItem(item(100 + i, i % 4))
                  .build()));
    }
    return TrajectoryView.of(behaviors);
  }

  static AdRequest request(ItemFields... candidates) {
    return AdRequest.newBuilder()
        .setRequestId("r")
        .setUserId(7)
        .setRequestTime(Instant.ofEpochMilli(T0 + 100_000))
        .setCandidates(List.of(candidates))
        .setModelVariant("tin")
        .build();
  }

  private static SearchTarget target(AdRequest request, int c) {
    return SearchTarget.of(
        request.getCandidates().get(c),
        request.getScenario(),
        request.getRequestTime().toEpochMilli());
  }

  static ItemFields item(long id, int l3) {
    return ItemFields.newBuilder()
        .setItemId(id)
        .setCategoryL3(l3)
        .setCategoryL2(-1)
        .setCategoryL1(-1)
        .setProductId(id)
        .setSpuId(id)
        .build();
  }
}
