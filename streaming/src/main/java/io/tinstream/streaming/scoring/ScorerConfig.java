package io.tinstream.streaming.scoring;

import java.io.Serializable;
import java.util.Objects;

/**
 * What the micro-batch scorer is configured with; checked by {@link
 * io.tinstream.streaming.JobSettings}.
 *
 * @param batchCandidates candidates per micro-batch, across requests
 * @param batchDeadlineMs a partly filled micro-batch is scored after this long
 * @param maxModelWaitMs requests wait this long for a variant's first model, then get an error
 * @param parallelism scorer subtasks
 * @param maxWaitingForModel requests of one variant a scorer subtask holds while the variant has no
 *     model yet; one more is answered at once with a "queue full" error
 * @param requestDeadline a request older than this when it would be scored gets a "timed out" error
 *     instead of a score
 */
public record ScorerConfig(
    int batchCandidates,
    long batchDeadlineMs,
    long maxModelWaitMs,
    int parallelism,
    int maxWaitingForModel,
    RequestDeadline requestDeadline)
    implements Serializable {

  /** Key of the bound on requests waiting for a first model, named in its error answers. */
  public static final String MAX_WAITING_FOR_MODEL_KEY = "tinstream.scoring.max-waiting-for-model";

  public static final int DEFAULT_MAX_WAITING_FOR_MODEL = 1_000;

  /** With the default bound on requests waiting for a first model, and no request deadline. */
  public ScorerConfig(
      int batchCandidates, long batchDeadlineMs, long maxModelWaitMs, int parallelism) {
    this(
        batchCandidates,
        batchDeadlineMs,
        maxModelWaitMs,
        parallelism,
        DEFAULT_MAX_WAITING_FOR_MODEL,
        RequestDeadline.NONE);
  }

  public ScorerConfig {
    if (batchCandidates <= 0 || batchDeadlineMs <= 0 || maxModelWaitMs <= 0 || parallelism <= 0) {
      throw new IllegalArgumentException(
          "batch size, deadline, model wait and parallelism must be > 0");
    }
    if (maxWaitingForModel <= 0) {
      throw new IllegalArgumentException(
          MAX_WAITING_FOR_MODEL_KEY + " must be > 0, got " + maxWaitingForModel);
    }
    Objects.requireNonNull(requestDeadline);
  }
}
