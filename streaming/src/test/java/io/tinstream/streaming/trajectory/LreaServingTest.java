package io.tinstream.streaming.trajectory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;
import io.tinstream.models.LreaModel;
import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.schemas.TrainingExample;
import io.tinstream.schemas.UpdateKind;
import io.tinstream.state.LreaEntry;
import io.tinstream.state.LreaStore;
import io.tinstream.state.TrajectoryPolicy;
import io.tinstream.state.TrajectoryView;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.streaming.scoring.RequestDeadline;
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
 * The lrea variant served from per-user LREA entries in the trajectory operator (RocksDB harness,
 * real TF models): scores equal the model's own absorbed path over the same behaviors, a burst of
 * behaviors costs one coalesced rebuild, a new full snapshot invalidates every entry, and examples
 * carry the latest behaviors lrea trains on.
 */
class LreaServingTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final long USER = 11;
  private static final int LENGTH = 50;
  private static final int REBUILD_AFTER = 5;

  private final ModelSpecs specs = ModelSpecs.of(List.of("tin", "lrea"), 8, LENGTH, 8, 3);
  private final List<BehaviorEvent> sent = new ArrayList<>();
  private KeyedBroadcastOperatorTestHarness<
          Long, BehaviorOrRequest, TaxonomyOrModelSnapshot, ScoringWork>
      harness;
  private CtrModel trainer;

  @BeforeEach
  void open() throws Exception {
    TrajectoryFunction function =
        new TrajectoryFunction(
            new TrajectoryConfig(
                TrajectoryPolicy.defaults(), 0, Duration.ofMinutes(30).toMillis(), 100),
            specs.histories(),
            Map.of("unused", 0L),
            new LreaServing(specs, REBUILD_AFTER, 1_000),
            null);
    harness = TrajectoryHarness.open(function, null);
    harness.setProcessingTime(0);
    harness.processBroadcastWatermark(Long.MAX_VALUE);
    trainer = specs.build("lrea");
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
    assertThat(r.getModelVersion()).isEqualTo(-1);
    assertThat(entry()).isNull();
  }

  @Test
  void aRequestOlderThanTheDeadlineIsTimedOutAndAFreshOneIsScored() throws Exception {
    harness.close();
    harness =
        TrajectoryHarness.open(
            new TrajectoryFunction(
                new TrajectoryConfig(
                    TrajectoryPolicy.defaults(), 0, Duration.ofMinutes(30).toMillis(), 100),
                specs.histories(),
                Map.of("unused", 0L),
                new LreaServing(specs, REBUILD_AFTER, 1_000),
                null,
                Long.MIN_VALUE,
                new RequestDeadline(2_000)),
            null);
    harness.setProcessingTime(0);
    harness.processBroadcastWatermark(Long.MAX_VALUE);
    publish(train(2));
    behaviors(0, 20);

    // Produced to Kafka a minute ago (a backlog, or a replay after a restart): no score.
    ScoreResponse stale = request("stale", T0 + 100_000, System.currentTimeMillis() - 60_000);
    assertThat(stale.getError())
        .startsWith("timed out: the request is 6")
        .endsWith("more than tinstream.scoring.request-deadline = 2000 ms");
    assertThat(stale.getScores()).isEmpty();
    assertThat(stale.getModelVariant()).isEqualTo("lrea");
    assertThat(entry()).as("not even built for it").isNull();

    ScoreResponse fresh = request("fresh", T0 + 100_000, System.currentTimeMillis());
    assertThat(fresh.getError()).isNull();
    assertThat(fresh.getScores()).hasSize(candidates().size());

    // A request for the scorer carries its produce time there, for the scorer's own check.
    long producedAt = System.currentTimeMillis() - 60_000;
    AdRequest forScorer =
        AdRequest.newBuilder()
            .setRequestId("tin-1")
            .setModelVariant("tin")
            .setUserId(USER)
            .setRequestTime(Instant.ofEpochMilli(T0 + 100_000))
            .setCandidates(candidates())
            .build();
    harness.processElement(
        new StreamRecord<>(BehaviorOrRequest.of(forScorer, producedAt), T0 + 100_000));
    harness.processElement(
        new StreamRecord<>(
            BehaviorOrRequest.of(
                AdRequest.newBuilder(forScorer).setRequestId("tin-2").build(),
                System.currentTimeMillis()),
            T0 + 100_000));
    List<ScoringWork> work = harness.extractOutputValues();
    assertThat(work).hasSize(2);
    assertThat(work.get(0).producedAt()).isEqualTo(producedAt);
    assertThat(work.get(0).arrivedAt()).isGreaterThan(producedAt);
    assertThat(work.get(0).distinctHistories())
        .as("past its deadline already: not searched, the scorer answers it timed out")
        .allSatisfy(h -> assertThat(h.size()).isZero());
    assertThat(work.get(1).distinctHistories())
        .as("a fresh request gets its searched behaviors")
        .allSatisfy(h -> assertThat(h.size()).isPositive());
  }

  @Test
  void scoresFromTheEntryEqualTheModelsAbsorbedPathOverTheLatestBehaviors() throws Exception {
    publish(train(2));
    behaviors(0, 20);

    ScoreResponse r = request("r1", T0 + 100_000);

    assertThat(r.getError()).isNull();
    assertThat(r.getModelVariant()).isEqualTo("lrea");
    assertThat(r.getModelVersion()).isEqualTo(trainer.version());
    float[] expected = ((LreaModel) trainer).score(reference(candidates()));
    assertThat(r.getScores()).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat(r.getScores().get(i)).isCloseTo(expected[i], within(1e-5f));
      assertThat(Float.isFinite(r.getScores().get(i))).isTrue();
    }
    LreaEntry e = entry();
    assertThat(e.modelVersion()).isEqualTo(trainer.version());
    assertThat(e.trajectoryLength()).isEqualTo(20);
    assertThat(e.eComp()).hasSize(specs.params("lrea").dim() * 8);
    assertThat(harness.getOutput()).as("nothing for the micro-batch scorer").isEmpty();
  }

  @Test
  void aBurstCostsOneRebuildAndANewSnapshotInvalidatesTheEntry() throws Exception {
    publish(train(1));
    behaviors(0, 20);
    request("r1", T0 + 100_000); // first entry, built inline
    assertThat(entry().trajectoryLength()).isEqualTo(20);

    behaviors(20, REBUILD_AFTER - 1);
    assertThat(harness.numProcessingTimeTimers()).as("under N new behaviors").isZero();
    behaviors(20 + REBUILD_AFTER - 1, 8);
    assertThat(entry().trajectoryLength()).as("not rebuilt per event").isEqualTo(20);
    assertThat(harness.numProcessingTimeTimers()).as("one coalesced timer").isEqualTo(1);
    harness.setProcessingTime(1_000);
    assertThat(entry().trajectoryLength()).isEqualTo(20 + REBUILD_AFTER - 1 + 8);
    long first = entry().modelVersion();

    publish(train(1));
    assertThat(trainer.version()).isGreaterThan(first);
    behaviors(40, 1);
    assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
    harness.setProcessingTime(2_000);
    assertThat(entry().modelVersion()).isEqualTo(trainer.version());

    ScoreResponse r = request("r2", T0 + 200_000);
    assertThat(r.getModelVersion()).isEqualTo(trainer.version());
    float[] expected = ((LreaModel) trainer).score(reference(candidates()));
    assertThat(r.getScores().get(0)).isCloseTo(expected[0], within(1e-5f));
  }

  @Test
  void deltasOnTheHeldSnapshotAndOlderSnapshotsLeaveTheReplicaWhereItIs() throws Exception {
    long v1 = train(1);
    ModelUpdate full = ModelUpdates.full("lrea", 1L, trainer, 0);
    harness.processBroadcastElement(new StreamRecord<>(TaxonomyOrModelSnapshot.of(full)));
    train(1);
    ModelUpdate delta = ModelUpdates.delta("lrea", 1L, trainer, v1, 0);
    assertThat(SnapshotFollower.follows(delta, List.of("lrea")))
        .as("not even read from the topic")
        .isFalse();
    harness.processBroadcastElement(new StreamRecord<>(TaxonomyOrModelSnapshot.of(delta)));
    behaviors(0, 5);
    assertThat(request("r1", T0 + 100_000).getModelVersion()).isEqualTo(v1);

    long v3 = train(1);
    harness.processBroadcastElement(
        new StreamRecord<>(TaxonomyOrModelSnapshot.of(ModelUpdates.full("lrea", 1L, trainer, 0))));
    harness.processBroadcastElement(new StreamRecord<>(TaxonomyOrModelSnapshot.of(full)));
    assertThat(request("r2", T0 + 200_000).getModelVersion())
        .as("an older snapshot arriving late")
        .isEqualTo(v3);
  }

  @Test
  void aReplicaFollowingARunIgnoresAnOlderRunsFullSnapshotWhateverItsVersion() throws Exception {
    publish(train(2)); // epoch 1, version 2
    behaviors(0, 5);
    ScoreResponse before = request("r1", T0 + 100_000);
    assertThat(before.getModelVersion()).isEqualTo(2);
    try (CtrModel previous = specs.build("lrea")) {
      for (int i = 0; i < 7; i++) {
        previous.trainStep(trainingBatch());
      }
      harness.processBroadcastElement(
          new StreamRecord<>(
              TaxonomyOrModelSnapshot.of(ModelUpdates.full("lrea", 0L, previous, 0))));
    }
    ScoreResponse after = request("r2", T0 + 100_000);
    assertThat(after.getModelVersion()).as("not the older run's version 7").isEqualTo(2);
    assertThat(after.getScores()).isEqualTo(before.getScores());
    assertThat(entry().modelEpoch()).isEqualTo(1L);
  }

  @Test
  void aHeldSnapshotThatDoesNotLoadIsRefusedOnceAndThePreviousKeepsServing() throws Exception {
    // What the topic's check keeps out; here as a checkpoint from before the check would hold it.
    publish(train(2));
    behaviors(0, 5);
    ScoreResponse before = request("r1", T0 + 100_000);
    train(1);
    harness.processBroadcastElement(
        new StreamRecord<>(
            TaxonomyOrModelSnapshot.of(truncated(ModelUpdates.full("lrea", 1L, trainer, 0)))));
    behaviors(5, 3); // each reads the replica, which refused the snapshot and keeps version 2
    ScoreResponse after = request("r2", T0 + 100_000);
    assertThat(after.getError()).isNull();
    assertThat(after.getModelVersion()).isEqualTo(2);
    assertThat(before.getModelVersion()).isEqualTo(2);
  }

  @Test
  void aFirstSnapshotThatDoesNotLoadAnswersAnErrorNamingWhy() throws Exception {
    train(1);
    harness.processBroadcastElement(
        new StreamRecord<>(
            TaxonomyOrModelSnapshot.of(truncated(ModelUpdates.full("lrea", 1L, trainer, 0)))));
    behaviors(0, 3);
    ScoreResponse r = request("r1", T0 + 100_000);
    assertThat(r.getError())
        .startsWith("model variant 'lrea' failed to load: version 1/1 did not import")
        .contains("truncated or corrupt");
    assertThat(r.getScores()).isEmpty();
    assertThat(r.getModelVersion()).isEqualTo(-1);
  }

  private static ModelUpdate truncated(ModelUpdate update) {
    byte[] payload = ModelUpdates.payload(update);
    return ModelUpdate.newBuilder(update)
        .setPayload(java.nio.ByteBuffer.wrap(java.util.Arrays.copyOf(payload, payload.length / 2)))
        .build();
  }

  @Test
  void aFreshJobNeverAdoptsAPreviousRunsSnapshotFoundOnTheTopicAndARestoreKeepsItsRun()
      throws Exception {
    long jobStart = 5_000L;
    var fresh = harnessStartedAt(jobStart, null);
    try (CtrModel previous = specs.build("lrea")) {
      previous.trainStep(trainingBatch());
      fresh.processBroadcastElement(
          new StreamRecord<>(
              TaxonomyOrModelSnapshot.of(ModelUpdates.full("lrea", jobStart - 1, previous, 0))));
    }
    fresh.processBroadcastWatermark(Long.MAX_VALUE);
    harness.close();
    harness = fresh;
    behaviors(0, 3);
    assertThat(request("r1", T0 + 100_000).getError())
        .as("the previous run's snapshot is not served")
        .contains("no full snapshot");

    train(1);
    harness.processBroadcastElement(
        new StreamRecord<>(
            TaxonomyOrModelSnapshot.of(ModelUpdates.full("lrea", jobStart, trainer, 0))));
    assertThat(request("r2", T0 + 100_000).getModelVersion()).isEqualTo(trainer.version());

    // Restored into a job built later: the floor is the checkpoint's, not the new start.
    var snapshot = harness.snapshot(1L, 0L);
    harness.close();
    harness = harnessStartedAt(jobStart + 60_000, snapshot);
    train(1);
    harness.processBroadcastElement(
        new StreamRecord<>(
            TaxonomyOrModelSnapshot.of(ModelUpdates.full("lrea", jobStart, trainer, 0))));
    assertThat(request("r3", T0 + 100_000).getModelVersion()).isEqualTo(trainer.version());
  }

  @Test
  void aRequestIsScoredOnlyFromTheBehaviorsBeforeItsTime() throws Exception {
    publish(train(2));
    behaviors(0, 10); // T0 .. T0 + 9s
    long t = T0 + 9_500;
    float[] withoutTheLaterBehavior = ((LreaModel) trainer).score(reference(candidates()));
    BehaviorEvent later =
        BehaviorEvent.newBuilder()
            .setEventId("later")
            .setUserId(USER)
            .setEventTime(Instant.ofEpochMilli(t + 1))
            .setDomain(Domain.CONTENT)
            .setActionType(ActionType.PLAY)
            .setItem(item(6))
            .build();
    send(later);

    ScoreResponse r = request("r1", t);

    assertThat(entry().trajectoryLength())
        .as("the stored entry holds the later behavior too")
        .isEqualTo(11);
    assertThat(r.getError()).isNull();
    for (int i = 0; i < withoutTheLaterBehavior.length; i++) {
      assertThat(r.getScores().get(i)).isCloseTo(withoutTheLaterBehavior[i], within(1e-5f));
    }
    sent.add(later);
    float[] withIt = ((LreaModel) trainer).score(reference(candidates()));
    assertThat(withIt)
        .as("the later behavior does change the score")
        .isNotEqualTo(withoutTheLaterBehavior);
  }

  private KeyedBroadcastOperatorTestHarness<
          Long, BehaviorOrRequest, TaxonomyOrModelSnapshot, ScoringWork>
      harnessStartedAt(long jobStart, org.apache.flink.runtime.checkpoint.OperatorSubtaskState from)
          throws Exception {
    TrajectoryFunction function =
        new TrajectoryFunction(
            new TrajectoryConfig(
                TrajectoryPolicy.defaults(), 0, Duration.ofMinutes(30).toMillis(), 100),
            specs.histories(),
            Map.of("unused", 0L),
            new LreaServing(specs, REBUILD_AFTER, 1_000),
            null,
            jobStart);
    var h = TrajectoryHarness.open(function, from);
    h.setProcessingTime(0);
    h.processBroadcastWatermark(Long.MAX_VALUE);
    return h;
  }

  private Batch trainingBatch() {
    BatchBuilder b = new BatchBuilder(4, LENGTH);
    for (int i = 0; i < 4; i++) {
      b.add(RowHistory.of(history(List.of())), BatchTarget.of(item(200 + i), 0, T0), 1 - i % 2, 3);
    }
    return b.build();
  }

  @Test
  void examplesCarryTheLatestBehaviorsBeforeTheImpression() throws Exception {
    behaviors(0, 12);
    send(ad("imp", ActionType.IMPRESSION, T0 + 50_000));
    send(ad("clk", ActionType.CLICK, T0 + 51_000));
    // The example leaves, labelled, when its attribution window ends.
    harness.processWatermark(Long.MAX_VALUE);

    var out = harness.getSideOutput(TrajectoryFunction.EXAMPLES);
    assertThat(out).hasSize(1);
    TrainingExample example = out.peek().getValue();
    BehaviorSequence recent = example.getRecent();
    assertThat(recent.getItemIds()).hasSize(12);
    assertThat(recent.getEventTimes()).isSorted().allMatch(t -> t < T0 + 50_000);
    assertThat(recent.getPositions().get(11)).isEqualTo(1);
    assertThat(example.getHistory().getItemIds()).hasSize(8);
  }

  private long train(int steps) {
    BatchBuilder b = new BatchBuilder(4, LENGTH);
    for (int i = 0; i < 4; i++) {
      b.add(RowHistory.of(history(List.of())), BatchTarget.of(item(100 + i), 0, T0), i % 2, 11);
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
    ModelUpdate full = ModelUpdates.full("lrea", 1L, trainer, 0);
    harness.processBroadcastElement(new StreamRecord<>(TaxonomyOrModelSnapshot.of(full)));
    ModelUpdate delta =
        ModelUpdate.newBuilder(full).setKind(UpdateKind.DELTA).setVersion(version + 100).build();
    // Deltas are not for the replica: it would otherwise rebuild every entry once per delta.
    harness.processBroadcastElement(new StreamRecord<>(TaxonomyOrModelSnapshot.of(delta)));
  }

  /** The request's candidates with the user's behaviors so far as one batch row each. */
  private Batch reference(List<ItemFields> candidates) {
    BatchBuilder b = new BatchBuilder(candidates.size(), LENGTH);
    for (ItemFields c : candidates) {
      b.add(RowHistory.of(history(sent)), BatchTarget.of(c, 0, T0), 0f, (int) USER);
    }
    return b.build();
  }

  /** The events as the trajectory holds them (every field), as a stream sequence. */
  private static BehaviorSequence history(List<BehaviorEvent> events) {
    TrajectoryView view =
        TrajectoryView.of(events.stream().map(io.tinstream.state.Behavior::fromEvent).toList());
    int[] all = new int[view.size()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    return view.toSequence(all);
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
              .setItem(item(i % 7))
              .build();
      send(e);
      sent.add(e);
    }
  }

  private static BehaviorEvent ad(String id, ActionType action, long time) {
    return BehaviorEvent.newBuilder()
        .setEventId(id)
        .setUserId(USER)
        .setEventTime(Instant.ofEpochMilli(time))
        .setDomain(Domain.AD)
        .setActionType(action)
        .setRequestId("req")
        .setItem(item(500))
        .build();
  }

  private static ItemFields item(long id) {
    return ItemFields.newBuilder()
        .setItemId(id)
        .setCategoryL3((int) (id % 3))
        .setCategoryL2(-1)
        .setCategoryL1(-1)
        .setProductId(id)
        .setSpuId(id)
        .build();
  }

  private static List<ItemFields> candidates() {
    return List.of(item(3), item(5), item(900));
  }

  private void send(BehaviorEvent e) throws Exception {
    harness.processElement(
        new StreamRecord<>(BehaviorOrRequest.of(e), e.getEventTime().toEpochMilli()));
  }

  private ScoreResponse request(String id, long time) throws Exception {
    return request(id, time, System.currentTimeMillis());
  }

  private ScoreResponse request(String id, long time, long producedAt) throws Exception {
    AdRequest request =
        AdRequest.newBuilder()
            .setRequestId(id)
            .setModelVariant("lrea")
            .setUserId(USER)
            .setRequestTime(Instant.ofEpochMilli(time))
            .setCandidates(candidates())
            .build();
    harness.processElement(new StreamRecord<>(BehaviorOrRequest.of(request, producedAt), time));
    var out = harness.getSideOutput(TrajectoryFunction.KEYED_STATE_SCORES);
    ScoreResponse last = null;
    for (StreamRecord<ScoreResponse> r : out) {
      last = r.getValue();
    }
    return last;
  }

  private LreaEntry entry() throws Exception {
    harness.getOperator().setCurrentKey(USER);
    return harness.getOperator().getKeyedStateStore().getState(LreaStore.descriptor()).value();
  }
}
