package io.tinstream.streaming.scoring;

import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * Keys that land one on each parallel subtask. The scorer batches across requests per key, so it
 * wants exactly one key per subtask; small integers 0..p-1 do not give that, because Flink hashes
 * keys into key groups (with p = 2, keys 0 and 1 both went to the second subtask).
 */
final class SubtaskKeys {

  private SubtaskKeys() {}

  static int[] oneKeyPerSubtask(int parallelism, int maxParallelism) {
    int[] keys = new int[parallelism];
    boolean[] found = new boolean[parallelism];
    int remaining = parallelism;
    for (int candidate = 0; remaining > 0; candidate++) {
      int subtask =
          KeyGroupRangeAssignment.assignKeyToParallelOperator(
              candidate, maxParallelism, parallelism);
      if (!found[subtask]) {
        found[subtask] = true;
        keys[subtask] = candidate;
        remaining--;
      }
    }
    return keys;
  }
}
