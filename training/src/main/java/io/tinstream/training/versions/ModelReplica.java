package io.tinstream.training.versions;

import io.tinstream.models.CtrModel;
import io.tinstream.models.internal.VariableCodec;
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
 * accident. An update that is next but cannot be taken (the model cannot be built, the weights do
 * not import) is refused as {@link UpdateVerdict#INVALID}: the replica keeps the version it held
 * (or none, never a model left half-built), remembers {@link #failure why}, and does not try the
 * same update again, so a bad record costs one failed import, not one per read. Not thread-safe,
 * like the model.
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
  private long refusedInvalid;
  private String failure;

  /**
   * (lineage, kind, checksum, payload size) of the update refused as INVALID last: not tried again
   * (comparing the payload itself would cost its length on every read of a held log).
   */
  private List<Object> failedUpdate;

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

  /** Updates refused because the model could not be built or their weights did not import. */
  public long refusedInvalid() {
    return refusedInvalid;
  }

  /**
   * Why the last update refused as {@link UpdateVerdict#INVALID} was; null if none was. With no
   * model held, why this variant has no model to serve.
   */
  public String failure() {
    return failure;
  }

  /** Applies {@code update} if it is the next step for this replica; says what it did. */
  public UpdateVerdict apply(ModelUpdate update) {
    if (!variant.equals(update.getVariant())) {
      return UpdateVerdict.NOT_FOLLOWED;
    }
    if (identity(update).equals(failedUpdate)) {
      return UpdateVerdict.INVALID;
    }
    UpdateVerdict verdict = UpdateVerdict.of(lineage(), update, follows);
    switch (verdict) {
      case APPLY -> {
        return take(update);
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
      case ALREADY_HELD, NOT_FOLLOWED, INVALID -> {}
    }
    return verdict;
  }

  /** Builds the model if none is held yet and imports {@code update}; INVALID if either fails. */
  private UpdateVerdict take(ModelUpdate update) {
    byte[] payload = ModelUpdates.payload(update);
    try {
      VariableCodec.Header header = VariableCodec.header(payload);
      if (header.version() != update.getVersion() || header.full() != ModelUpdates.isFull(update)) {
        // The replica's version is the payload's: the record's would look newer on every read,
        // and the same import would run again each time.
        throw new IllegalArgumentException(
            "the payload is version "
                + header.version()
                + (header.full() ? " (full)" : " (delta)")
                + ", the record "
                + update.getVersion()
                + " ("
                + update.getKind()
                + ")");
      }
    } catch (IllegalArgumentException e) {
      return refuse(update, "version " + ModelLineage.of(update) + " did not import", e);
    }
    if (model == null) {
      try {
        model = factory.get();
      } catch (RuntimeException e) {
        return refuse(update, "its model could not be built", e);
      }
      try {
        model.importVariables(payload);
      } catch (RuntimeException e) {
        // Never keep a model that holds no snapshot: it would score with initial weights.
        closeModel();
        return refuse(update, "version " + ModelLineage.of(update) + " did not import", e);
      }
    } else {
      try {
        // The import validates the whole export before it writes: a refused one changes nothing.
        model.importVariables(payload);
      } catch (RuntimeException e) {
        return refuse(update, "version " + ModelLineage.of(update) + " did not import", e);
      }
    }
    epoch = update.getRunEpoch();
    return UpdateVerdict.APPLY;
  }

  private UpdateVerdict refuse(ModelUpdate update, String what, RuntimeException e) {
    refusedInvalid++;
    failedUpdate = identity(update);
    failure =
        what
            + ": "
            + e.getClass().getSimpleName()
            + (e.getMessage() == null ? "" : ": " + e.getMessage());
    LOG.warn("{}: {}; keeping {}", variant, failure, lineage());
    return UpdateVerdict.INVALID;
  }

  private static List<Object> identity(ModelUpdate update) {
    return List.of(
        ModelLineage.of(update),
        update.getKind(),
        update.getChecksum(),
        update.getPayload().remaining());
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
      UpdateVerdict verdict = apply(update);
      if (verdict == UpdateVerdict.APPLY) {
        applied.accept(update);
      } else if (verdict == UpdateVerdict.INVALID) {
        // What follows builds on the refused update: every delta would be refused as a gap.
        return;
      }
    }
  }

  private void closeModel() {
    if (model != null) {
      try {
        model.close();
      } catch (RuntimeException e) {
        LOG.warn("{}: closing a model that failed to load: {}", variant, e.toString());
      }
      model = null;
    }
  }

  @Override
  public void close() {
    closeModel();
  }
}
