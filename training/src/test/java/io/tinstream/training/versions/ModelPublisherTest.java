package io.tinstream.training.versions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.CtrModel;
import io.tinstream.models.internal.VariableCodec;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.UpdateKind;
import io.tinstream.training.TinyModels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When the trainer publishes, full or delta, and how a checkpoint brings a publisher back. */
class ModelPublisherTest {

  private final CtrModel model = TinyModels.build();
  private int steps;

  @AfterEach
  void close() {
    model.close();
  }

  @Test
  void theFirstUpdateIsFullThenDeltasOnThePreviousVersionAndAFullEveryN() {
    ModelPublisher publisher = new ModelPublisher(Map.of(TinyModels.VARIANT, model), 3, 0, 1L);

    ModelUpdate v1 = stepAndPublish(publisher, 1_000);
    ModelUpdate v2 = stepAndPublish(publisher, 2_000);
    ModelUpdate v3 = stepAndPublish(publisher, 3_000);
    ModelUpdate v4 = stepAndPublish(publisher, 4_000);
    ModelUpdate v5 = stepAndPublish(publisher, 5_000);

    assertThat(List.of(v1, v2, v3, v4, v5))
        .extracting(ModelUpdate::getVersion)
        .containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(List.of(v1, v2, v3, v4, v5))
        .extracting(ModelUpdate::getKind)
        .containsExactly(
            UpdateKind.FULL, UpdateKind.DELTA, UpdateKind.DELTA, UpdateKind.FULL, UpdateKind.DELTA);
    assertThat(List.of(v1, v2, v3, v4, v5))
        .extracting(ModelUpdate::getBaseVersion)
        .containsExactly(-1L, 1L, 2L, -1L, 4L);
    assertThat(v2.getVariant()).isEqualTo(TinyModels.VARIANT);
    assertThat(v2.getCreatedAt()).isEqualTo(2_000);
    assertThat(v2.getFormatVersion()).isEqualTo(VariableCodec.FORMAT_VERSION);
  }

  @Test
  void aDeltaCarriesOnlyTheRowsTouchedSinceThePreviousUpdate() {
    ModelPublisher publisher = new ModelPublisher(Map.of(TinyModels.VARIANT, model), 10, 0, 1L);
    model.trainStep(TinyModels.batch(1, 0));
    ModelUpdate full = publisher.afterBatch(true, 1).get(0);
    model.trainStep(TinyModels.batch(2, 100)); // items 100..109 only
    ModelUpdate delta = publisher.afterBatch(true, 2).get(0);

    VariableCodec.Snapshot all = VariableCodec.decode(ModelUpdates.payload(full));
    VariableCodec.Snapshot since = VariableCodec.decode(ModelUpdates.payload(delta));
    assertThat(since.full()).isFalse();
    assertThat(since.baseVersion()).isEqualTo(full.getVersion());
    assertThat(since.dense().keySet()).isEqualTo(all.dense().keySet());
    VariableCodec.Rows items = since.tables().get("emb_item");
    int allItems = all.tables().get("emb_item").values().length / items.dim();
    assertThat(items.rows()).isNotEmpty().hasSizeLessThanOrEqualTo(11); // ten items and padding
    assertThat(allItems).isGreaterThan(100);
  }

  @Test
  void itPublishesAtMostEveryIntervalOnlyAfterAnAppliedStepAndOnlyNewVersions() {
    ModelPublisher publisher = new ModelPublisher(Map.of(TinyModels.VARIANT, model), 10, 1_000, 1L);
    model.trainStep(TinyModels.batch(1, 0));

    assertThat(publisher.afterBatch(false, 5_000)).as("no step applied").isEmpty();
    assertThat(publisher.afterBatch(true, 5_000)).hasSize(1);
    model.trainStep(TinyModels.batch(2, 0));
    assertThat(publisher.afterBatch(true, 5_500)).as("inside the interval").isEmpty();
    model.trainStep(TinyModels.batch(3, 0));
    List<ModelUpdate> later = publisher.afterBatch(true, 6_000);
    assertThat(later).hasSize(1);
    assertThat(later.get(0).getVersion()).isEqualTo(3);
    assertThat(later.get(0).getBaseVersion())
        .as("the delta is on the last published version, not the last trained one")
        .isEqualTo(1);
    assertThat(publisher.afterBatch(true, 9_000)).as("version unchanged").isEmpty();
  }

  @Test
  void aCheckpointRestoresTheWeightsAndTheFirstUpdateAfterItIsFull() {
    ModelPublisher publisher = new ModelPublisher(Map.of(TinyModels.VARIANT, model), 10, 0, 1L);
    for (int i = 0; i < 3; i++) {
      stepAndPublish(publisher, i);
    }
    List<ModelUpdate> checkpoint = publisher.checkpoint(10);
    assertThat(checkpoint).hasSize(1);
    assertThat(checkpoint.get(0).getKind()).isEqualTo(UpdateKind.FULL);
    assertThat(checkpoint.get(0).getVersion()).isEqualTo(3);

    try (CtrModel restored = TinyModels.build()) {
      // Constructed as a fresh run would be: the restore must continue the checkpoint's run.
      ModelPublisher again = new ModelPublisher(Map.of(TinyModels.VARIANT, restored), 10, 0, 2L);
      ModelUpdate other = ModelUpdate.newBuilder(checkpoint.get(0)).setVariant("gone").build();
      again.restore(List.of(checkpoint.get(0), other));

      assertThat(restored.version()).isEqualTo(3);
      assertThat(restored.score(TinyModels.probe())).isEqualTo(model.score(TinyModels.probe()));
      List<ModelUpdate> announced = again.restoredSnapshots(15);
      assertThat(announced).hasSize(1);
      assertThat(announced.get(0).getKind())
          .as("a replica may have missed what came before the restore")
          .isEqualTo(UpdateKind.FULL);
      assertThat(announced.get(0).getVersion()).as("the restored version itself").isEqualTo(3);
      assertThat(ModelUpdates.payload(announced.get(0)))
          .isEqualTo(ModelUpdates.payload(checkpoint.get(0)));
      assertThat(again.restoredSnapshots(16)).as("once").isEmpty();
      restored.trainStep(TinyModels.batch(4, 0));
      ModelUpdate first = again.afterBatch(true, 20).get(0);
      assertThat(first.getVersion()).isEqualTo(4);
      assertThat(first.getRunEpoch()).as("the restored run continues").isEqualTo(1L);
      assertThat(again.runEpoch()).isEqualTo(1L);
      assertThat(first.getKind()).as("on the announced full snapshot").isEqualTo(UpdateKind.DELTA);
      assertThat(first.getBaseVersion()).isEqualTo(3);
    }
  }

  @Test
  void aFreshRunPublishesItsOwnEpochFromVersionOne() {
    ModelPublisher publisher = new ModelPublisher(Map.of(TinyModels.VARIANT, model), 10, 0, 7L);
    ModelUpdate first = stepAndPublish(publisher, 1);
    assertThat(first.getRunEpoch()).isEqualTo(7L);
    assertThat(first.getVersion()).isEqualTo(1);
    assertThat(publisher.checkpoint(2).get(0).getRunEpoch())
        .as("the checkpoint keeps the run, so a restore continues it")
        .isEqualTo(7L);
  }

  private ModelUpdate stepAndPublish(ModelPublisher publisher, long now) {
    model.trainStep(TinyModels.batch(++steps, 0));
    List<ModelUpdate> updates = publisher.afterBatch(true, now);
    assertThat(updates).hasSize(1);
    return updates.get(0);
  }
}
