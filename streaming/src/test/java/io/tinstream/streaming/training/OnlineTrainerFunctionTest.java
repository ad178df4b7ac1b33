package io.tinstream.streaming.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.internal.VariableCodec;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.TrainingExample;
import io.tinstream.schemas.UpdateKind;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.training.online.ScoreWindow;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The trainer shell's published versions (RocksDB harness, real TF model): full snapshots and
 * deltas in the publisher's cadence, and after a restore the same version line, published in full
 * first.
 */
class OnlineTrainerFunctionTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final int BATCH = 4;
  private static final int FULL_EVERY = 2;

  private final ModelSpecs specs = ModelSpecs.of(List.of("tin"), 8, 3);
  private KeyedOneInputStreamOperatorTestHarness<Integer, TrainingExample, ModelUpdate> harness;
  private int sent;
  private OnlineTrainerFunction trainer;

  @BeforeEach
  void open() throws Exception {
    harness = harness(null);
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  @Test
  void eachBatchPublishesAFullSnapshotFirstThenDeltasAndAFullEveryN() throws Exception {
    send(3 * BATCH);

    List<ModelUpdate> out = harness.extractOutputValues();
    assertThat(out).extracting(ModelUpdate::getVersion).containsExactly(1L, 2L, 3L);
    assertThat(out)
        .extracting(ModelUpdate::getKind)
        .containsExactly(UpdateKind.FULL, UpdateKind.DELTA, UpdateKind.FULL);
    assertThat(out).extracting(ModelUpdate::getBaseVersion).containsExactly(-1L, 1L, -1L);
    assertThat(out).extracting(u -> u.getVariant().toString()).containsOnly("tin");
  }

  @Test
  void aRestoredTrainerGoesOnFromItsVersionAndPublishesInFullFirst() throws Exception {
    send(2 * BATCH + BATCH / 2); // v1 full, v2 delta, half a batch waiting
    OperatorSubtaskState snapshot = harness.snapshot(1, 1);
    harness.close();

    harness = harness(snapshot);
    send(BATCH / 2);

    List<ModelUpdate> out = harness.extractOutputValues();
    assertThat(out).hasSize(2);
    assertThat(out.get(0).getVersion()).as("the restored version, announced").isEqualTo(2);
    assertThat(out.get(0).getKind())
        .as("a replica may not have seen the versions before the restore")
        .isEqualTo(UpdateKind.FULL);
    assertThat(out.get(1).getVersion()).as("the restored weights trained once more").isEqualTo(3);
    assertThat(out.get(1).getBaseVersion()).isEqualTo(2);
  }

  @Test
  void aFreshTrainerStartsItsOwnRunAndARestoreContinuesTheCheckpointsRun() throws Exception {
    long before = System.currentTimeMillis();
    harness.close();
    harness = harness(null);
    send(2 * BATCH);
    List<ModelUpdate> first = harness.extractOutputValues();
    long epoch = first.get(0).getRunEpoch();
    assertThat(epoch).as("the wall clock at the fresh start").isGreaterThanOrEqualTo(before);
    assertThat(first).extracting(ModelUpdate::getRunEpoch).containsOnly(epoch);
    OperatorSubtaskState snapshot = harness.snapshot(1, 1);
    harness.close();

    // Restored in a job built an hour later: the run (and its versions) go on.
    long later = System.currentTimeMillis() + 3_600_000L;
    harness = harness(snapshot, later);
    send(BATCH);
    List<ModelUpdate> afterRestore = harness.extractOutputValues();
    assertThat(afterRestore).extracting(ModelUpdate::getRunEpoch).containsOnly(epoch);
    assertThat(afterRestore).extracting(ModelUpdate::getVersion).containsExactly(2L, 3L);
    harness.close();

    // Started fresh in that job: a new run, newer than the first, from version 1 again.
    harness = harness(null, later);
    send(BATCH);
    ModelUpdate fresh = harness.extractOutputValues().get(0);
    assertThat(fresh.getRunEpoch()).isEqualTo(later).isGreaterThan(epoch);
    assertThat(fresh.getVersion()).isEqualTo(1);
  }

  @Test
  void aNonFiniteBatchIsSkippedAndCountedAndTheTrainerGoesOn() throws Exception {
    send(BATCH); // v1
    for (int i = 0; i < BATCH; i++) {
      int k = sent++;
      TrainingExample e = example(k);
      if (i == 1) {
        e.setLabel(Float.NaN);
      }
      harness.processElement(new StreamRecord<>(e));
    }
    send(BATCH); // v2: trained on the v1 weights, which the skipped batch left alone

    List<ModelUpdate> out = harness.extractOutputValues();
    assertThat(out).extracting(ModelUpdate::getVersion).containsExactly(1L, 2L);
    assertThat(trainer.skippedBatches("tin")).isEqualTo(1);
    for (ModelUpdate u : out) {
      byte[] payload = new byte[u.getPayload().remaining()];
      u.getPayload().duplicate().get(payload);
      VariableCodec.Snapshot s = VariableCodec.decode(payload);
      s.dense().values().forEach(d -> assertAllFinite(d.values()));
      s.tables().values().forEach(t -> assertAllFinite(t.values()));
    }
  }

  private static void assertAllFinite(float[] values) {
    for (float v : values) {
      assertThat(Float.isFinite(v)).isTrue();
    }
  }

  private KeyedOneInputStreamOperatorTestHarness<Integer, TrainingExample, ModelUpdate> harness(
      OperatorSubtaskState snapshot) throws Exception {
    return harness(snapshot, Long.MIN_VALUE);
  }

  private KeyedOneInputStreamOperatorTestHarness<Integer, TrainingExample, ModelUpdate> harness(
      OperatorSubtaskState snapshot, long runStartedAt) throws Exception {
    KeySelector<TrainingExample, Integer> oneKey = e -> OnlineTrainerFunction.KEY;
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                trainer =
                    new OnlineTrainerFunction(
                        specs,
                        new TrainerConfig(
                            BATCH, 60_000, FULL_EVERY, new ScoreWindow.Spec(60_000, 1, 10), 0),
                        runStartedAt)),
            oneKey,
            Types.INT);
    h.setStateBackend(new EmbeddedRocksDBStateBackend());
    // The trainer's state holds its whole model: more than the default 5 MiB in memory.
    h.setCheckpointStorage(
        new org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage(64 << 20));
    if (snapshot != null) {
      h.initializeState(snapshot);
    }
    h.open();
    return h;
  }

  private void send(int n) throws Exception {
    for (int i = 0; i < n; i++) {
      int k = sent++;
      harness.processElement(new StreamRecord<>(example(k)));
    }
  }

  private static TrainingExample example(int k) {
    return TrainingExample.newBuilder()
        .setExampleId("e" + k)
        .setUserId(k % 3)
        .setImpressionTime(T0 + k)
        .setTarget(item(100 + k % 7))
        .setHistory(
            BehaviorSequence.newBuilder()
                .setEventTimes(List.of(T0 - 2_000, T0 - 1_000))
                .setItemIds(List.of((long) k % 5, 10L + k % 3))
                .setCategoryL1(List.of(-1, -1))
                .setCategoryL2(List.of(-1, -1))
                .setCategoryL3(List.of(k % 3, 1))
                .setActionTypes(List.of(1, 2))
                .setScenarios(List.of(0, 0))
                .build())
        .setLabel(k % 2)
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
}
