package io.tinstream.streaming.trajectory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;
import io.tinstream.models.internal.VariableCodec;
import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.schemas.TrainingExample;
import io.tinstream.schemas.UpdateKind;
import io.tinstream.state.Behavior;
import io.tinstream.state.SearchStage;
import io.tinstream.state.SearchTarget;
import io.tinstream.state.TrajectoryPolicy;
import io.tinstream.state.TrajectoryView;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.streaming.scoring.HistoryColumns;
import io.tinstream.streaming.scoring.MicroBatchScorer;
import io.tinstream.streaming.scoring.ScorerConfig;
import io.tinstream.streaming.scoring.ScoringWork;
import io.tinstream.training.features.BatchBuilder;
import io.tinstream.training.features.BatchTarget;
import io.tinstream.training.features.RowHistory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * dare and twin search their own top K online, over the latest window, as they do offline: the
 * trajectory operator (RocksDB harness) hands the scorer one shared window of W behaviors instead
 * of a hard-searched K per candidate, the scorer's scores equal the model's on that window and
 * differ from its scores on the hard-searched K, and an example carries what each variant trains
 * on.
 */
class SoftSearchServingTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final long USER = 21;
  private static final int K = 4;
  private static final int WINDOW = 24;
  private static final int BEHAVIORS = 40;

  private final ModelSpecs specs =
      ModelSpecs.of(List.of("tin", "dare"), K, 3).withSoftSearchWindow(WINDOW);
  private final List<Behavior> sent = new ArrayList<>();
  private KeyedBroadcastOperatorTestHarness<
          Long, BehaviorOrRequest, TaxonomyOrModelSnapshot, ScoringWork>
      trajectory;
  private KeyedBroadcastOperatorTestHarness<Integer, ScoringWork, ModelUpdate, ScoreResponse>
      scorer;
  private CtrModel dare;

  @BeforeEach
  void open() throws Exception {
    trajectory =
        TrajectoryHarness.open(
            new TrajectoryFunction(
                new TrajectoryConfig(
                    TrajectoryPolicy.defaults(), 0, Duration.ofMinutes(30).toMillis(), 100),
                specs.histories(),
                Map.of("unused", 0L),
                null,
                null),
            null);
    trajectory.processBroadcastWatermark(Long.MAX_VALUE);
    scorer =
        new KeyedBroadcastOperatorTestHarness<>(
            new CoBroadcastWithKeyedOperator<>(
                new MicroBatchScorer(specs, new ScorerConfig(1, 1_000, 10_000, 1)),
                List.of(MicroBatchScorer.MODELS)),
            t -> 0,
            Types.INT,
            1,
            1,
            0);
    scorer.open();
    dare = specs.build("dare");
    for (int i = 0; i < BEHAVIORS; i++) {
      BehaviorEvent e =
          BehaviorEvent.newBuilder()
              .setEventId("b" + i)
              .setUserId(USER)
              .setEventTime(Instant.ofEpochMilli(T0 + i * 1_000L))
              .setDomain(Domain.CONTENT)
              .setActionType(ActionType.PLAY)
              .setItem(item(100 + i, i % 5))
              .build();
      trajectory.processElement(
          new StreamRecord<>(BehaviorOrRequest.of(e), e.getEventTime().toEpochMilli()));
      sent.add(Behavior.fromEvent(e));
    }
  }

  @AfterEach
  void close() throws Exception {
    trajectory.close();
    scorer.close();
    dare.close();
  }

  @Test
  void aDareRequestIsScoredFromTheSoftSearchWindowNotTheHardSearchedK() throws Exception {
    ScoringWork task = request("dare");
    assertThat(task.distinctHistories()).as("no per-candidate copies").hasSize(1);
    HistoryColumns shared = task.history(0);
    assertThat(shared.size()).as("the latest W behaviors").isEqualTo(WINDOW);
    assertThat(shared.item(0)).isEqualTo(BatchBuilder.rawId(100L + BEHAVIORS - WINDOW));
    assertThat(shared.item(WINDOW - 1)).isEqualTo(BatchBuilder.rawId(100L + BEHAVIORS - 1));
    for (int c = 0; c < candidates().size(); c++) {
      assertThat(task.history(c)).isSameAs(shared);
    }

    ScoreResponse r = scored(task);

    assertThat(r.getError()).isNull();
    assertThat(r.getModelVersion()).isEqualTo(dare.version());
    float[] onWindow = dare.score(batch(c -> SearchStage.latestK(past(), WINDOW), WINDOW));
    float[] onHardSearch =
        dare.score(batch(c -> SearchStage.hierarchicalHardSearch(past(), target(c), K), K));
    float gap = 0;
    for (int c = 0; c < onWindow.length; c++) {
      assertThat(r.getScores().get(c)).isCloseTo(onWindow[c], within(1e-5f));
      gap = Math.max(gap, Math.abs(r.getScores().get(c) - onHardSearch[c]));
    }
    assertThat(gap).as("the hard-searched K would score differently").isGreaterThan(1e-4f);
  }

  @Test
  void aTinRequestStillGetsTheHardSearchedKPerCandidate() throws Exception {
    ScoringWork task = request("tin");
    assertThat(task.distinctHistories()).hasSize(candidates().size());
    for (int c = 0; c < candidates().size(); c++) {
      int l3 = candidates().get(c).getCategoryL3();
      HistoryColumns h = task.history(c);
      assertThat(h.size()).isEqualTo(K);
      for (int i = 0; i < K; i++) {
        assertThat(h.cat3(i)).isEqualTo(l3);
      }
      assertThat(h)
          .as("the same columns training would read")
          .isEqualTo(
              HistoryColumns.copyOf(
                  RowHistory.selected(
                      past(), SearchStage.hierarchicalHardSearch(past(), target(c), K))));
    }
  }

  @Test
  void anExampleCarriesTheHardSearchedKForTinAndTheWindowForDare() throws Exception {
    long time = T0 + BEHAVIORS * 1_000L;
    for (ActionType action : List.of(ActionType.IMPRESSION, ActionType.CLICK)) {
      BehaviorEvent e =
          BehaviorEvent.newBuilder()
              .setEventId(action.name())
              .setUserId(USER)
              .setEventTime(Instant.ofEpochMilli(time))
              .setDomain(Domain.AD)
              .setActionType(action)
              .setRequestId("req")
              .setItem(item(900, 2))
              .build();
      trajectory.processElement(new StreamRecord<>(BehaviorOrRequest.of(e), time));
      time += 1_000;
    }
    // The example leaves, labelled, when its attribution window ends.
    trajectory.processWatermark(Long.MAX_VALUE);
    TrainingExample example =
        trajectory.getSideOutput(TrajectoryFunction.EXAMPLES).peek().getValue();
    assertThat(example.getHistory().getCategoryL3()).hasSize(K).containsOnly(2);
    assertThat(example.getRecent().getItemIds()).hasSize(WINDOW);
    assertThat(example.getSelections()).isEmpty();
  }

  private ScoringWork request(String variant) throws Exception {
    long time = T0 + 100_000;
    AdRequest request =
        AdRequest.newBuilder()
            .setRequestId("r-" + variant)
            .setModelVariant(variant)
            .setUserId(USER)
            .setRequestTime(Instant.ofEpochMilli(time))
            .setCandidates(candidates())
            .build();
    trajectory.processElement(new StreamRecord<>(BehaviorOrRequest.of(request), time));
    ScoringWork last = null;
    for (Object o : trajectory.getOutput()) {
      if (o instanceof StreamRecord<?> r && r.getValue() instanceof ScoringWork t) {
        last = t;
      }
    }
    return last;
  }

  /** The task through the micro-batch scorer, after a full snapshot of a trained dare. */
  private ScoreResponse scored(ScoringWork task) throws Exception {
    dare.trainStep(batch(c -> SearchStage.latestK(past(), WINDOW), WINDOW));
    scorer.processBroadcastElement(
        new StreamRecord<>(
            ModelUpdate.newBuilder()
                .setVariant("dare")
                .setVersion(dare.version())
                .setBaseVersion(-1)
                .setKind(UpdateKind.FULL)
                .setFormatVersion(VariableCodec.FORMAT_VERSION)
                .setCreatedAt(0L)
                .setPayload(ByteBuffer.wrap(dare.exportVariables()))
                .build()));
    scorer.processElement(new StreamRecord<>(task));
    return (ScoreResponse) ((StreamRecord<?>) scorer.getOutput().peek()).getValue();
  }

  private TrajectoryView past() {
    return TrajectoryView.of(sent);
  }

  private SearchTarget target(int c) {
    return SearchTarget.of(candidates().get(c), 0, T0 + 100_000);
  }

  /** One row per candidate: the behaviors {@code selection} keeps of the past, as selected. */
  private Batch batch(IntFunction<int[]> selection, int maxLen) {
    BatchBuilder b = new BatchBuilder(candidates().size(), maxLen);
    for (int c = 0; c < candidates().size(); c++) {
      b.add(
          RowHistory.selected(past(), selection.apply(c)),
          BatchTarget.of(candidates().get(c), 0, T0 + 100_000),
          c % 2,
          (int) USER);
    }
    return b.build();
  }

  private static List<ItemFields> candidates() {
    return List.of(item(900, 2), item(901, 3), item(902, 4));
  }

  private static ItemFields item(long id, int l3) {
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
