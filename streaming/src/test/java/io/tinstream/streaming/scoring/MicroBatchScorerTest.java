package io.tinstream.streaming.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;
import io.tinstream.models.FeatureEncoding;
import io.tinstream.models.internal.VariableCodec;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.training.features.BatchBuilder;
import io.tinstream.training.features.BatchTarget;
import io.tinstream.training.features.RowHistory;
import io.tinstream.training.versions.ModelPublisher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scorer's model versions (RocksDB harness, real TF models, the trainer's own publisher): it
 * holds requests until the first model, swaps models between batches only, refuses a gap and keeps
 * serving its version until the next full snapshot, and rebuilds the current version on restore.
 */
class MicroBatchScorerTest {

  private static final String VARIANT = "tin";
  private static final long T0 = 1_700_000_000_000L;
  private static final int CANDIDATES = 3;

  /** Two requests fill a batch. */
  private static final int BATCH_CANDIDATES = 2 * CANDIDATES;

  private static final long DEADLINE_MS = 50;
  private static final long MODEL_WAIT_MS = 10_000;

  private final ModelSpecs specs = ModelSpecs.of(List.of(VARIANT), 8, 3);
  private CtrModel trainer;
  private ModelPublisher publisher;
  private KeyedBroadcastOperatorTestHarness<Integer, ScoringWork, ModelUpdate, ScoreResponse>
      harness;
  private int steps;
  private MicroBatchScorer scorer;

  @BeforeEach
  void open() throws Exception {
    trainer = specs.build(VARIANT);
    publisher = new ModelPublisher(Map.of(VARIANT, trainer), 4, 0, 1L);
    harness = harness(null);
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
    trainer.close();
  }

