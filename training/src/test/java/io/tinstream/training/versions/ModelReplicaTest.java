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
      new ModelPublisher(Map.of(TinyModels.VARIANT, trainer), 4, 0, 1L);
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

  @Test
  void twoRunsInterleavedTheReplicaFollowsTheNewerRunWhateverItsVersionNumbers() {
    // The previous run (epoch 1) got far: versions 1..6.
    List<ModelUpdate> previous = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      previous.add(stepAndPublish());
    }
    float[] previousScores = trainer.score(TinyModels.probe());
    // A fresh run (epoch 2) starts over at version 1 with other weights.
    try (CtrModel fresh = TinyModels.build()) {
      ModelPublisher freshPublisher =
          new ModelPublisher(Map.of(TinyModels.VARIANT, fresh), 4, 0, 2L);
      fresh.trainStep(TinyModels.batch(100, 7));
      ModelUpdate freshV1 = freshPublisher.afterBatch(true, 1).get(0);
      fresh.trainStep(TinyModels.batch(101, 9));
      ModelUpdate freshV2 = freshPublisher.afterBatch(true, 2).get(0);
      assertThat(freshV1.getVersion()).isLessThan(previous.get(4).getVersion());

      assertThat(replica.apply(previous.get(4))).isEqualTo(UpdateVerdict.APPLY); // 1/5 full
      assertThat(replica.apply(freshV1))
          .as("a newer run's full snapshot, though version 1 < 5")
          .isEqualTo(UpdateVerdict.APPLY);
      assertThat(replica.lineage()).isEqualTo(new ModelLineage(2L, 1));
      assertThat(replica.apply(previous.get(5)))
          .as("the previous run's delta 6 on 5, arriving late")
          .isEqualTo(UpdateVerdict.OLDER_RUN);
      assertThat(replica.apply(previous.get(4)))
          .as("the previous run's full snapshot 5, replayed")
          .isEqualTo(UpdateVerdict.OLDER_RUN);
      assertThat(replica.apply(freshV2)).isEqualTo(UpdateVerdict.APPLY); // 2/2 delta on 2/1
      assertThat(replica.lineage()).isEqualTo(new ModelLineage(2L, 2));
      assertThat(replica.refusedOlderRuns()).isEqualTo(2);
      assertThat(replica.model().score(TinyModels.probe()))
          .isEqualTo(fresh.score(TinyModels.probe()))
          .isNotEqualTo(previousScores);
    }
  }

  @Test
  void aDeltaOfAnotherRunOnTheSameVersionNumberIsAGap() {
    replica.apply(stepAndPublish()); // 1/1 full
    ModelUpdate otherRunDelta =
        ModelUpdate.newBuilder(stepAndPublish()).setRunEpoch(2L).build(); // "2/2 on 2/1"
    assertThat(otherRunDelta.getBaseVersion()).isEqualTo(1);
    assertThat(replica.apply(otherRunDelta)).isEqualTo(UpdateVerdict.GAP);
    assertThat(replica.lineage()).isEqualTo(new ModelLineage(1L, 1));
  }

  @Test
  void anUpdateThatDoesNotImportIsRefusedOnceAndThePreviousVersionKeepsServing() {
    replica.apply(stepAndPublish()); // v1 full
    float[] atV1 = replica.model().score(TinyModels.probe());
    ModelUpdate v2 = stepAndPublish(); // a delta
    byte[] truncated = ModelUpdates.payload(v2);
    ModelUpdate bad =
        ModelUpdate.newBuilder(v2)
            .setPayload(java.nio.ByteBuffer.wrap(java.util.Arrays.copyOf(truncated, 40)))
            .build();

    assertThat(replica.apply(bad)).isEqualTo(UpdateVerdict.INVALID);
    assertThat(replica.apply(bad)).as("not tried again").isEqualTo(UpdateVerdict.INVALID);
    assertThat(replica.refusedInvalid()).isEqualTo(1);
    assertThat(replica.failure()).contains("did not import").contains("truncated or corrupt");
    assertThat(replica.version()).isEqualTo(1);
    assertThat(replica.model().score(TinyModels.probe())).isEqualTo(atV1);
    assertThat(replica.apply(v2))
        .as("the intact record still applies")
        .isEqualTo(UpdateVerdict.APPLY);
  }

  @Test
  void aRecordWhosePayloadIsAnotherVersionIsRefusedNotImportedOnEveryRead() {
    ModelUpdate v1 = stepAndPublish();
    replica.apply(v1);
    // Held as the newest (a checkpoint from before the topic's check), it would look newer than
    // the payload's version 1 the replica reports on every read.
    ModelUpdate relabelled = ModelUpdate.newBuilder(v1).setVersion(9).build();
    assertThat(replica.apply(relabelled)).isEqualTo(UpdateVerdict.INVALID);
    assertThat(replica.apply(relabelled)).isEqualTo(UpdateVerdict.INVALID);
    assertThat(replica.refusedInvalid()).isEqualTo(1);
    assertThat(replica.failure()).contains("the payload is version 1 (full), the record 9 (FULL)");
    assertThat(replica.version()).isEqualTo(1);
  }

  @Test
  void aFirstSnapshotOfOtherParamsLeavesNoModelAndSaysWhy() {
    try (CtrModel wider =
        io.tinstream.models.ModelRegistry.build(TinyModels.params().dim(8).build())) {
      ModelUpdate otherShape = ModelUpdates.full(TinyModels.VARIANT, 1L, wider, 1);
      assertThat(replica.apply(otherShape)).isEqualTo(UpdateVerdict.INVALID);
    }
    assertThat(replica.hasModel()).as("no model with initial weights left behind").isFalse();
    assertThat(replica.version()).isEqualTo(-1);
    assertThat(replica.failure()).contains("of another shape");
  }

  @Test
  void aModelThatCannotBeBuiltIsAFailureNotAnException() {
    int[] builds = {0};
    try (ModelReplica<CtrModel> broken =
        new ModelReplica<>(
            TinyModels.VARIANT,
            () -> {
              builds[0]++;
              throw new IllegalArgumentException("rows.item must be > 0");
            },
            Follows.EVERY_UPDATE)) {
      ModelUpdate v1 = stepAndPublish();
      assertThat(broken.apply(v1)).isEqualTo(UpdateVerdict.INVALID);
      broken.catchUp(List.of(v1, stepAndPublish()), u -> {});
      assertThat(builds[0]).as("one build attempt per update").isEqualTo(1);
      assertThat(broken.hasModel()).isFalse();
      assertThat(broken.failure())
          .isEqualTo(
              "its model could not be built: IllegalArgumentException: rows.item must be > 0");
    }
  }

  private ModelUpdate stepAndPublish() {
    trainer.trainStep(TinyModels.batch(++steps, 10 * steps));
    return publisher.afterBatch(true, steps).get(0);
  }
}
