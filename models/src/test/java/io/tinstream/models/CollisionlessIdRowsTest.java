package io.tinstream.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.models.embedding.IdRowPolicy;
import io.tinstream.models.embedding.MappingCounters;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A model whose item table is far smaller than the ids it trains on, mapping ids collisionless with
 * admission and expiry, next to a scorer replica that follows it through the exports the job ships
 * (a full snapshot, then deltas), and a trainer restored from a checkpoint (a full export).
 */
class CollisionlessIdRowsTest {
  private static final int ITEM_ROWS = 16;
  private static final long EXPIRY_MS = 10_000L;
  private static final long HOUR = 3_600_000L;

  private static ModelParams params(int minCount) {
    return TestBatches.tinyParams("tin").toBuilder()
        .rows(ModelParams.Field.ITEM, ITEM_ROWS)
        .idRows(new IdRowPolicy(IdRowPolicy.Mode.COLLISIONLESS, minCount, EXPIRY_MS))
        .build();
  }

  /** One row per id in {@code ids}: the id is the target and the whole one-behavior history. */
  private static Batch batchOf(int... ids) {
    Batch b = Batch.allocate(ids.length, 2, true);
    for (int r = 0; r < ids.length; r++) {
      b.lengths[r] = 1;
      int i = r * 2;
      b.histItem[i] = ids[r];
      b.histItem[i + 1] = -1;
      b.histPosition[i] = 1;
      b.histDeltaSec[i] = 60f;
      b.targetItem[r] = ids[r];
      b.labels[r] = r % 2;
      b.userIds[r] = r;
    }
    return b;
  }

  /** Rows without history: each id is observed once per batch. */
  private static Batch targetsOnly(int... ids) {
    Batch b = batchOf(ids);
    java.util.Arrays.fill(b.lengths, 0);
    return b;
  }

  @Test
  void admittedIdsNeverShareARowAndTheRestUseTheReservedRow() {
    try (TfCtrModel m = (TfCtrModel) ModelRegistry.build(params(2))) {
      Random rnd = new Random(3);
      long now = 0;
      Map<Integer, Integer> seen = new HashMap<>();
      // 200 distinct ids through a table of 15 own rows, 10 s of event time apart per step:
      // ids come and go, rows are freed by expiry and handed to new ids.
      for (int step = 0; step < 120; step++) {
        now += 1_000L;
        m.advanceIdClock(now);
        int[] ids = IntStream.range(0, 4).map(k -> rnd.nextInt(200)).toArray();
        for (int id : ids) {
          seen.merge(id, 1, Integer::sum);
        }
        m.trainStep(batchOf(ids));
        Map<Integer, Integer> holder = new HashMap<>();
        for (int id : seen.keySet()) {
          int row = m.rowOf(ModelParams.Field.ITEM, id);
          if (row != FeatureEncoding.RESERVED_ROW) {
            Integer other = holder.put(row, id);
            assertThat(other).as("row %d held by ids %s and %d", row, other, id).isNull();
          }
        }
        assertThat(holder.size()).isLessThanOrEqualTo(ITEM_ROWS - 1);
      }
      MappingCounters items = m.idRowCounters().get(ModelParams.Field.ITEM);
      assertThat(items.admissions()).isGreaterThan(ITEM_ROWS);
      assertThat(items.evictions()).isGreaterThan(0);
      // Never seen, and unknown: the reserved row. Seen once (below the admission count of 2):
      // the reserved row too.
      assertThat(m.rowOf(ModelParams.Field.ITEM, 10_000)).isZero();
      assertThat(m.rowOf(ModelParams.Field.ITEM, -5)).isZero();
      m.advanceIdClock(now + HOUR); // everything expires
      m.trainStep(targetsOnly(5_000, 5_001));
      assertThat(m.rowOf(ModelParams.Field.ITEM, 5_000)).isZero();
      m.trainStep(targetsOnly(5_000, 5_001));
      assertThat(m.rowOf(ModelParams.Field.ITEM, 5_000)).isNotZero();
    }
  }

