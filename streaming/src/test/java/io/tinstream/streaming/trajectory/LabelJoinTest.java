package io.tinstream.streaming.trajectory;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TaxonomyKind;
import io.tinstream.schemas.TrainingExample;
import io.tinstream.state.TrajectoryPolicy;
import io.tinstream.streaming.scoring.ScoringWork;
import io.tinstream.training.features.HistorySelector;
import io.tinstream.training.features.VariantHistories;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The impression-click join of the trajectory operator, on RocksDB, in event time. */
class LabelJoinTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final long WINDOW = Duration.ofMinutes(30).toMillis();
  private static final long USER = 7;

  private KeyedBroadcastOperatorTestHarness<
          Long, BehaviorOrRequest, TaxonomyOrModelSnapshot, ScoringWork>
      harness;

  @BeforeEach
  void open() throws Exception {
    TrajectoryFunction function =
        new TrajectoryFunction(
            new TrajectoryConfig(TrajectoryPolicy.defaults(), 1_000, WINDOW, 100),
            VariantHistories.probesOnly(
                new HistorySelector(HistorySelector.Kind.HIERARCHICAL_SEARCH, 8)),
            Map.of(TaxonomyLookupKeys.L3_TO_L2, 3L),
            null,
            null);
    harness = TrajectoryHarness.open(function, null);
    harness.processBroadcastElement(
        new StreamRecord<>(
            TaxonomyOrModelSnapshot.of(new TaxonomyEntry(TaxonomyKind.L3_PARENT, 30L, 3L))));
    harness.processBroadcastWatermark(Long.MAX_VALUE);
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  @Test
  void clickInsideTheWindowGivesOnePositiveWithTheHistoryBeforeTheImpression() throws Exception {
    send(content("c1", T0 - 60_000, 5));
    send(ad("imp", ActionType.IMPRESSION, "r1", T0, 10));
    send(content("c2", T0 + 1_000, 6)); // after the impression: must not leak into its example
    send(ad("clk", ActionType.CLICK, "r1", T0 + 5_000, 10));
    // Labelled, but it leaves with its window, in impression order with the negatives.
    assertThat(examples()).isEmpty();
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);

    harness.processWatermark(T0 + WINDOW);

    List<TrainingExample> examples = examples();
    assertThat(examples).hasSize(1);
    TrainingExample positive = examples.get(0);
    assertThat(positive.getLabel()).isEqualTo(1f);
    assertThat(positive.getExampleId()).isEqualTo("imp");
    assertThat(positive.getTarget().getItemId()).isEqualTo(10L);
    assertThat(positive.getTarget().getCategoryL2()).as("filled by the taxonomy").isEqualTo(3);
    assertThat(positive.getHistory().getItemIds()).containsExactly(5L);
    assertThat(positive.getHistory().getPositions()).containsExactly(1);
    assertThat(pendingCount()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
    assertThat(clickedMarkers()).isZero();
  }

  @Test
  void examplesLeaveInImpressionOrderWithBothClassesMixed() throws Exception {
    send(ad("imp1", ActionType.IMPRESSION, "r1", T0, 10));
    send(ad("imp2", ActionType.IMPRESSION, "r2", T0 + 1, 11));
    send(ad("imp3", ActionType.IMPRESSION, "r3", T0 + 2, 12));
    send(ad("clk3", ActionType.CLICK, "r3", T0 + 100, 12));
    send(ad("clk1", ActionType.CLICK, "r1", T0 + 200, 10));

    harness.processWatermark(T0 + WINDOW + 1);
    assertThat(examples())
        .extracting(TrainingExample::getExampleId)
        .containsExactly("imp1", "imp2");
    assertThat(examples()).extracting(TrainingExample::getLabel).containsExactly(1f, 0f);
    assertThat(pendingCount()).as("the third window has not ended").isEqualTo(1);

    harness.processWatermark(T0 + WINDOW + 2);
    assertThat(examples())
        .extracting(TrainingExample::getExampleId)
        .containsExactly("imp1", "imp2", "imp3");
    assertThat(examples()).extracting(TrainingExample::getLabel).containsExactly(1f, 0f, 1f);
  }

  @Test
  void aClickBeforeItsImpressionIsHeldAndLabelsIt() throws Exception {
    send(ad("clk", ActionType.CLICK, "r1", T0 + 10, 10));
    send(ad("imp", ActionType.IMPRESSION, "r1", T0, 10));
    send(ad("clk-orphan", ActionType.CLICK, "r9", T0, 99));

    harness.processWatermark(T0 + 2 * WINDOW);

    assertThat(examples()).singleElement().satisfies(e -> assertThat(e.getLabel()).isEqualTo(1f));
    assertThat(harness.numEventTimeTimers()).isZero();
    assertThat(stateEntries(LabelJoin.EARLY_CLICKS)).isZero();
    assertThat(stateEntries(LabelJoin.DUE)).isZero();
  }

  @Test
  void windowCloseGivesANegativeAndClearsEverything() throws Exception {
    send(ad("imp", ActionType.IMPRESSION, "r1", T0, 10));
    assertThat(pendingCount()).isEqualTo(1);
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);

    harness.processWatermark(T0 + WINDOW - 1);
    assertThat(examples()).isEmpty();

    harness.processWatermark(T0 + WINDOW);
    assertThat(examples()).singleElement().satisfies(e -> assertThat(e.getLabel()).isZero());
    assertThat(pendingCount()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void lateAndDuplicateClicksAreCountedNotLabelled() throws Exception {
    send(ad("imp1", ActionType.IMPRESSION, "r1", T0, 10));
    send(ad("clk1", ActionType.CLICK, "r1", T0 + 1_000, 10));
    send(ad("clk1-again", ActionType.CLICK, "r1", T0 + 2_000, 10)); // duplicate click
    send(ad("imp2", ActionType.IMPRESSION, "r2", T0, 11));
    harness.processWatermark(T0 + WINDOW);
    send(ad("clk2-late", ActionType.CLICK, "r2", T0 + WINDOW + 1, 11)); // after the window
    harness.processWatermark(T0 + 3 * WINDOW);

    List<TrainingExample> examples = examples();
    assertThat(examples).extracting(TrainingExample::getExampleId).containsExactly("imp1", "imp2");
    assertThat(examples).extracting(TrainingExample::getLabel).containsExactly(1f, 0f);
    assertThat(harness.numEventTimeTimers()).isZero();
    assertThat(pendingCount()).isZero();
    assertThat(clickedMarkers()).isZero();
    assertThat(stateEntries(LabelJoin.EARLY_CLICKS)).isZero();
  }

  @Test
  void restoredJoinStillLabelsPendingImpressions() throws Exception {
    send(ad("imp", ActionType.IMPRESSION, "r1", T0, 10));
    var snapshot = harness.snapshot(1, 1);
    harness.close();

    TrajectoryFunction function =
        new TrajectoryFunction(
            new TrajectoryConfig(TrajectoryPolicy.defaults(), 1_000, WINDOW, 100),
            VariantHistories.probesOnly(
                new HistorySelector(HistorySelector.Kind.HIERARCHICAL_SEARCH, 8)),
            Map.of(),
            null,
            null);
    harness = TrajectoryHarness.open(function, snapshot);
    harness.processBroadcastWatermark(Long.MAX_VALUE);
    assertThat(pendingCount()).isEqualTo(1);
    send(ad("clk", ActionType.CLICK, "r1", T0 + 1_000, 10));
    harness.processWatermark(T0 + WINDOW);
    assertThat(examples()).singleElement().satisfies(e -> assertThat(e.getLabel()).isEqualTo(1f));
  }

  @Test
  void theExampleHoldsLateBehaviorsOfItsPastButNothingAfterTheImpression() throws Exception {
    send(content("c1", T0 - 60_000, 5));
    send(ad("imp", ActionType.IMPRESSION, "r1", T0, 10));
    send(content("late", T0 - 30_000, 6)); // from before the impression, arrived after it
    send(content("after", T0 + 1_000, 7));

    harness.processWatermark(T0 + WINDOW);

    assertThat(examples())
        .singleElement()
        .satisfies(e -> assertThat(e.getHistory().getItemIds()).containsExactly(5L, 6L));
  }

  @Test
  void anImpressionParkedAsAWholeExampleBeforeStillClosesWithItsLabel() throws Exception {
    send(ad("imp-new", ActionType.IMPRESSION, "r2", T0, 11));
    // What a checkpoint of the previous layout holds: the whole example, on the same due list.
    harness.getOperator().setCurrentKey(USER);
    var store = harness.getOperator().getKeyedStateStore();
    String key = LabelJoin.key("r1", 10);
    store
        .getMapState(LabelJoin.LEGACY_PENDING)
        .put(
            key,
            TrainingExample.newBuilder()
                .setExampleId("imp-old")
                .setUserId(USER)
                .setRequestId("r1")
                .setImpressionTime(T0)
                .setTarget(ItemFields.newBuilder().setItemId(10).build())
                .setHistory(
                    io.tinstream.schemas.BehaviorSequence.newBuilder()
                        .setEventTimes(List.of(T0 - 5))
                        .setItemIds(List.of(99L))
                        .setCategoryL1(List.of(-1))
                        .setCategoryL2(List.of(-1))
                        .setCategoryL3(List.of(-1))
                        .setActionTypes(List.of(0))
                        .setScenarios(List.of(0))
                        .build())
                .setLabel(0f)
                .build());
    var due = store.getMapState(LabelJoin.DUE);
    List<String> keys = new java.util.ArrayList<>(due.get(T0 + WINDOW));
    keys.add(key);
    due.put(T0 + WINDOW, keys);
    send(ad("clk-old", ActionType.CLICK, "r1", T0 + 10, 10));

    harness.processWatermark(T0 + WINDOW);

    assertThat(examples())
        .extracting(e -> e.getExampleId() + ":" + e.getLabel())
        .containsExactly("imp-new:0.0", "imp-old:1.0");
    assertThat(examples().get(1).getHistory().getItemIds()).containsExactly(99L);
    assertThat(stateEntries(LabelJoin.LEGACY_PENDING)).isZero();
  }

  private void send(BehaviorEvent event) throws Exception {
    harness.processElement(
        new StreamRecord<>(BehaviorOrRequest.of(event), event.getEventTime().toEpochMilli()));
  }

  private List<TrainingExample> examples() {
    var out = harness.getSideOutput(TrajectoryFunction.EXAMPLES);
    return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
  }

  private int pendingCount() throws Exception {
    harness.getOperator().setCurrentKey(USER);
    Integer count =
        harness.getOperator().getKeyedStateStore().getState(LabelJoin.PENDING_COUNT).value();
    return count == null ? 0 : count;
  }

  private int clickedMarkers() throws Exception {
    return stateEntries(LabelJoin.CLICKED);
  }

  private int stateEntries(org.apache.flink.api.common.state.MapStateDescriptor<?, ?> descriptor)
      throws Exception {
    harness.getOperator().setCurrentKey(USER);
    int n = 0;
    for (var ignored : harness.getOperator().getKeyedStateStore().getMapState(descriptor).keys()) {
      n++;
    }
    return n;
  }

  private static BehaviorEvent content(String id, long time, long item) {
    return event(id, Domain.CONTENT, ActionType.PLAY, null, time, item);
  }

  private static BehaviorEvent ad(
      String id, ActionType action, String requestId, long time, long item) {
    return event(id, Domain.AD, action, requestId, time, item);
  }

  private static BehaviorEvent event(
      String id, Domain domain, ActionType action, String requestId, long time, long item) {
    return BehaviorEvent.newBuilder()
        .setEventId(id)
        .setUserId(USER)
        .setEventTime(Instant.ofEpochMilli(time))
        .setDomain(domain)
        .setActionType(action)
        .setRequestId(requestId)
        .setItem(
            ItemFields.newBuilder()
                .setItemId(item)
                .setCategoryL3(30)
                .setProductId(1L)
                .setSpuId(1L)
                .build())
        .build();
  }

  /** Keys of the preloaded taxonomy used here. */
  private static final class TaxonomyLookupKeys {
    static final String L3_TO_L2 =
        io.tinstream.streaming.trajectory.TaxonomyLookup.key(TaxonomyKind.L3_PARENT, 30);
  }
}
