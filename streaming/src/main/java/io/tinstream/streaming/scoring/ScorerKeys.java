package io.tinstream.streaming.scoring;

import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.util.MathUtils;

/**
 * Keys scoring work onto the micro-batching scorer: one key per scorer subtask (see {@link
 * SubtaskKeys}), a user's requests always on the same one. The scorer batches per key, so fewer
 * keys than subtasks would leave subtasks idle, and more would split its batches.
 */
public final class ScorerKeys implements KeySelector<ScoringWork, Integer> {
  private static final long serialVersionUID = 1L;

  private final int[] keys;

  /**
   * @param parallelism the scorer's parallelism
   * @param maxParallelism the scorer's max parallelism, which decides how keys map to subtasks
   */
  public ScorerKeys(int parallelism, int maxParallelism) {
    if (parallelism < 1 || parallelism > maxParallelism) {
      throw new IllegalArgumentException(
          "scorer parallelism " + parallelism + " outside 1.." + maxParallelism);
    }
    this.keys = SubtaskKeys.oneKeyPerSubtask(parallelism, maxParallelism);
  }

  @Override
  public Integer getKey(ScoringWork work) {
    // Hashed first: user ids need not be spread evenly modulo the parallelism.
    int bucket = MathUtils.murmurHash(Long.hashCode(work.request().getUserId())) % keys.length;
    return keys[bucket];
  }
}
