package io.tinstream.training.versions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.CtrModel;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.training.TinyModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A replica follows the trainer's published versions in order, and refuses gaps. */
class ModelReplicaTest {

  private final CtrModel trainer = TinyModels.build();
  private final ModelPublisher publisher =
      new ModelPublisher(Map.of(TinyModels.VARIANT, trainer), 4, 0);
  private final ModelReplica<CtrModel> replica =
      new ModelReplica<>(TinyModels.VARIANT, TinyModels::build, Follows.EVERY_UPDATE);
  private int steps;

  @AfterEach
  void close() {
    replica.close();
    trainer.close();
  }

  @Test
  void itHoldsNothingBeforeTheFirstFullSnapshot() {
    assertThat(replica.version()).isEqualTo(-1);
    assertThat(replica.hasModel()).isFalse();
    assertThat(replica.model()).isNull();
  }

  @Test
  void fullSnapshotsAndDeltasInOrderGiveTheTrainersExactWeights() {
    for (int i = 0; i < 6; i++) { // full, 3 deltas, full, delta
      assertThat(replica.apply(stepAndPublish())).isEqualTo(UpdateVerdict.APPLY);
      assertThat(replica.version()).isEqualTo(trainer.version());
      assertThat(replica.model().score(TinyModels.probe()))
          .isEqualTo(trainer.score(TinyModels.probe()));
    }
    assertThat(replica.refusedGaps()).isZero();
  }

  @Test
  void aDeltaOnAnotherBaseIsRefusedAndTheReplicaWaitsForTheNextFull() {
    replica.apply(stepAndPublish()); // v1 full
    replica.apply(stepAndPublish()); // v2 delta
    float[] atV2 = trainer.score(TinyModels.probe());
    stepAndPublish(); // v3 delta, lost
    ModelUpdate v4 = stepAndPublish();

    assertThat(replica.apply(v4)).isEqualTo(UpdateVerdict.GAP);
    assertThat(replica.version()).isEqualTo(2);
    assertThat(replica.refusedGaps()).isEqualTo(1);
    assertThat(replica.model().score(TinyModels.probe())).isEqualTo(atV2);

    ModelUpdate v5 = stepAndPublish();
    assertThat(v5.getBaseVersion()).as("the next full snapshot").isEqualTo(-1);
    assertThat(replica.apply(v5)).isEqualTo(UpdateVerdict.APPLY);
    assertThat(replica.version()).isEqualTo(5);
    assertThat(replica.model().score(TinyModels.probe()))
        .isEqualTo(trainer.score(TinyModels.probe()));
  }

  @Test
  void aDeltaBeforeAnyFullSnapshotIsAGapAndBuildsNoModel() {
    stepAndPublish(); // v1 full, lost
    assertThat(replica.apply(stepAndPublish())).isEqualTo(UpdateVerdict.GAP);
    assertThat(replica.hasModel()).isFalse();
    assertThat(replica.version()).isEqualTo(-1);
  }

  @Test
  void replaysAndOlderVersionsChangeNothing() {
    ModelUpdate v1 = stepAndPublish();
    ModelUpdate v2 = stepAndPublish();
    replica.apply(v1);
    replica.apply(v2);

    assertThat(replica.apply(v2)).isEqualTo(UpdateVerdict.ALREADY_HELD);
    assertThat(replica.apply(v1)).isEqualTo(UpdateVerdict.ALREADY_HELD);
    assertThat(replica.version()).isEqualTo(2);
    assertThat(replica.refusedGaps()).isZero();
  }

  @Test
  void aFullSnapshotsReplicaMovesOnlyWithFullSnapshots() {
    try (ModelReplica<CtrModel> fullOnly =
        new ModelReplica<>(TinyModels.VARIANT, TinyModels::build, Follows.FULL_SNAPSHOTS)) {
      List<UpdateVerdict> verdicts = new ArrayList<>();
      for (int i = 0; i < 5; i++) { // full, 3 deltas, full
        verdicts.add(fullOnly.apply(stepAndPublish()));
      }
      assertThat(verdicts)
          .containsExactly(
              UpdateVerdict.APPLY,
              UpdateVerdict.NOT_FOLLOWED,
              UpdateVerdict.NOT_FOLLOWED,
              UpdateVerdict.NOT_FOLLOWED,
              UpdateVerdict.APPLY);
      assertThat(fullOnly.version()).isEqualTo(5);
      assertThat(fullOnly.refusedGaps()).isZero();
    }
  }

  @Test
  void anotherVariantsUpdatesAreNotFollowed() {
    ModelUpdate other = ModelUpdate.newBuilder(stepAndPublish()).setVariant("din").build();
    assertThat(replica.apply(other)).isEqualTo(UpdateVerdict.NOT_FOLLOWED);
    assertThat(replica.hasModel()).isFalse();
  }

  private ModelUpdate stepAndPublish() {
    trainer.trainStep(TinyModels.batch(++steps, 10 * steps));
    return publisher.afterBatch(true, steps).get(0);
  }
}
