package io.tinstream.training.versions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.CtrModel;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.training.TinyModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The log a late replica rebuilds the newest version from. */
class UpdatesSinceFullTest {

  @Test
  void itHoldsTheLatestFullSnapshotAndAnUnbrokenChainOfDeltasAfterIt() {
    try (CtrModel trainer = TinyModels.build()) {
      ModelPublisher publisher = new ModelPublisher(Map.of(TinyModels.VARIANT, trainer), 3, 0, 1L);
      List<ModelUpdate> published = new ArrayList<>();
      for (int i = 1; i <= 6; i++) { // v1 full, v2, v3 deltas, v4 full, v5, v6 deltas
        trainer.trainStep(TinyModels.batch(i, 0));
        published.add(publisher.afterBatch(true, i).get(0));
      }
      ModelUpdate v1 = published.get(0);
      ModelUpdate v2 = published.get(1);
      ModelUpdate v3 = published.get(2);
      ModelUpdate v4 = published.get(3);
      ModelUpdate v6 = published.get(5);

      UpdatesSinceFull.Appended none = UpdatesSinceFull.after(null, v2);
      assertThat(none.verdict()).as("a delta without its full").isEqualTo(UpdateVerdict.GAP);
      assertThat(none.changed()).isFalse();
      assertThat(none.log()).isEmpty();

      List<ModelUpdate> log = UpdatesSinceFull.after(null, v1).log();
      log = UpdatesSinceFull.after(log, v2).log();
      assertThat(log).containsExactly(v1, v2);
      assertThat(UpdatesSinceFull.newestVersion(log)).isEqualTo(2);

      assertThat(UpdatesSinceFull.after(log, v2).verdict()).isEqualTo(UpdateVerdict.ALREADY_HELD);
      UpdatesSinceFull.Appended gap =
          UpdatesSinceFull.after(log, ModelUpdate.newBuilder(v3).setBaseVersion(1).build());
      assertThat(gap.verdict()).isEqualTo(UpdateVerdict.GAP);
      assertThat(gap.log()).containsExactly(v1, v2);

      log = UpdatesSinceFull.after(log, v3).log();
      log = UpdatesSinceFull.after(log, v4).log();
      assertThat(log).as("a newer full snapshot starts over").containsExactly(v4);
      assertThat(UpdatesSinceFull.after(log, v1).changed()).as("an older full").isFalse();
      assertThat(UpdatesSinceFull.after(log, v6).verdict())
          .as("v5 is missing")
          .isEqualTo(UpdateVerdict.GAP);
    }
  }

  @Test
  void aLateReplicaCatchesUpFromTheLogToTheTrainersWeights() {
    try (CtrModel trainer = TinyModels.build();
        ModelReplica<CtrModel> late =
            new ModelReplica<>(TinyModels.VARIANT, TinyModels::build, Follows.EVERY_UPDATE)) {
      ModelPublisher publisher = new ModelPublisher(Map.of(TinyModels.VARIANT, trainer), 3, 0, 1L);
      List<ModelUpdate> log = null;
      for (int i = 1; i <= 5; i++) {
        trainer.trainStep(TinyModels.batch(i, 10 * i));
        log = UpdatesSinceFull.after(log, publisher.afterBatch(true, i).get(0)).log();
      }
      List<ModelUpdate> applied = new ArrayList<>();

      late.catchUp(log, applied::add);

      assertThat(applied).extracting(ModelUpdate::getVersion).containsExactly(4L, 5L);
      assertThat(late.version()).isEqualTo(5);
      assertThat(late.model().score(TinyModels.probe()))
          .isEqualTo(trainer.score(TinyModels.probe()));
      applied.clear();
      late.catchUp(log, applied::add);
      assertThat(applied).as("already at the newest version").isEmpty();
    }
  }

  @Test
  void aNewerRunStartsANewLogAndAnOlderRunNeverReplacesIt() {
    try (CtrModel previous = TinyModels.build();
        CtrModel fresh = TinyModels.build()) {
      ModelPublisher old = new ModelPublisher(Map.of(TinyModels.VARIANT, previous), 3, 0, 1L);
      ModelPublisher now = new ModelPublisher(Map.of(TinyModels.VARIANT, fresh), 3, 0, 2L);
      List<ModelUpdate> oldRun = new ArrayList<>();
      for (int i = 1; i <= 5; i++) { // 1/1 full, 1/2, 1/3 deltas, 1/4 full, 1/5 delta
        previous.trainStep(TinyModels.batch(i, 0));
        oldRun.add(old.afterBatch(true, i).get(0));
      }
      fresh.trainStep(TinyModels.batch(9, 0));
      ModelUpdate freshV1 = now.afterBatch(true, 1).get(0);

      List<ModelUpdate> log = UpdatesSinceFull.after(null, oldRun.get(3)).log();
      log = UpdatesSinceFull.after(log, freshV1).log();
      assertThat(log).containsExactly(freshV1);
      assertThat(UpdatesSinceFull.newest(log)).isEqualTo(new ModelLineage(2L, 1));
      for (ModelUpdate late : oldRun) {
        UpdatesSinceFull.Appended a = UpdatesSinceFull.after(log, late);
        assertThat(a.verdict()).isEqualTo(UpdateVerdict.OLDER_RUN);
        assertThat(a.log()).containsExactly(freshV1);
      }
    }
  }
}
