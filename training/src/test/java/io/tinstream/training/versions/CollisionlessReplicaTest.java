package io.tinstream.training.versions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;
import io.tinstream.models.ModelParams;
import io.tinstream.models.ModelRegistry;
import io.tinstream.models.embedding.IdRowPolicy;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.training.TinyModels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A collisionless trainer whose item table is smaller than the ids it sees (admissions, expiry,
 * rows handed over), published as the job publishes (full snapshots every few versions, deltas
 * between), followed by a scorer's replica, then restored from its checkpoint and followed on.
 */
class CollisionlessReplicaTest {
  private static final int ITEM_ROWS = 24;
  private static final int IDS = 80;

  private static final ModelParams PARAMS =
      TinyModels.params()
          .rows(ModelParams.Field.ITEM, ITEM_ROWS)
          .idRows(new IdRowPolicy(IdRowPolicy.Mode.COLLISIONLESS, 1, 10_000L))
          .build();

  private long now;

  @Test
  void theReplicaMapsEveryIdToTheTrainersRowAtEachVersionAlsoAcrossARestore() {
    try (CtrModel trainer = ModelRegistry.build(PARAMS);
        ModelReplica<CtrModel> scorer =
            new ModelReplica<>(
                TinyModels.VARIANT, () -> ModelRegistry.build(PARAMS), Follows.EVERY_UPDATE)) {
      ModelPublisher publisher = publisher(trainer, 1L);
      for (int step = 0; step < 24; step++) {
        trainAndFollow(trainer, publisher, scorer, step);
      }
      assertThat(trainer.idRowCounters().get(ModelParams.Field.ITEM).evictions())
          .as("rows were freed and handed to other ids")
          .isGreaterThan(0);

      List<ModelUpdate> checkpoint = publisher.checkpoint(now);
      try (CtrModel restored = ModelRegistry.build(PARAMS)) {
        ModelPublisher again = publisher(restored, 2L);
        again.restore(checkpoint);
        again.restoredSnapshots(now).forEach(scorer::apply);
        assertSameRows(restored, scorer.model());
        for (int step = 24; step < 40; step++) {
          trainAndFollow(restored, again, scorer, step);
        }
      }
    }
  }

  private static ModelPublisher publisher(CtrModel model, long epoch) {
    return new ModelPublisher(Map.of(TinyModels.VARIANT, model), 4, 0, epoch);
  }

  private void trainAndFollow(
      CtrModel trainer, ModelPublisher publisher, ModelReplica<CtrModel> scorer, int step) {
    now += 3_000L;
    trainer.advanceIdClock(now);
    // Ten ids a step, moving through the 80: each id comes back after a while, some too late.
    trainer.trainStep(TinyModels.batch(step, (step * 7) % (IDS - 10)));
    for (ModelUpdate u : publisher.afterBatch(true, now)) {
      assertThat(scorer.apply(u)).isEqualTo(UpdateVerdict.APPLY);
    }
    assertThat(scorer.version()).isEqualTo(trainer.version());
    assertSameRows(trainer, scorer.model());
    Batch probe = TinyModels.batch(99, (step * 7) % (IDS - 10));
    assertThat(scorer.model().score(probe)).containsExactly(trainer.score(probe));
  }

  private static void assertSameRows(CtrModel trainer, CtrModel replica) {
    int own = 0;
    for (int id = 0; id < IDS; id++) {
      int row = trainer.rowOf(ModelParams.Field.ITEM, id);
      assertThat(replica.rowOf(ModelParams.Field.ITEM, id)).as("row of item %d", id).isEqualTo(row);
      own += row == 0 ? 0 : 1;
    }
    assertThat(own).isBetween(1, ITEM_ROWS - 1);
  }
}
