package io.tinstream.training.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.models.Batch;
import io.tinstream.models.FeatureEncoding;
import io.tinstream.models.ModelParams;
import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ItemFields;
import io.tinstream.state.Behavior;
import io.tinstream.state.TrajectoryView;
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

  @Test
  void everyFieldOfAViewAndOfACandidateIsWritten() {
    Behavior first = behavior(1_000L, 7f, 1L << 40);
    Behavior second = behavior(2_000L, 0f, 3L);
    TrajectoryView view = TrajectoryView.of(List.of(first, second));
    ItemFields ad =
        ItemFields.newBuilder()
            .setItemId(500L)
            .setCreativeId(501L)
            .setProductId(502L)
            .setSpuId(503L)
            .setCategoryL1(1)
            .setCategoryL2(2)
            .setCategoryL3(3)
            .setMarketingTarget(4)
            .setAdvertiserId((1L << 33) + 505)
            .setIndustryId(6)
            .build();
    BatchBuilder a = new BatchBuilder(1, 3);
    a.add(RowHistory.of(view), BatchTarget.of(ad, 2, 5_000L), 1f, 3);
    Batch b = a.build();

    assertThat(b.hist(ModelParams.Field.CREATIVE)).containsExactly(11, 11, -1);
    assertThat(b.hist(ModelParams.Field.PRODUCT)).containsExactly(12, 12, -1);
    assertThat(b.hist(ModelParams.Field.SPU)).containsExactly(BatchBuilder.rawId(1L << 40), 3, -1);
    assertThat(b.hist(ModelParams.Field.MARKETING_TARGET)).containsExactly(14, 14, -1);
    assertThat(b.hist(ModelParams.Field.ADVERTISER)).containsExactly(15, 15, -1);
    assertThat(b.hist(ModelParams.Field.INDUSTRY)).containsExactly(16, 16, -1);
    assertThat(b.hist(ModelParams.Field.ACTION_DETAIL))
        .as("log buckets of 7 and 0")
        .containsExactly(FeatureEncoding.actionDetailBucket(7f), 0, -1);
    assertThat(b.hist(ModelParams.Field.DOMAIN))
        .containsExactly(Domain.AD.ordinal(), Domain.AD.ordinal(), -1);
    assertThat(b.hist(ModelParams.Field.ACTION))
        .containsExactly(ActionType.CLICK.ordinal(), ActionType.CLICK.ordinal(), -1);

    assertThat(b.target(ModelParams.Field.ITEM)).containsExactly(500);
    assertThat(b.target(ModelParams.Field.CREATIVE)).containsExactly(501);
    assertThat(b.target(ModelParams.Field.PRODUCT)).containsExactly(502);
    assertThat(b.target(ModelParams.Field.SPU)).containsExactly(503);
    assertThat(b.target(ModelParams.Field.CAT1)).containsExactly(1);
    assertThat(b.target(ModelParams.Field.CAT2)).containsExactly(2);
    assertThat(b.target(ModelParams.Field.CAT3)).containsExactly(3);
    assertThat(b.target(ModelParams.Field.MARKETING_TARGET)).containsExactly(4);
    assertThat(b.target(ModelParams.Field.ADVERTISER))
        .containsExactly(BatchBuilder.rawId((1L << 33) + 505));
    assertThat(b.target(ModelParams.Field.INDUSTRY)).containsExactly(6);
    assertThat(b.target(ModelParams.Field.SCENARIO)).containsExactly(2);
    assertThatThrownBy(() -> b.target(ModelParams.Field.DOMAIN))
        .isInstanceOf(IllegalArgumentException.class);

    // The same behaviors through the stream's sequence give the same columns.
    BatchBuilder viaSequence = new BatchBuilder(1, 3);
    viaSequence.add(
        RowHistory.of(view.toSequence(new int[] {0, 1})), BatchTarget.of(ad, 2, 5_000L), 1f, 3);
    Batch s = viaSequence.build();
    for (ModelParams.Field f : ModelParams.Field.values()) {
      assertThat(s.hist(f)).as("sequence column %s", f).containsExactly(b.hist(f));
    }
  }

  @Test
  void fieldsAnOldSequenceOrTheOfflineDataLackAreUnknown() {
    BehaviorSequence old =
        BehaviorSequence.newBuilder()
            .setEventTimes(List.of(100_000L))
            .setItemIds(List.of(10L))
            .setCategoryL1(List.of(1))
            .setCategoryL2(List.of(3))
            .setCategoryL3(List.of(5))
            .setActionTypes(List.of(8))
            .setScenarios(List.of(1))
            .build();
    BatchBuilder a = new BatchBuilder(2, 2);
    a.add(RowHistory.of(old), BatchTarget.NONE, 0f, 3);
    a.add(before(traj(), 1), target(9, 1, 1, 1, 500), 1f, 7);
    Batch b = a.build();
    for (ModelParams.Field f : ModelParams.Field.values()) {
      if (f.ordinal() > ModelParams.Field.SCENARIO.ordinal()) {
        assertThat(b.hist(f)).as("column %s", f).containsOnly(-1);
        if (f.onTarget()) {
          assertThat(b.target(f)).as("target %s", f).containsOnly(-1);
        }
      } else {
        assertThat(b.hist(f))
            .as("column %s", f)
            .containsExactly(b.hist(f)[0], -1, b.hist(f)[2], -1);
      }
    }
    assertThat(b.histItem).containsExactly(10, -1, 10, -1);
  }

  @Test
  void anAllocatedBatchIsAllUnknown() {
    Batch b = Batch.allocate(2, 3, false);
    for (ModelParams.Field f : ModelParams.Field.values()) {
      assertThat(b.hist(f)).as("column %s", f).containsOnly(-1);
      if (f.onTarget()) {
        assertThat(b.target(f)).as("target %s", f).containsOnly(-1);
      }
    }
    Batch first = b.firstRows(1);
    assertThat(first.hist(ModelParams.Field.ADVERTISER)).containsExactly(-1, -1, -1);
    assertThat(first.histItem).isSameAs(first.hist(ModelParams.Field.ITEM));
  }

  private static Behavior behavior(long time, float detail, long spu) {
    return new Behavior(
        1,
        time,
        (byte) Domain.AD.ordinal(),
        (byte) ActionType.CLICK.ordinal(),
        2,
        detail,
        10L,
        11L,
        12L,
        spu,
        1,
        2,
        3,
        14,
        15L,
        16);
  }
}
