package io.tinstream.training.versions;

import io.tinstream.models.CtrModel;
import io.tinstream.schemas.ModelUpdate;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A serving copy of one variant's model that moves only through published updates, in order: a full
 * snapshot replaces the weights, a delta applies only on the version it was cut from (see {@link
 * UpdateVerdict}), and never one of an older run than the one held (versions compare as {@link
 * ModelLineage run epoch, then version}). A gap is refused and counted, and the replica keeps its
 * version until the next full snapshot, so it never serves a mix of two versions.
 *
 * <p>The model is built on the first applied full snapshot, so a replica that has seen none holds
 * no weights at all and reports version -1: a caller cannot score with an untrained model by
 * accident. Not thread-safe, like the model.
 */
public final class ModelReplica<M extends CtrModel> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelReplica.class);

  private final String variant;
  private final Supplier<M> factory;
  private final Follows follows;
  private M model;
  private long epoch = ModelLineage.NONE.epoch();
  private long refusedGaps;
  private long refusedOlderRuns;

  public ModelReplica(String variant, Supplier<M> factory, Follows follows) {
    this.variant = variant;
    this.factory = factory;
    this.follows = follows;
  }

  public String variant() {
    return variant;
  }

  /** The version held, or -1 before the first full snapshot. */
  public long version() {
    return model == null ? -1 : model.version();
  }

  /** The run epoch and version held, or {@link ModelLineage#NONE} before the first snapshot. */
  public ModelLineage lineage() {
    return model == null ? ModelLineage.NONE : new ModelLineage(epoch, model.version());
  }

  /** The run epoch of the version held; {@link ModelLineage#NONE}'s before the first snapshot. */
  public long epoch() {
    return lineage().epoch();
  }

  public boolean hasModel() {
    return model != null;
  }

  /** The model at {@link #version()}; null before the first full snapshot. */
  public M model() {
    return model;
  }

  /** Deltas refused because their base was not the version held. */
  public long refusedGaps() {
    return refusedGaps;
  }

  /** Updates refused because they belong to an older run than the one held. */
  public long refusedOlderRuns() {
    return refusedOlderRuns;
  }

  /** Applies {@code update} if it is the next step for this replica; says what it did. */
  public UpdateVerdict apply(ModelUpdate update) {
    if (!variant.equals(update.getVariant())) {
      return UpdateVerdict.NOT_FOLLOWED;
    }
    UpdateVerdict verdict = UpdateVerdict.of(lineage(), update, follows);
    switch (verdict) {
      case APPLY -> {
        if (model == null) {
          model = factory.get();
        }
        model.importVariables(ModelUpdates.payload(update));
        epoch = update.getRunEpoch();
      }
      case GAP -> {
        refusedGaps++;
        LOG.warn(
            "{}: refused delta {} on base {}, replica is at {}; waiting for the next full snapshot",
            variant,
            update.getVersion(),
            update.getBaseVersion(),
            version());
      }
      case OLDER_RUN -> {
        refusedOlderRuns++;
        LOG.warn(
            "{}: refused version {} of run {}, replica follows the newer run at {}",
            variant,
            update.getVersion(),
            update.getRunEpoch(),
            lineage());
      }
      case ALREADY_HELD, NOT_FOLLOWED -> {}
    }
    return verdict;
  }

  /**
   * Applies an {@link UpdatesSinceFull} log oldest first (null = none yet), unless the replica is
   * already at its newest version; {@code applied} sees each update that moved the replica.
   */
  public void catchUp(List<ModelUpdate> log, Consumer<ModelUpdate> applied) {
    if (log == null || lineage().equals(UpdatesSinceFull.newest(log))) {
      return;
    }
    for (ModelUpdate update : log) {
      if (apply(update) == UpdateVerdict.APPLY) {
        applied.accept(update);
      }
    }
  }

  @Override
  public void close() {
    if (model != null) {
      model.close();
      model = null;
    }
  }
}
