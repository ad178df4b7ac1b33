package io.tinstream.streaming.training;

import io.tinstream.training.online.ScoreWindow;
import java.io.Serializable;

/**
 * What the online trainer is configured with; checked by {@link
 * io.tinstream.streaming.JobSettings}.
 *
 * @param batchSize examples per micro-batch
 * @param batchDeadlineMs a partly filled micro-batch is trained after this long
 * @param fullSnapshotEvery versions between full snapshots; deltas in between
 * @param validation the window progressive AUC and LogLoss are computed over
 * @param publishEveryMs a model version is published at most this often
 */
public record TrainerConfig(
    int batchSize,
    long batchDeadlineMs,
    int fullSnapshotEvery,
    ScoreWindow.Spec validation,
    long publishEveryMs)
    implements Serializable {

  public TrainerConfig {
    if (batchSize <= 0 || batchDeadlineMs <= 0 || fullSnapshotEvery <= 0) {
      throw new IllegalArgumentException(
          "batch size, deadline and full-snapshot period must be > 0");
    }
    java.util.Objects.requireNonNull(validation, "validation");
  }
}
