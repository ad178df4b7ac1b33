package io.tinstream.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.UpdateKind;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.training.features.BatchBuilder;
import io.tinstream.training.features.BatchTarget;
import io.tinstream.training.features.RowHistory;
import io.tinstream.training.versions.Follows;
import io.tinstream.training.versions.ModelLineage;
import io.tinstream.training.versions.ModelReplica;
import io.tinstream.training.versions.UpdateVerdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * One variant's updates on the model-updates topic across a restart, read read_committed (what a
 * trainer published after its last completed checkpoint was aborted): versions up to the
 * checkpointed one, that version again in full (announced by the restored trainer), then on. The
 * one version read twice is the restored one.
 */
final class ModelUpdatesAcrossRestart {

  private final String variant;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<ModelUpdate> all = new ArrayList<>();
  private final TreeMap<Long, List<ModelUpdate>> byVersion = new TreeMap<>();
  private long restoredVersion = -1;

  ModelUpdatesAcrossRestart(String variant, KafkaConsumer<byte[], byte[]> consumer) {
    this.variant = variant;
    this.consumer = consumer;
  }

  boolean anyRead() {
    return !all.isEmpty();
  }

  long restoredVersion() {
    return restoredVersion;
  }

  /** Reads until the restored version and at least {@code after} versions past it are in. */
  void pollUntilRestoredAndFollowedBy(int after, Duration timeout) throws Exception {
    pollUntil(
        () -> restoredVersion >= 0 && byVersion.tailMap(restoredVersion, false).size() >= after,
        timeout);
  }

  void pollUntil(java.util.function.BooleanSupplier done, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean() && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
        ModelUpdate u = AvroCodec.modelUpdates().decode(r.value());
        if (!variant.equals(u.getVariant().toString())) {
          continue;
        }
        all.add(u);
        List<ModelUpdate> same = byVersion.computeIfAbsent(u.getVersion(), v -> new ArrayList<>());
        same.add(u);
        if (same.size() == 2 && restoredVersion < 0) {
          restoredVersion = u.getVersion();
        }
      }
    }
  }

  /**
   * The restored version was announced in full, with the weights a replica of the pre-restart
   * updates holds at that version (same scores on a fixed batch); the versions after it go on in
   * the same run epoch and apply one after the other.
   */
  void assertResumedFromTheCheckpointedWeights(ModelSpecs specs, List<BehaviorEvent> events)
      throws Exception {
    String seen =
        all.stream()
            .map(u -> u.getKind() + ":" + u.getVersion() + "/" + u.getBaseVersion())
            .toList()
            .toString();
    assertThat(restoredVersion)
        .as("a version published before the crash and announced again after it: %s", seen)
        .isPositive();
    List<ModelUpdate> twice = new ArrayList<>(byVersion.get(restoredVersion));
    twice.sort(Comparator.comparingLong(ModelUpdate::getCreatedAt));
    ModelUpdate restored = twice.get(1);
    assertThat(restored.getKind()).as("announced in full: %s", seen).isEqualTo(UpdateKind.FULL);
    List<ModelUpdate> before = new ArrayList<>();
    List<ModelUpdate> after = new ArrayList<>();
    byVersion.forEach(
        (v, us) -> {
          if (v < restoredVersion) {
            before.addAll(us);
          } else if (v == restoredVersion) {
            before.add(twice.get(0));
          } else {
            after.addAll(us);
          }
        });
    assertThat(after)
        .as("versions go on after the restore, in the same run: %s", seen)
        .hasSizeGreaterThanOrEqualTo(2)
        .extracting(ModelUpdate::getRunEpoch)
        .containsOnly(restored.getRunEpoch());
    Batch probe = probeBatch(specs, events);
    try (ModelReplica<CtrModel> preCrash =
            new ModelReplica<>(variant, () -> specs.build(variant), Follows.EVERY_UPDATE);
        ModelReplica<CtrModel> resumed =
            new ModelReplica<>(variant, () -> specs.build(variant), Follows.EVERY_UPDATE)) {
      for (ModelUpdate u : before) {
        assertThat(preCrash.apply(u))
            .as("version %d before the crash: %s", u.getVersion(), seen)
            .isEqualTo(UpdateVerdict.APPLY);
      }
      assertThat(preCrash.lineage()).isEqualTo(ModelLineage.of(restored));
      assertThat(resumed.apply(restored)).isEqualTo(UpdateVerdict.APPLY);
      assertThat(resumed.model().score(probe))
          .as("scores of the restored weights on a fixed batch")
          .isEqualTo(preCrash.model().score(probe));
      for (ModelUpdate u : after) {
        assertThat(resumed.apply(u))
            .as("version %d after the restore: %s", u.getVersion(), seen)
            .isEqualTo(UpdateVerdict.APPLY);
      }
    }
  }

  /** A fixed batch: the first behaviors of a few users, each with a candidate from the feed. */
  private Batch probeBatch(ModelSpecs specs, List<BehaviorEvent> events) {
    int length = specs.histories().forVariant(variant).length();
    List<Long> users = events.stream().map(BehaviorEvent::getUserId).distinct().limit(4).toList();
    BatchBuilder b = new BatchBuilder(users.size(), length);
    for (long user : users) {
      List<BehaviorEvent> own =
          events.stream()
              .filter(e -> e.getUserId() == user)
              .limit(Math.min(length, 16) + 1)
              .toList();
      List<BehaviorEvent> past = own.subList(0, own.size() - 1);
      BehaviorEvent target = own.get(own.size() - 1);
      b.add(
          RowHistory.of(sequence(past)),
          BatchTarget.of(
              target.getItem(), target.getScenario(), target.getEventTime().toEpochMilli()),
          0f,
          (int) user);
    }
    return b.build();
  }

  private static BehaviorSequence sequence(List<BehaviorEvent> events) {
    return BehaviorSequence.newBuilder()
        .setEventTimes(events.stream().map(e -> e.getEventTime().toEpochMilli()).toList())
        .setItemIds(events.stream().map(e -> e.getItem().getItemId()).toList())
        .setCategoryL1(events.stream().map(e -> orUnknown(e.getItem().getCategoryL1())).toList())
        .setCategoryL2(events.stream().map(e -> orUnknown(e.getItem().getCategoryL2())).toList())
        .setCategoryL3(events.stream().map(e -> orUnknown(e.getItem().getCategoryL3())).toList())
        .setActionTypes(events.stream().map(e -> e.getActionType().ordinal()).toList())
        .setScenarios(events.stream().map(BehaviorEvent::getScenario).toList())
        .build();
  }

  private static int orUnknown(Integer v) {
    return v == null ? -1 : v;
  }
}
