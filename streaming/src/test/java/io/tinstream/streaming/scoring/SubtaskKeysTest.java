package io.tinstream.streaming.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

class SubtaskKeysTest {

  @Test
  void everySubtaskGetsExactlyOneKey() {
    for (int parallelism = 1; parallelism <= 16; parallelism++) {
      int[] keys = SubtaskKeys.oneKeyPerSubtask(parallelism, 128);
      assertThat(keys).hasSize(parallelism).doesNotHaveDuplicates();
      for (int subtask = 0; subtask < parallelism; subtask++) {
        assertThat(
                KeyGroupRangeAssignment.assignKeyToParallelOperator(
                    keys[subtask], 128, parallelism))
            .isEqualTo(subtask);
      }
    }
  }
}
