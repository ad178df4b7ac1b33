package io.tinstream.training.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.ModelParams;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.TrainingExample;
import io.tinstream.state.Behavior;
import io.tinstream.state.SearchTarget;
import io.tinstream.state.TrajectoryView;
import io.tinstream.training.features.HistorySelector.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An example carries each selection once, and each variant trains on its own. */
class ExampleHistoriesTest {

  private static final SearchTarget TARGET = new SearchTarget(1, 11, 21, 0, 1_000_000L);

  private final VariantHistories histories =
      VariantHistories.of(
          new HistorySelector(Kind.HIERARCHICAL_SEARCH, 4),
          List.of(params("tin", 4), params("dare", 4), params("lrea", 10), params("td-sasrec", 4)),
          16);

  @Test
  void eachVariantTrainsOnWhatItIsServedWith() {
    TrajectoryView past = past(30);
    TrainingExample e = example(past);

    assertThat(e.getRecent().getItemIds()).as("one suffix, the longest need").hasSize(16);
    assertThat(e.getSelections()).containsOnlyKeys("stratified:4");
    for (String variant : List.of("tin", "dare", "lrea", "td-sasrec")) {
      HistorySelector s = histories.forVariant(variant);
      assertThat(newest(ExampleHistories.of(e, s, histories.plain()), s.length()))
          .as(variant)
          .isEqualTo(s.sequence(past, TARGET).getItemIds());
    }
  }

  @Test
  void anExampleWrittenBeforeAVariantWasConfiguredFallsBackToItsHistory() {
    TrainingExample old = example(past(30));
    old.setRecent(null);
    old.setSelections(java.util.Map.of());
    for (String variant : List.of("dare", "td-sasrec")) {
      assertThat(ExampleHistories.of(old, histories.forVariant(variant), histories.plain()))
          .isSameAs(old.getHistory());
    }
  }

  /** What a batch of width {@code n} keeps of the sequence: its newest {@code n}. */
  private static List<Long> newest(BehaviorSequence s, int n) {
    List<Long> ids = s.getItemIds();
    return ids.subList(Math.max(0, ids.size() - n), ids.size());
  }

  private TrainingExample example(TrajectoryView past) {
    TrainingExample.Builder b =
        TrainingExample.newBuilder()
            .setExampleId("x")
            .setUserId(1L)
            .setImpressionTime(TARGET.time())
            .setTarget(ItemFields.newBuilder().setItemId(7L).build())
            .setLabel(1f);
    return ExampleHistories.write(b, histories, past, TARGET).build();
  }

  private static ModelParams params(String variant, int k) {
    return ModelParams.builder().variant(variant).maxHistoryLength(k).build();
  }

  private static TrajectoryView past(int n) {
    List<Behavior> bs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      bs.add(
          new Behavior(
              i,
              1_000L * (i + 1),
              (byte) 0,
              (byte) 1,
              0,
              0f,
              100 + i,
              Behavior.UNKNOWN,
              Behavior.UNKNOWN,
              Behavior.UNKNOWN,
              i % 3,
              10 + i % 3,
              20 + i % 3,
              Behavior.UNKNOWN,
              Behavior.UNKNOWN,
              Behavior.UNKNOWN));
    }
    return TrajectoryView.of(bs);
  }
}
