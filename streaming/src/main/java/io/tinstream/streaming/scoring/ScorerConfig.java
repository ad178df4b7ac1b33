package io.tinstream.streaming.scoring;

import java.io.Serializable;

/**
 * What the micro-batch scorer is configured with; checked by {@link
 * io.tinstream.streaming.JobSettings}.
 *
 * @param batchCandidates candidates per micro-batch, across requests
 * @param batchDeadlineMs a partly filled micro-batch is scored after this long
 * @param maxModelWaitMs requests wait this long for a variant's first model, then get an error
 * @param parallelism scorer subtasks
 */
public record ScorerConfig(
    int batchCandidates, long batchDeadlineMs, long maxModelWaitMs, int parallelism)
    implements Serializable {

  public ScorerConfig {
    if (batchCandidates <= 0 || batchDeadlineMs <= 0 || maxModelWaitMs <= 0 || parallelism <= 0) {
      throw new IllegalArgumentException(
          "batch size, deadline, model wait and parallelism must be > 0");
    }
  }
}
