package io.tinstream.training.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.models.Batch;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.ItemFields;
import io.tinstream.training.batch.Trajectory;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchBuilderTest {
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

  private static RowHistory before(Trajectory t, int end) {
    int[] all = new int[end];
    for (int i = 0; i < end; i++) {
      all[i] = i;
    }
    return RowHistory.selected(t, end, all);
  }

  private static BatchTarget target(int item, int c1, int c2, int c3, long timeSec) {
    return new BatchTarget(item, c1, c2, c3, 1, timeSec * 1000L);
  }

  @Test
  void keepsTheLastBehaviorsBeforeTheTargetLeftAligned() {
    BatchBuilder a = new BatchBuilder(2, 3);
    a.add(before(traj(), 4), target(99, 2, 4, 6, 1000), 1f, 7); // 4 before, keep last 3
    a.add(before(traj(), 1), target(98, 1, 3, 5, 250), 0f, 7); // 1 behavior
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
    BatchBuilder a = new BatchBuilder(4, 2);
    a.add(before(traj(), 0), target(5, 1, 1, 1, 50), 1f, 7);
    Batch b = a.build();
    assertThat(b.size).isEqualTo(1);
    assertThat(b.lengths).containsExactly(0);
    assertThat(b.histItem).containsExactly(-1, -1);
    assertThat(a.rows()).isZero();
  }

  @Test
  void aSelectedSubsequenceKeepsItsTruePositions() {
    BatchBuilder a = new BatchBuilder(1, 4);
    a.add(RowHistory.selected(traj(), 4, new int[] {0, 2}), target(9, 1, 1, 1, 500), 1f, 7);
    Batch b = a.build();
    assertThat(b.histItem).containsExactly(10, 12, -1, -1);
    assertThat(b.histPosition).containsExactly(4, 2, 0, 0);
    assertThatThrownBy(() -> RowHistory.selected(traj(), 2, new int[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aStreamSequenceIsWrittenLikeTheSameBehaviorsOffline() {
    BehaviorSequence s =
        BehaviorSequence.newBuilder()
            .setEventTimes(List.of(100_000L, 200_000L, 300_000L))
            .setItemIds(List.of(10L, 11L, (1L << 40) + 5))
            .setCategoryL1(List.of(1, 1, 2))
            .setCategoryL2(List.of(3, 3, 4))
            .setCategoryL3(List.of(5, 5, 6))
            .setActionTypes(List.of(8, 9, 8))
            .setScenarios(List.of(1, 1, 1))
            .setPositions(List.of(9, 4, 1))
            .build();
    BatchBuilder a = new BatchBuilder(1, 2);
    a.add(
        RowHistory.of(s),
        BatchTarget.of(ItemFields.newBuilder().setItemId(99L).build(), 1, 400_000L),
        0f,
        3);
    Batch b = a.build();
    assertThat(b.histItem).containsExactly(11, BatchBuilder.rawId((1L << 40) + 5));
    assertThat(b.histPosition).as("true positions of the sequence").containsExactly(4, 1);
    assertThat(b.histDeltaSec).containsExactly(200f, 100f);
    assertThat(b.targetCat1).as("unknown category").containsExactly(-1);
    s.setPositions(List.of());
    a.add(RowHistory.of(s), BatchTarget.NONE, 0f, 3);
    assertThat(a.build().histPosition).as("counted back from the end").containsExactly(2, 1);
  }
}
