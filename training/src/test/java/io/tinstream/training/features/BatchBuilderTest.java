package io.tinstream.training.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.Batch;
import org.junit.jupiter.api.Test;

class BatchAssemblerTest {
  static Trajectory traj() {
    return new Trajectory(
        7,
        new int[] {10, 11, 12, 13},
        new int[] {1, 1, 2, 2},
        new int[] {3, 3, 4, 4},
        new int[] {5, 5, 6, 6},
        new int[] {8, 9, 8, 9},
        new int[] {1, 1, 1, 1},
        new long[] {100, 200, 300, 400});
  }

  @Test
  void keepsTheLastBehaviorsBeforeTheTargetLeftAligned() {
    BatchAssembler a = new BatchAssembler(2, 3);
    a.add(traj(), 4, 99, 2, 4, 6, 1, 1000, 1f); // 4 behaviors before, keep last 3
    a.add(traj(), 1, 98, 1, 3, 5, 1, 250, 0f); // 1 behavior
    Batch b = a.build();
    assertThat(b.lengths).containsExactly(3, 1);
    assertThat(b.histItem).containsExactly(11, 12, 13, 10, -1, -1);
    assertThat(b.histPosition).containsExactly(3, 2, 1, 1, 0, 0);
    assertThat(b.histDeltaSec).containsExactly(800f, 700f, 600f, 150f, 0f, 0f);
    assertThat(b.histAction).startsWith(9, 8, 9, 8);
    assertThat(b.targetItem).containsExactly(99, 98);
    assertThat(b.labels).containsExactly(1f, 0f);
    assertThat(b.userIds).containsExactly(7, 7);
  }

  @Test
  void partialBatchIsTrimmedAndEmptyHistoryAllowed() {
    BatchAssembler a = new BatchAssembler(4, 2);
    a.add(traj(), 0, 5, 1, 1, 1, 1, 50, 1f);
    Batch b = a.build();
    assertThat(b.size).isEqualTo(1);
    assertThat(b.lengths).containsExactly(0);
    assertThat(b.histItem).containsExactly(-1, -1);
    assertThat(a.pending()).isZero();
  }
}