  @Test
  void requestsWaitForTheFirstModelAndAreThenScoredByIt() throws Exception {
    harness.processElement(new StreamRecord<>(task("r1", 0)));
    harness.setProcessingTime(DEADLINE_MS);
    harness.setProcessingTime(1_000);
    assertThat(responses()).as("no score from an untrained model").isEmpty();

    ModelUpdate v1 = stepAndPublish();
    harness.processBroadcastElement(new StreamRecord<>(v1));
    assertThat(responses()).as("a model arriving does not cut a batch").isEmpty();
    float[] expected = trainer.score(batchOf(task("r1", 0)));
    harness.setProcessingTime(2_000);

    List<ScoreResponse> out = responses();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).getError()).isNull();
    assertThat(out.get(0).getModelVersion()).isEqualTo(1);
    assertScores(out.get(0), expected);
  }

  @Test
  void aRequestFillingABatchIsScoredOnArrivalButNeverAheadOfOneAlreadyWaiting() throws Exception {
    harness.close();
    // Every request fills a batch by itself.
    harness =
        harness(
            null,
            new ScorerConfig(
                CANDIDATES, DEADLINE_MS, MODEL_WAIT_MS, 1, 1_000, RequestDeadline.NONE));
    harness.processElement(new StreamRecord<>(task("r1", 0)));
    assertThat(responses()).as("r1 waits for the first model").isEmpty();
    harness.processBroadcastElement(new StreamRecord<>(stepAndPublish()));

    harness.processElement(new StreamRecord<>(task("r2", 10)));
    assertThat(responses())
        .as("r2 arrives while r1 waits: both answered now, r1 first")
        .extracting(r -> r.getRequestId().toString())
        .containsExactly("r1", "r2");

    harness.processElement(new StreamRecord<>(task("r3", 20)));
    List<ScoreResponse> out = responses();
    assertThat(out).as("r3, with nothing waiting, answered on arrival").hasSize(3);
    assertThat(out.get(2).getRequestId().toString()).isEqualTo("r3");
    assertScores(out.get(2), trainer.score(batchOf(task("r3", 20))));
  }

  @Test
  void aRequestThatWaitsPastTheModelWaitGetsAnErrorNotAScore() throws Exception {
    harness.processElement(new StreamRecord<>(task("r1", 0)));
    harness.setProcessingTime(MODEL_WAIT_MS - 1);
    assertThat(responses()).isEmpty();
    harness.setProcessingTime(MODEL_WAIT_MS + 200);

    List<ScoreResponse> out = responses();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).getError()).contains("no model version");
    assertThat(out.get(0).getScores()).isEmpty();
    assertThat(out.get(0).getModelVersion()).isEqualTo(-1);
  }

  /** A waiting bound of three, a request deadline of one second. */
  private static final ScorerConfig BOUNDED =
      new ScorerConfig(
          BATCH_CANDIDATES, DEADLINE_MS, MODEL_WAIT_MS, 1, 3, new RequestDeadline(1_000));

  @Test
  void requestsBeyondTheWaitingBoundGetQueueFullErrorsAndThoseWaitingAreScored() throws Exception {
    harness.close();
    harness = harness(null, BOUNDED);
    for (int i = 1; i <= 5; i++) {
      harness.processElement(new StreamRecord<>(task("r" + i, 0)));
    }

    List<ScoreResponse> refused = responses();
    assertThat(refused).extracting(ScoreResponse::getRequestId).containsExactly("r4", "r5");
    assertThat(refused)
        .extracting(ScoreResponse::getError)
        .containsOnly(
            "queue full: 3 requests wait for the first model of variant 'tin'"
                + " (tinstream.scoring.max-waiting-for-model = 3)");
    assertThat(refused).allSatisfy(r -> assertThat(r.getScores()).isEmpty());
    assertThat(scorer.queueFullResponses()).isEqualTo(2);
    assertThat(scorer.errorResponses()).isEqualTo(2);
    WaitingWork gauges = scorer.waitingWork();
    assertThat(gauges.waitingForModel(VARIANT)).isEqualTo(3);
    assertThat(gauges.requests()).isEqualTo(3);
    assertThat(gauges.candidates()).isEqualTo(3 * CANDIDATES);

    harness.processBroadcastElement(new StreamRecord<>(stepAndPublish()));
    harness.setProcessingTime(500);
    List<ScoreResponse> out = responses();
    assertThat(out).hasSize(5);
    assertThat(out.subList(2, 5))
        .extracting(ScoreResponse::getRequestId)
        .containsExactlyInAnyOrder("r1", "r2", "r3");
    assertThat(out.subList(2, 5)).extracting(ScoreResponse::getError).containsOnlyNulls();
    assertThat(gauges.waitingForModel(VARIANT)).isZero();
    assertThat(gauges.requests()).isZero();
    assertThat(gauges.candidates()).isZero();
  }

  @Test
  void theWaitingBoundHoldsAcrossARestoreCountedFromTheState() throws Exception {
    harness.close();
    harness = harness(null, BOUNDED);
    for (int i = 1; i <= 3; i++) {
      harness.processElement(new StreamRecord<>(task("r" + i, 0)));
    }
    OperatorSubtaskState snapshot = harness.snapshot(1, 1);
    harness.close();

    harness = harness(snapshot, BOUNDED);
    harness.processElement(new StreamRecord<>(task("r4", 0)));

    assertThat(responses()).extracting(ScoreResponse::getRequestId).containsExactly("r4");
    assertThat(responses().get(0).getError()).startsWith("queue full: 3 requests wait");
    assertThat(scorer.waitingWork().waitingForModel(VARIANT)).isEqualTo(3);
  }

  @Test
  void aRequestOlderThanTheDeadlineIsTimedOutAndAFreshOneIsScored() throws Exception {
    harness.close();
    harness = harness(null, BOUNDED);
    harness.processBroadcastElement(new StreamRecord<>(stepAndPublish()));
    float[] expected = trainer.score(batchOf(task("fresh", 0)));
    // Produced 2 s before the job received it: a backlog in Kafka, which the job's clock misses.
    harness.processElement(new StreamRecord<>(task("stale", 0, -2_000)));
    harness.processElement(new StreamRecord<>(task("fresh", 0, 0))); // fills the batch

    List<ScoreResponse> out = responses();
    assertThat(out).extracting(ScoreResponse::getRequestId).containsExactly("stale", "fresh");
    assertThat(out.get(0).getError())
        .isEqualTo(
            "timed out: the request is 2000 ms old (since it was produced to Kafka), more than"
                + " tinstream.scoring.request-deadline = 1000 ms");
    assertThat(out.get(0).getScores()).isEmpty();
    assertThat(out.get(0).getModelVersion()).isEqualTo(-1);
    assertThat(out.get(1).getError()).isNull();
    assertScores(out.get(1), expected);
    assertThat(scorer.timedOutResponses()).isEqualTo(1);
    assertThat(scorer.errorResponses()).isEqualTo(1);
  }

  @Test
  void aRequestWaitingForAFirstModelPastTheDeadlineIsTimedOutBeforeTheModelWait() throws Exception {
    harness.close();
    harness = harness(null, BOUNDED);
    harness.processElement(new StreamRecord<>(task("r1", 0)));
    harness.setProcessingTime(1_000);
    assertThat(responses()).as("at the deadline, not past it").isEmpty();
    harness.setProcessingTime(1_200);

    List<ScoreResponse> out = responses();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).getError())
        .startsWith("timed out: the request is 1")
        .endsWith(", waiting for the first model of variant 'tin'");
    assertThat(scorer.timedOutResponses()).isEqualTo(1);
    assertThat(scorer.waitingWork().waitingForModel(VARIANT)).isZero();
  }

  @Test
  void theModelIsSwappedBetweenBatchesAndEachBatchIsScoredByOneVersion() throws Exception {
    harness.processBroadcastElement(new StreamRecord<>(stepAndPublish())); // v1
    harness.processElement(new StreamRecord<>(task("r1", 0)));
    float[] firstAtV1 = trainer.score(batchOf(task("r1", 0)));
    float[] secondAtV1 = trainer.score(batchOf(task("r2", 0)));
    harness.processElement(new StreamRecord<>(task("r2", 0))); // fills the batch

    harness.processBroadcastElement(new StreamRecord<>(stepAndPublish())); // v2, a delta
    float[] thirdAtV2 = trainer.score(batchOf(task("r3", 0)));
    harness.processElement(new StreamRecord<>(task("r3", 0)));
    harness.processBroadcastElement(new StreamRecord<>(stepAndPublish())); // v3 while r3 waits
    float[] thirdAtV3 = trainer.score(batchOf(task("r3", 0)));
    harness.setProcessingTime(DEADLINE_MS);

    List<ScoreResponse> out = responses();
    assertThat(out).extracting(ScoreResponse::getRequestId).containsExactly("r1", "r2", "r3");
    assertThat(out).extracting(ScoreResponse::getModelVersion).containsExactly(1L, 1L, 3L);
    assertScores(out.get(0), firstAtV1);
    assertScores(out.get(1), secondAtV1);
    assertThat(thirdAtV3).isNotEqualTo(thirdAtV2);
    assertScores(out.get(2), thirdAtV3);
  }

  @Test
  void aScorerFollowingARunIgnoresAnOlderRunsFullSnapshotWhateverItsVersion() throws Exception {
    // The previous run (epoch 0 here) got to version 9 with other weights.
    ModelUpdate previousRun;
    try (CtrModel old = specs.build(VARIANT)) {
      ModelPublisher oldPublisher = new ModelPublisher(Map.of(VARIANT, old), 1, 0, 0L);
      for (int i = 0; i < 9; i++) {
        old.trainStep(batchOf(task("x" + i, 0)));
      }
      previousRun = oldPublisher.afterBatch(true, 1).get(0);
    }
    assertThat(previousRun.getVersion()).isEqualTo(9);
    harness.processBroadcastElement(new StreamRecord<>(stepAndPublish())); // 1/1 full
    float[] atV1 = trainer.score(batchOf(task("r1", 0)));

    harness.processBroadcastElement(new StreamRecord<>(previousRun));
    harness.processElement(new StreamRecord<>(task("r1", 0)));
    harness.setProcessingTime(DEADLINE_MS);

    List<ScoreResponse> out = responses();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).getModelVersion()).as("still the newer run's version 1").isEqualTo(1);
    assertScores(out.get(0), atV1);
  }

  @Test
  void aGapKeepsTheCurrentVersionServingUntilTheNextFullSnapshot() throws Exception {
    harness.processBroadcastElement(new StreamRecord<>(stepAndPublish())); // v1 full
    harness.processBroadcastElement(new StreamRecord<>(stepAndPublish())); // v2 delta
    float[] atV2 = trainer.score(batchOf(task("r1", 0)));
    stepAndPublish(); // v3 delta, never arrives
    ModelUpdate v4 = stepAndPublish();
    assertThat(v4.getBaseVersion()).isEqualTo(3);
    harness.processBroadcastElement(new StreamRecord<>(v4));

    harness.processElement(new StreamRecord<>(task("r1", 0)));
    harness.setProcessingTime(DEADLINE_MS);
    List<ScoreResponse> out = responses();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).getModelVersion()).isEqualTo(2);
    assertScores(out.get(0), atV2);

    ModelUpdate v5 = stepAndPublish();
    assertThat(v5.getBaseVersion()).as("a full snapshot").isEqualTo(-1);
    harness.processBroadcastElement(new StreamRecord<>(v5));
    float[] atV5 = trainer.score(batchOf(task("r2", 0)));
    harness.processElement(new StreamRecord<>(task("r2", 0)));
    harness.setProcessingTime(2 * DEADLINE_MS);

    out = responses();
    assertThat(out).extracting(ScoreResponse::getModelVersion).containsExactly(2L, 5L);
    assertScores(out.get(1), atV5);
  }

  @Test
  void aRestoredScorerRebuildsTheCurrentVersionFromTheFullSnapshotAndTheDeltasAfterIt()
      throws Exception {
    harness.processBroadcastElement(new StreamRecord<>(stepAndPublish())); // v1 full
    harness.processBroadcastElement(new StreamRecord<>(stepAndPublish())); // v2 delta
    harness.processBroadcastElement(new StreamRecord<>(stepAndPublish())); // v3 delta
    OperatorSubtaskState snapshot = harness.snapshot(1, 1);
    harness.close();

    harness = harness(snapshot);
    float[] atV3 = trainer.score(batchOf(task("r1", 0)));
    harness.processElement(new StreamRecord<>(task("r1", 0)));
    harness.setProcessingTime(DEADLINE_MS);

    List<ScoreResponse> out = responses();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).getModelVersion()).isEqualTo(3);
    assertScores(out.get(0), atV3);
  }

  @Test
  void aWaitingRequestSurvivesACheckpointInRocksDbAndIsScoredAfterTheRestore() throws Exception {
    ScoringWork waiting = task("r1", 0);
    harness.processElement(new StreamRecord<>(waiting));
    harness.setProcessingTime(DEADLINE_MS);
    assertThat(responses()).as("no model yet").isEmpty();
    OperatorSubtaskState snapshot = harness.snapshot(1, 1);
    harness.close();

    harness = harness(snapshot);
    harness.processBroadcastElement(new StreamRecord<>(stepAndPublish()));
    float[] expected = trainer.score(batchOf(waiting));
    harness.setProcessingTime(1_000);

    List<ScoreResponse> out = responses();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).getRequestId()).isEqualTo("r1");
    assertThat(out.get(0).getError()).isNull();
    assertScores(out.get(0), expected);
  }

  private KeyedBroadcastOperatorTestHarness<Integer, ScoringWork, ModelUpdate, ScoreResponse>
      harness(OperatorSubtaskState snapshot) throws Exception {
    return harness(snapshot, new ScorerConfig(BATCH_CANDIDATES, DEADLINE_MS, MODEL_WAIT_MS, 1));
  }

  private KeyedBroadcastOperatorTestHarness<Integer, ScoringWork, ModelUpdate, ScoreResponse>
      harness(OperatorSubtaskState snapshot, ScorerConfig config) throws Exception {
    KeySelector<ScoringWork, Integer> oneKey = t -> 0;
    var h =
        new KeyedBroadcastOperatorTestHarness<>(
            new CoBroadcastWithKeyedOperator<>(
                scorer = new MicroBatchScorer(specs, config), List.of(MicroBatchScorer.MODELS)),
            oneKey,
            Types.INT,
            1,
            1,
            0);
    h.setStateBackend(new EmbeddedRocksDBStateBackend());
    // The broadcast log holds whole snapshots: more than the default 5 MiB of in-memory storage.
    h.setCheckpointStorage(new JobManagerCheckpointStorage(64 << 20));
    if (snapshot != null) {
      h.initializeState(snapshot);
    }
    h.open();
    h.setProcessingTime(0);
    return h;
  }

  @Test
  void aRequestScoredNanGetsAnErrorAndTheOthersOfItsBatchAreStillScored() throws Exception {
    ScoringWork ok = task("ok", 0);
    ScoringWork bad = task("bad", 0);
    ModelUpdate v1 = stepAndPublish();
    // A NaN in the embedding row of one of bad's candidates (a row no row of ok reads), imported
    // into the scorer's model with the full snapshot: that candidate scores NaN.
    VariableCodec.Snapshot s = VariableCodec.decode(bytes(v1.getPayload()));
    VariableCodec.Rows items = s.tables().get("emb_item");
    int itemRows = items.values().length / items.dim();
    int nanRow = FeatureEncoding.hashRow(batchOf(bad).targetItem[1], itemRows);
    Batch okRows = batchOf(ok);
    for (int r = 0; r < okRows.size; r++) {
      assertThat(FeatureEncoding.hashRow(okRows.targetItem[r], itemRows)).isNotEqualTo(nanRow);
      for (int j = 0; j < okRows.maxLen; j++) {
        assertThat(FeatureEncoding.hashRow(okRows.histItem[r * okRows.maxLen + j], itemRows))
            .isNotEqualTo(nanRow);
      }
    }
    java.util.Arrays.fill(
        items.values(), nanRow * items.dim(), (nanRow + 1) * items.dim(), Float.NaN);
    ModelUpdate poisoned =
        ModelUpdate.newBuilder(v1)
            .setPayload(java.nio.ByteBuffer.wrap(VariableCodec.encode(s)))
            .build();
    harness.processBroadcastElement(new StreamRecord<>(poisoned));

    harness.processElement(new StreamRecord<>(ok));
    harness.processElement(new StreamRecord<>(bad)); // fills the batch: both in one model call

    List<ScoreResponse> out = responses();
    assertThat(out).hasSize(2);
    ScoreResponse okResponse = out.get(0).getRequestId().equals("ok") ? out.get(0) : out.get(1);
    ScoreResponse badResponse = okResponse == out.get(0) ? out.get(1) : out.get(0);
    assertThat(okResponse.getError()).isNull();
    assertScores(okResponse, trainer.score(batchOf(ok)));
    assertThat(badResponse.getRequestId()).isEqualTo("bad");
    assertThat(badResponse.getScores()).isEmpty();
    assertThat(badResponse.getError()).contains("NaN");
    assertThat(badResponse.getModelVersion()).isEqualTo(v1.getVersion());
    assertThat(scorer.errorResponses()).isEqualTo(1);

    // and the scorer keeps going: the next batch is scored
    harness.processElement(new StreamRecord<>(task("ok", 10))); // rows known to be finite
    harness.setProcessingTime(10 + DEADLINE_MS);
    assertThat(responses()).hasSize(3);
    assertThat(responses().get(2).getError()).isNull();
  }

  @Test
  void anUpdateThatDoesNotLoadIsRefusedAndThePreviousVersionKeepsServing() throws Exception {
    harness.processBroadcastElement(new StreamRecord<>(stepAndPublish())); // v1 full
    harness.processElement(new StreamRecord<>(task("r1", 0)));
    harness.setProcessingTime(DEADLINE_MS);
    ModelUpdate v2 = stepAndPublish(); // a delta on v1
    harness.processBroadcastElement(new StreamRecord<>(truncated(v2)));
    harness.processElement(new StreamRecord<>(task("r1", 100)));
    harness.setProcessingTime(100 + DEADLINE_MS);

    List<ScoreResponse> out = responses();
    assertThat(out).hasSize(2);
    assertThat(out).extracting(ScoreResponse::getError).containsOnlyNulls();
    assertThat(out).extracting(ScoreResponse::getModelVersion).containsExactly(1L, 1L);
    assertThat(out.get(1).getScores()).isEqualTo(out.get(0).getScores());
  }

  @Test
  void aVariantWhoseFirstSnapshotDoesNotLoadAnswersAtOnceWithAnErrorNamingWhy() throws Exception {
    harness.processBroadcastElement(new StreamRecord<>(truncated(stepAndPublish())));
    harness.processElement(new StreamRecord<>(task("r1", 0)));
    harness.setProcessingTime(DEADLINE_MS);

    List<ScoreResponse> out = responses();
    assertThat(out).as("not held until the model wait ends").hasSize(1);
    assertThat(out.get(0).getError())
        .startsWith("model variant 'tin' failed to load: version 1/1 did not import")
        .contains("truncated or corrupt variable export");
    assertThat(out.get(0).getScores()).isEmpty();
    assertThat(out.get(0).getModelVersion()).isEqualTo(-1);
    assertThat(scorer.errorResponses()).isEqualTo(1);

    // The next full snapshot loads, and the variant serves.
    for (int i = 0; i < 3; i++) {
      stepAndPublish(); // deltas on the version that never loaded
    }
    ModelUpdate full = stepAndPublish();
    assertThat(full.getBaseVersion()).isEqualTo(-1);
    harness.processBroadcastElement(new StreamRecord<>(full));
    harness.processElement(new StreamRecord<>(task("r2", 100)));
    harness.setProcessingTime(100 + DEADLINE_MS);
    assertThat(responses()).hasSize(2);
    assertThat(responses().get(1).getError()).isNull();
    assertThat(responses().get(1).getModelVersion()).isEqualTo(full.getVersion());
  }

  /** {@code update} with its payload cut short, as a damaged record would arrive. */
  private static ModelUpdate truncated(ModelUpdate update) {
    byte[] payload = bytes(update.getPayload());
    return ModelUpdate.newBuilder(update)
        .setPayload(java.nio.ByteBuffer.wrap(java.util.Arrays.copyOf(payload, payload.length / 2)))
        .build();
  }

  private static byte[] bytes(java.nio.ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return a;
  }

  /** One step on a batch of its own, then whatever the trainer's publisher makes of it. */
  private ModelUpdate stepAndPublish() {
    steps++;
    BatchBuilder b = new BatchBuilder(4, specs.maxHistory());
    for (int i = 0; i < 4; i++) {
      b.add(
          RowHistory.of(history(steps)),
          BatchTarget.of(item(100 + 10 * steps + i), 0, T0),
          i % 2,
          7);
    }
    trainer.trainStep(b.build());
    List<ModelUpdate> updates = publisher.afterBatch(true, steps);
    assertThat(updates).hasSize(1);
    return updates.get(0);
  }

  private static ScoringWork task(String id, long arrivedAt) {
    return task(id, arrivedAt, arrivedAt);
  }

  /** A task produced to Kafka at {@code producedAt}, received by the job at {@code arrivedAt}. */
  private static ScoringWork task(String id, long arrivedAt, long producedAt) {
    List<ItemFields> candidates = new ArrayList<>();
    List<BehaviorSequence> histories = new ArrayList<>();
    int salt = id.hashCode() & 0xff;
    for (int c = 0; c < CANDIDATES; c++) {
      candidates.add(item(100 + salt + c));
      histories.add(history(salt + c));
    }
    AdRequest request =
        AdRequest.newBuilder()
            .setRequestId(id)
            .setUserId(7)
            .setRequestTime(Instant.ofEpochMilli(T0))
            .setCandidates(candidates)
            .setModelVariant(VARIANT)
            .build();
    return ScoringWork.of(
        request, arrivedAt, producedAt, 3, histories.stream().map(RowHistory::of).toList());
  }

  /** The rows the scorer builds for one task. */
  private Batch batchOf(ScoringWork task) {
    AdRequest r = task.request();
    BatchBuilder b = new BatchBuilder(CANDIDATES, specs.maxHistory());
    for (int c = 0; c < CANDIDATES; c++) {
      b.add(
          task.history(c),
          BatchTarget.of(
              r.getCandidates().get(c), r.getScenario(), r.getRequestTime().toEpochMilli()),
          0f,
          (int) r.getUserId());
    }
    return b.build();
  }

  private static BehaviorSequence history(int salt) {
    List<Long> items = List.of((long) salt, salt + 1L, salt + 2L);
    return BehaviorSequence.newBuilder()
        .setEventTimes(List.of(T0 - 3_000, T0 - 2_000, T0 - 1_000))
        .setItemIds(items)
        .setCategoryL1(List.of(-1, -1, -1))
        .setCategoryL2(List.of(-1, -1, -1))
        .setCategoryL3(List.of(salt % 3, 1, 2))
        .setActionTypes(List.of(1, 2, 1))
        .setScenarios(List.of(0, 0, 0))
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

  private List<ScoreResponse> responses() {
    return harness.extractOutputValues();
  }

  private static void assertScores(ScoreResponse response, float[] expected) {
    assertThat(response.getScores()).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat(response.getScores().get(i)).isCloseTo(expected[i], within(1e-6f));
    }
  }
}
