package io.tinstream.streaming.trajectory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;
import io.tinstream.models.layers.SasRecLayer;
import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.state.Behavior;
import io.tinstream.state.CategoryLevel;
import io.tinstream.state.SearchStage;
import io.tinstream.state.TrajectoryPolicy;
import io.tinstream.state.TrajectoryView;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.streaming.scoring.ScoringWork;
import io.tinstream.training.features.BatchBuilder;
import io.tinstream.training.features.BatchTarget;
import io.tinstream.training.features.RowHistory;
import io.tinstream.training.versions.ModelUpdates;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * td-sasrec answered in the trajectory operator from per-user head vectors cached in RocksDB keyed
 * state (real TF models): a request is scored from the cache (what the cache holds is what the
 * scores show), the heads are those of the model over the user's stratified sample, and a new full
 * snapshot or N new behaviors rebuild them.
 */
class UserHeadServingTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final long USER = 31;
  private static final int K = 8;
  private static final int REBUILD_AFTER = 5;

  private final ModelSpecs specs = ModelSpecs.of(List.of("tin", "td-sasrec"), K, 3);
  private final List<Behavior> sent = new ArrayList<>();
  private KeyedBroadcastOperatorTestHarness<
          Long, BehaviorOrRequest, TaxonomyOrModelSnapshot, ScoringWork>
      harness;
  private CtrModel trainer;

  @BeforeEach
  void open() throws Exception {
    harness =
        TrajectoryHarness.open(
            new TrajectoryFunction(
                new TrajectoryConfig(
                    TrajectoryPolicy.defaults(), 0, Duration.ofMinutes(30).toMillis(), 100),
                specs.histories(),
                Map.of("unused", 0L),
                null,
                new UserHeadServing(specs, REBUILD_AFTER)),
            null);
    harness.processBroadcastWatermark(Long.MAX_VALUE);
    trainer = specs.build("td-sasrec");
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
    trainer.close();
  }

  @Test
  void requestsBeforeTheFirstSnapshotGetAnErrorNotAScore() throws Exception {
    behaviors(0, 3);
    ScoreResponse r = request("r0", T0 + 10_000);
    assertThat(r.getError()).contains("no full snapshot");
    assertThat(r.getScores()).isEmpty();
    assertThat(tag()).isNull();
  }

  @Test
  void answeredFromTheCachedHeadsWhichANewModelVersionRebuilds() throws Exception {
    behaviors(0, 30);
    publish(train(2));

    long t1 = T0 + 100_000;
    ScoreResponse first = request("r1", t1);
    assertThat(first.getError()).isNull();
    assertThat(first.getModelVariant()).isEqualTo("td-sasrec");
    assertThat(first.getModelVersion()).isEqualTo(trainer.version());
    assertScores(first, trainer.score(reference(t1)));
    assertThat(tag()).containsExactly(trainer.version(), 30, heads(), 1L, 30);
    assertThat(harness.getOutput()).as("nothing for the micro-batch scorer").isEmpty();

    // What the cache holds is what is served: zero heads leave only the logit bias.
    zeroTheCachedHeads();
    ScoreResponse cached = request("r2", T0 + 110_000);
    assertThat(cached.getScores())
        .allSatisfy(s -> assertThat(s).isCloseTo(biasOnly(), within(1e-6f)));
    assertThat(cached.getScores()).isNotEqualTo(first.getScores());

    long before = trainer.version();
    publish(train(3));
    long t3 = T0 + 120_000;
    ScoreResponse rebuilt = request("r3", t3);
    assertThat(rebuilt.getModelVersion()).isEqualTo(trainer.version()).isGreaterThan(before);
    assertThat(tag()[0]).as("heads of the new version").isEqualTo(trainer.version());
    assertScores(rebuilt, trainer.score(reference(t3)));
    assertThat(rebuilt.getScores()).isNotEqualTo(cached.getScores());
  }

  @Test
  void theHeadsAreRebuiltAfterNNewBehaviorsNotBefore() throws Exception {
    behaviors(0, 30);
    publish(train(2));
    request("r1", T0 + 100_000);
    zeroTheCachedHeads();

    behaviors(30, REBUILD_AFTER - 1);
    request("r2", T0 + 110_000);
    assertThat(tag()[1]).as("fewer than N new behaviors: still cached").isEqualTo(30);

    behaviors(30 + REBUILD_AFTER - 1, 1);
    long t = T0 + 120_000;
    ScoreResponse r = request("r3", t);
    assertThat(tag()[1]).isEqualTo(30 + REBUILD_AFTER);
    assertScores(r, trainer.score(reference(t)));
  }

  private static void assertScores(ScoreResponse r, float[] expected) {
    assertThat(r.getScores()).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat(r.getScores().get(i)).isCloseTo(expected[i], within(1e-5f));
    }
  }

  /** The model's own scores: the user's stratified sample before {@code time}, per candidate. */
  private Batch reference(long time) {
    TrajectoryView past = TrajectoryView.of(sent);
    int[] sample = SearchStage.stratifiedSample(past, K, CategoryLevel.L1);
    BatchBuilder b = new BatchBuilder(candidates().size(), K);
    for (ItemFields c : candidates()) {
      b.add(RowHistory.selected(past, sample), BatchTarget.of(c, 0, time), 0f, (int) USER);
    }
    return b.build();
  }

  private float biasOnly() {
    float b = trainer.output(SasRecLayer.OUT_LOGIT_BIAS, reference(T0))[0];
    return (float) (1.0 / (1.0 + Math.exp(-b)));
  }

  private long train(int steps) {
    BatchBuilder b = new BatchBuilder(4, K);
    TrajectoryView past = TrajectoryView.of(sent);
    for (int i = 0; i < 4; i++) {
      b.add(
          RowHistory.selected(past, SearchStage.latestK(past, K)),
          BatchTarget.of(item(100 + i, i), 0, T0),
          i % 2,
          (int) USER);
    }
    Batch batch = b.build();
    for (int i = 0; i < steps; i++) {
      trainer.trainStep(batch);
    }
    return trainer.version();
  }

  /** The trainer's weights as the full snapshot the trainer would publish at this version. */
  private void publish(long version) throws Exception {
    assertThat(trainer.version()).isEqualTo(version);
    ModelUpdate full = ModelUpdates.full("td-sasrec", 1L, trainer, 0L);
    harness.processBroadcastElement(new StreamRecord<>(TaxonomyOrModelSnapshot.of(full)));
  }

  private void behaviors(int from, int n) throws Exception {
    for (int i = from; i < from + n; i++) {
      BehaviorEvent e =
          BehaviorEvent.newBuilder()
              .setEventId("b" + i)
              .setUserId(USER)
              .setEventTime(Instant.ofEpochMilli(T0 + i * 1_000L))
              .setDomain(Domain.CONTENT)
              .setActionType(ActionType.PLAY)
              .setItem(item(10 + i % 9, i % 4))
              .build();
      harness.processElement(
          new StreamRecord<>(BehaviorOrRequest.of(e), e.getEventTime().toEpochMilli()));
      sent.add(Behavior.fromEvent(e));
    }
  }

  private ScoreResponse request(String id, long time) throws Exception {
    AdRequest request =
        AdRequest.newBuilder()
            .setRequestId(id)
            .setModelVariant("td-sasrec")
            .setUserId(USER)
            .setRequestTime(Instant.ofEpochMilli(time))
            .setCandidates(candidates())
            .build();
    harness.processElement(new StreamRecord<>(BehaviorOrRequest.of(request), time));
    ScoreResponse last = null;
    for (StreamRecord<ScoreResponse> r :
        harness.getSideOutput(TrajectoryFunction.KEYED_STATE_SCORES)) {
      last = r.getValue();
    }
    return last;
  }

  private long[] tag() throws Exception {
    harness.getOperator().setCurrentKey(USER);
    return harness.getOperator().getKeyedStateStore().getState(UserHeadServing.TAG).value();
  }

  private long heads() {
    return specs.params("td-sasrec").categorySlots() + 1L;
  }

  private void zeroTheCachedHeads() throws Exception {
    harness.getOperator().setCurrentKey(USER);
    var state = harness.getOperator().getKeyedStateStore().getState(UserHeadServing.HEADS);
    state.update(new float[state.value().length]);
  }

  private static List<ItemFields> candidates() {
    return List.of(item(500, 0), item(501, 1), item(502, 3));
  }

  private static ItemFields item(long id, int l1) {
    return ItemFields.newBuilder()
        .setItemId(id)
        .setCategoryL1(l1)
        .setCategoryL2(10 + l1)
        .setCategoryL3(20 + l1)
        .setProductId(id)
        .setSpuId(id)
        .build();
  }
}
