package io.tinstream.training.versions;

import io.tinstream.models.CtrModel;
import io.tinstream.schemas.ModelUpdate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when the trained models publish and in what form: after a micro-batch that changed a
 * model, at most every {@code publishEveryMs}, each variant whose version moved publishes either a
 * full snapshot (its first, and then every {@code fullEvery} versions) or a delta of the dense
 * weights and the embedding rows touched since its previous update.
 *
 * <p>What it remembers per variant (the last published and the last full version) is deliberately
 * not checkpointed: after a restore every variant publishes {@link #restoredSnapshots its restored
 * version in full} first, so a replica never waits on a base it may not have seen, and every reader
 * of the topic can check what the trainer resumed from against what it published before. What a
 * checkpoint holds is {@link #checkpoint the models themselves}, as full snapshots, which {@link
 * #restore} imports again.
 *
 * <p>Every update carries the run epoch ({@link ModelLineage}): the one given at construction for a
 * fresh run, the checkpoint's once {@link #restore restored}, so a restore continues its run's
 * versions while a fresh run, whose versions restart, is still newer than every previous run.
 */
public final class ModelPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(ModelPublisher.class);

  private final Map<String, CtrModel> models;
  private final Map<String, PublishedVersions> published = new LinkedHashMap<>();
  private final int fullEvery;
  private final long publishEveryMs;
  private long runEpoch;
  private long lastPublishedAt;
  private final List<String> restoredVariants = new ArrayList<>();

  /**
   * Publishes {@code models} (variant → model, in the order updates are emitted) as the run {@code
   * runEpoch}, until a {@link #restore} continues the checkpoint's run instead.
   */
  public ModelPublisher(
      Map<String, ? extends CtrModel> models, int fullEvery, long publishEveryMs, long runEpoch) {
    if (fullEvery <= 0 || publishEveryMs < 0) {
      throw new IllegalArgumentException(
          "full-snapshot period must be > 0 and publish interval >= 0");
    }
    this.models = new LinkedHashMap<>(models);
    this.fullEvery = fullEvery;
    this.publishEveryMs = publishEveryMs;
    this.runEpoch = runEpoch;
    for (String variant : models.keySet()) {
      published.put(variant, new PublishedVersions());
    }
  }

  /** The run epoch every update carries. */
  public long runEpoch() {
    return runEpoch;
  }

  /**
   * The updates to publish after a micro-batch at {@code now}; {@code applied} says whether any
   * model took a step. Versions are published at most every publishEveryMs: every update is
   * shipped, broadcast and kept by the scorers, so publishing per batch would trade training
   * throughput for freshness far below what serving can notice.
   */
  public List<ModelUpdate> afterBatch(boolean applied, long now) {
    List<ModelUpdate> updates = new ArrayList<>();
    if (!applied || now - lastPublishedAt < publishEveryMs) {
      return updates;
    }
    lastPublishedAt = now;
    for (Map.Entry<String, CtrModel> e : models.entrySet()) {
      PublishedVersions last = published.get(e.getKey());
      if (e.getValue().version() > last.version) {
        updates.add(last.next(e.getKey(), runEpoch, e.getValue(), fullEvery, now));
      }
    }
    return updates;
  }

  /** Every model as a full snapshot, for the operator's checkpoint. */
  public List<ModelUpdate> checkpoint(long now) {
    List<ModelUpdate> snapshots = new ArrayList<>();
    for (Map.Entry<String, CtrModel> e : models.entrySet()) {
      snapshots.add(ModelUpdates.full(e.getKey(), runEpoch, e.getValue(), now));
    }
    return snapshots;
  }

  /**
   * Imports a checkpoint's snapshots into the models; a variant no longer configured is skipped.
   * The restored versions are published again in full, so a scorer never misses a base, and in the
   * checkpoint's run epoch (a checkpoint from before epochs existed continues epoch 0).
   */
  public void restore(List<ModelUpdate> snapshots) {
    for (ModelUpdate snapshot : snapshots) {
      runEpoch = snapshot.getRunEpoch();
      String variant = snapshot.getVariant();
      CtrModel model = models.get(variant);
      if (model == null) {
        LOG.warn("checkpoint holds variant {} which is no longer configured", variant);
        continue;
      }
      model.importVariables(ModelUpdates.payload(snapshot));
      published.put(variant, new PublishedVersions());
      restoredVariants.add(variant);
      LOG.info("restored {} at version {} of run {}", variant, model.version(), runEpoch);
    }
  }

  /**
   * Once after a {@link #restore}, before the first batch trains: each restored variant as a full
   * snapshot at the version it was restored to, in the checkpoint's run; later deltas build on it.
   * Empty otherwise (a fresh start has nothing to re-announce).
   */
  public List<ModelUpdate> restoredSnapshots(long now) {
    List<ModelUpdate> snapshots = new ArrayList<>();
    for (String variant : restoredVariants) {
      CtrModel model = models.get(variant);
      ModelUpdate full = ModelUpdates.full(variant, runEpoch, model, now);
      published.get(variant).publishedFull(model.version());
      snapshots.add(full);
    }
    restoredVariants.clear();
    return snapshots;
  }

  /** One variant's lineage as published so far: the base of its next delta and the last full. */
  private static final class PublishedVersions {
    private long version = -1;
    private long fullVersion = -1;

    void publishedFull(long v) {
      version = v;
      fullVersion = v;
    }

    ModelUpdate next(String variant, long runEpoch, CtrModel model, int fullEvery, long now) {
      boolean full = version < 0 || model.version() - fullVersion >= fullEvery;
      ModelUpdate update =
          full
              ? ModelUpdates.full(variant, runEpoch, model, now)
              : ModelUpdates.delta(variant, runEpoch, model, version, now);
      version = model.version();
      if (full) {
        fullVersion = version;
      }
      return update;
    }
  }
}
