package io.tinstream.training.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.ModelParams;
import io.tinstream.training.features.HistorySelector;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeedLearningCurveTest {

  @Test
  void examplesAreLabelledByTheirOwnClicksAndCarryTheSignalOfThePast() {
    SyntheticFeed.Config feed = SyntheticFeed.Config.defaults(300, 150_000, 3);
    ModelParams params =
        ModelParams.builder()
            .variant("tin")
            .maxHistoryLength(32)
            .seed(3)
            .embeddingLearningRate(0.5f)
            .threads(1, 1)
            .build();
    List<FeedLearningCurve.Point> points =
        new FeedLearningCurve(
                feed,
                params,
                HistorySelector.parse("hierarchical", 32),
                new FeedLearningCurve.Settings(256, 10_000, 200, 10_240))
            .run(p -> {});

    assertThat(points).isNotEmpty();
    FeedLearningCurve.Point last = points.get(points.size() - 1);
    // The true probabilities rank the labels only if each example is labelled by the click of its
    // own impression (the user's next event with the same request id).
    assertThat(last.ceilingAuc()).isGreaterThan(0.8);
    // Well above chance only if the examples carry the behaviors before the impression.
    assertThat(last.modelAuc()).isGreaterThan(0.65);
    assertThat(last.gap()).isPositive();
  }
}
