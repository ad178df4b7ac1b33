package io.tinstream.training.lrea;

import io.tinstream.models.Batch;
import io.tinstream.models.LreaModel;
import io.tinstream.state.LreaEntry;
import io.tinstream.state.LreaRebuilder;
import io.tinstream.state.TrajectoryView;
import io.tinstream.training.features.BatchBuilder;
import io.tinstream.training.features.BatchTarget;
import io.tinstream.training.features.RowHistory;
import java.util.function.LongSupplier;

/**
 * The model side of {@link LreaRebuilder}: builds a user's {@link LreaEntry} with an {@link
 * LreaModel} from the latest {@code L} behaviors of the trajectory, and scores candidates from an
 * entry alone. This is what the stream holds per operator instance (one model, not thread-safe).
 *
 * <p>Raw long ids of the trajectory become the model's int raw ids exactly as the stream's training
 * batches map them ({@link BatchBuilder#rawId}): an entry built here and a model trained on
 * examples must look up the same rows.
 */
public final class LreaEntryBuilder implements LreaRebuilder {
  private final LreaModel model;
  private final LongSupplier epoch;

  /** For a model outside any published lineage (offline use, tests): run epoch 0. */
  public LreaEntryBuilder(LreaModel model) {
    this(model, () -> 0L);
  }

  /**
   * @param epoch the run epoch of the weights {@code model} holds now (a replica's moves with each
   *     snapshot it imports)
   */
  public LreaEntryBuilder(LreaModel model, LongSupplier epoch) {
    this.model = model;
    this.epoch = epoch;
  }

  public LreaModel model() {
    return model;
  }

  @Override
  public long modelEpoch() {
    return epoch.getAsLong();
  }

  @Override
  public long modelVersion() {
    return model.version();
  }

  @Override
  public LreaEntry rebuild(TrajectoryView trajectory, long appendedCount) {
    LreaModel.Pair pair =
        model.buildPair(historyBatch(trajectory, model.params().maxHistoryLength()));
    return new LreaEntry(
        pair.dim(),
        pair.rank(),
        LreaEntry.Stamp.of(modelEpoch(), model.version(), trajectory, appendedCount),
        pair.eComp(),
        pair.eAux());
  }

  /**
   * Click probabilities of {@code candidates} (their target columns) from the entry alone. The
   * caller checks freshness first ({@code LreaStore.fresh}); an entry of another model version or
   * shape is refused rather than scored.
   */
  public float[] score(LreaEntry entry, Batch candidates) {
    if (entry.modelVersion() != model.version() || entry.modelEpoch() != modelEpoch()) {
      throw new IllegalStateException(
          "entry built by model version "
              + entry.modelEpoch()
              + "/"
              + entry.modelVersion()
              + ", model is at "
              + modelEpoch()
              + "/"
              + model.version()
              + ": rebuild it first");
    }
    LreaModel.Pair pair =
        new LreaModel.Pair(
            entry.dim(), entry.rank(), entry.eComp(), entry.eAux(), entry.trajectoryLength());
    return model.scoreFromPair(pair, candidates);
  }

  /** One row holding the latest {@code maxLen} behaviors, oldest first; no target. */
  public static Batch historyBatch(TrajectoryView t, int maxLen) {
    BatchBuilder b = new BatchBuilder(1, maxLen);
    b.add(RowHistory.of(t), BatchTarget.NONE, 0f, 0);
    return b.build();
  }
}
