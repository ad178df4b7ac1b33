package io.tinstream.training.lrea;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tinstream.models.Batch;
import io.tinstream.models.LreaModel;
import io.tinstream.models.ModelParams;
import io.tinstream.models.ModelRegistry;
import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.Domain;
import io.tinstream.state.Behavior;
import io.tinstream.state.LreaEntry;
import io.tinstream.state.TrajectoryView;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The TF-backed rebuilder: entries from a trajectory view, scores from the entry alone. */
class LreaEntryBuilderTest {

  @Test
  void entryScoresLikeTheModelsInGraphAbsorbedPath() {
    ModelParams p =
        ModelParams.builder()
            .variant("lrea")
            .dim(8)
            .rows(ModelParams.Field.ITEM, 500)
            .maxHistoryLength(32)
            .lreaRank(4)
            .mlpLayers(16, 8)
            .seed(3)
            .build();
    try (LreaModel m = (LreaModel) ModelRegistry.build(p)) {
      Random rnd = new Random(1);
      List<Behavior> behaviors = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        behaviors.add(behavior(rnd, i));
      }
      TrajectoryView view = TrajectoryView.of(behaviors);
      // Train a few steps so the weights are not at their initial values.
      Batch train = LreaEntryBuilder.historyBatch(view, 32);
      for (int s = 0; s < 5; s++) {
        m.trainStep(withTarget(train, 7, 1f));
      }
      LreaEntryBuilder builder = new LreaEntryBuilder(m);
      LreaEntry entry = builder.rebuild(view, view.size());
      assertThat(entry.modelVersion()).isEqualTo(5);
      assertThat(entry.trajectoryLength()).isEqualTo(50);
      assertThat(entry.floats()).isEqualTo(2 * 8 * 4);

      float[] fromEntry = new float[3];
      float[] inGraph = new float[3];
      for (int c = 0; c < 3; c++) {
        Batch one = withTarget(LreaEntryBuilder.historyBatch(view, 32), 100 + c, 0f);
        inGraph[c] = m.score(one)[0];
        Batch candidate = withTarget(Batch.allocate(1, 1, false), 100 + c, 0f);
        fromEntry[c] = builder.score(entry, candidate)[0];
        assertThat(fromEntry[c]).isCloseTo(inGraph[c], within(1e-5f));
      }
      assertThat(fromEntry[0]).isNotEqualTo(fromEntry[1]);

      m.trainStep(withTarget(train, 7, 1f));
      assertThatThrownBy(() -> builder.score(entry, withTarget(Batch.allocate(1, 1, false), 1, 0)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("rebuild");
    }
  }

  private static Behavior behavior(Random rnd, int i) {
    long item = rnd.nextInt(400);
    return new Behavior(
        Behavior.hashEventId("e" + i),
        1_700_000_000_000L + i * 60_000L,
        (byte) Domain.AD.ordinal(),
        (byte) ActionType.CLICK.ordinal(),
        0,
        0f,
        item,
        item * 10,
        item * 100,
        Behavior.UNKNOWN,
        1 + rnd.nextInt(5),
        10 + rnd.nextInt(5),
        20 + rnd.nextInt(5),
        Behavior.UNKNOWN,
        7,
        Behavior.UNKNOWN);
  }

  /** {@code b}'s histories (every field) with one target of item, categories and scenario. */
  private static Batch withTarget(Batch b, int item, float label) {
    Map<ModelParams.Field, int[]> hist = new EnumMap<>(ModelParams.Field.class);
    for (ModelParams.Field f : ModelParams.Field.values()) {
      hist.put(f, b.hist(f));
    }
    Map<ModelParams.Field, int[]> target = new EnumMap<>(ModelParams.Field.class);
    target.put(ModelParams.Field.ITEM, new int[] {item});
    target.put(ModelParams.Field.CAT1, new int[] {item % 5});
    target.put(ModelParams.Field.CAT2, new int[] {item % 7});
    target.put(ModelParams.Field.CAT3, new int[] {item % 11});
    target.put(ModelParams.Field.SCENARIO, new int[] {0});
    return new Batch(
        b.size,
        b.maxLen,
        b.lengths,
        hist,
        b.histDeltaSec,
        b.histPosition,
        target,
        new float[] {label},
        new int[] {1});
  }
}