  @Test
  void anExpiredIdsRowStartsFromTheInitializerForItsNextId() {
    try (TfCtrModel m = (TfCtrModel) ModelRegistry.build(params(1))) {
      m.advanceIdClock(1_000L);
      for (int i = 0; i < 40; i++) {
        m.trainStep(batchOf(7, 8));
      }
      int row = m.rowOf(ModelParams.Field.ITEM, 7);
      int otherRow = m.rowOf(ModelParams.Field.ITEM, 8);
      float[] accumBefore = m.read("emb_item/adagrad");
      float[] trainedAccum = rowOf(accumBefore, row);
      float init = m.params().optimizer().adagradInitialAccumulator();
      // Forty steps of squared gradients on top of the initial accumulator.
      assertThat(mean(trainedAccum)).isGreaterThan(init * 1.5f);

      m.advanceIdClock(1_000L + HOUR);
      assertThat(m.rowOf(ModelParams.Field.ITEM, 7)).isZero();
      // The freed rows are handed out again last-freed first; the one id of this batch gets one.
      m.trainStep(batchOf(99, 99));
      int reused = m.rowOf(ModelParams.Field.ITEM, 99);
      assertThat(reused).isIn(row, otherRow);
      float[] accum = rowOf(m.read("emb_item/adagrad"), reused);
      trainedAccum = rowOf(accumBefore, reused);
      // One step's squared gradient on a fresh accumulator, not forty steps' on the old one.
      assertThat(mean(accum) - init).isLessThan((mean(trainedAccum) - init) / 5f);
    }
  }

  @Test
  void aReplicaMapsEveryIdToTheTrainersRowAtEachVersionAlsoAfterARestore() {
    try (TfCtrModel trainer = (TfCtrModel) ModelRegistry.build(params(1));
        TfCtrModel replica = (TfCtrModel) ModelRegistry.build(params(1))) {
      Random rnd = new Random(9);
      replica.importVariables(trainer.exportVariables());
      long now = 0;
      long published = trainer.version();
      for (int round = 0; round < 30; round++) {
        for (int s = 0; s < 3; s++) {
          now += 2_000L;
          trainer.advanceIdClock(now);
          trainer.trainStep(batchOf(rnd.nextInt(60), rnd.nextInt(60), rnd.nextInt(60)));
        }
        replica.importVariables(trainer.exportRowsSince(published));
        published = trainer.version();
        assertSameRows(trainer, replica, 60);
        Batch probe = batchOf(IntStream.range(0, 60).toArray());
        assertThat(replica.score(probe)).containsExactly(trainer.score(probe));
      }
      // A restore: a new trainer from the checkpoint (a full export), trained on from there.
      try (TfCtrModel restored = (TfCtrModel) ModelRegistry.build(params(1))) {
        restored.importVariables(trainer.exportVariables());
        assertSameRows(trainer, restored, 60);
        restored.advanceIdClock(now);
        for (int s = 0; s < 6; s++) {
          now += 2_000L;
          restored.advanceIdClock(now);
          restored.trainStep(batchOf(60 + s, rnd.nextInt(60), rnd.nextInt(60)));
        }
        replica.importVariables(restored.exportRowsSince(published));
        assertSameRows(restored, replica, 70);
        Batch probe = batchOf(IntStream.range(0, 70).toArray());
        assertThat(replica.score(probe)).containsExactly(restored.score(probe));
      }
    }
  }

  @Test
  void anExportWhoseIdsWereMappedAnotherWayIsRefused() {
    ModelParams hashed = params(1).toBuilder().idRows(IdRowPolicy.HASHED).build();
    try (CtrModel collisionless = ModelRegistry.build(params(1));
        CtrModel plain = ModelRegistry.build(hashed)) {
      assertThatThrownBy(() -> collisionless.importVariables(plain.exportVariables()))
          .hasMessageContaining("carries no id mapping");
      assertThatThrownBy(() -> plain.importVariables(collisionless.exportVariables()))
          .hasMessageContaining("hashes them");
    }
  }

  private static void assertSameRows(TfCtrModel expected, TfCtrModel actual, int ids) {
    for (int id = 0; id < ids; id++) {
      assertThat(actual.rowOf(ModelParams.Field.ITEM, id))
          .as("row of item %d", id)
          .isEqualTo(expected.rowOf(ModelParams.Field.ITEM, id));
    }
  }

  private static float[] rowOf(float[] table, int row) {
    int d = table.length / ITEM_ROWS;
    float[] out = new float[d];
    System.arraycopy(table, row * d, out, 0, d);
    return out;
  }

  private static float mean(float[] a) {
    float s = 0;
    for (float v : a) {
      s += v;
    }
    return s / a.length;
  }
}
