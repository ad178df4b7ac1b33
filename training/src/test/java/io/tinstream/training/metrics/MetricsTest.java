package io.tinstream.training.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MetricsTest {

  @Test
  void aucHandComputed() {
    // pairs (pos, neg): (0.35,0.1)+ (0.35,0.4)- (0.8,0.1)+ (0.8,0.4)+ -> 3/4
    assertThat(Metrics.auc(new float[] {0.1f, 0.4f, 0.35f, 0.8f}, new float[] {0, 0, 1, 1}))
        .isCloseTo(0.75, within(1e-12));
  }

  @Test
  void aucTiesCountHalf() {
    // (0.5,0.2)=1, (0.5,0.5)=0.5, (0.9,0.2)=1, (0.9,0.5)=1 -> 3.5/4
    assertThat(Metrics.auc(new float[] {0.2f, 0.5f, 0.5f, 0.9f}, new float[] {0, 1, 0, 1}))
        .isCloseTo(0.875, within(1e-12));
    assertThat(Metrics.auc(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, new float[] {0, 1, 0, 1}))
        .isCloseTo(0.5, within(1e-12));
    assertThat(Metrics.auc(new float[] {0.3f, 0.3f}, new float[] {1, 1})).isNaN();
  }

  @Test
  void aucPerfectAndInverted() {
    assertThat(Metrics.auc(new float[] {-1f, 2f, -0f, 0f}, new float[] {0, 1, 0, 1}))
        .isCloseTo(0.875, within(1e-12)); // -0 and +0 tie
    assertThat(Metrics.auc(new float[] {0.9f, 0.1f}, new float[] {0, 1})).isZero();
  }

  @Test
  void gaucWeightsUsersBySampleCountAndSkipsOneClassUsers() {
    float[] scores = {0.1f, 0.2f, 0.4f, 0.5f, 0.35f, 0.5f, 0.8f, 0.9f, 0.3f, 0.6f};
    float[] labels = {0, 0, 0, 1, 1, 0, 1, 1, 1, 1};
    int[] users = {1, 2, 1, 2, 1, 2, 1, 2, 3, 3};
    // user 1: AUC 0.75 (4 samples), user 2: 0.875 (4), user 3: one class, skipped
    assertThat(Metrics.gauc(scores, labels, users)).isCloseTo(0.8125, within(1e-12));
  }

  @Test
  void logLossHandComputedAndClipped() {
    assertThat(Metrics.logLoss(new float[] {0.9f, 0.2f}, new float[] {1, 0}))
        .isCloseTo((-Math.log(0.9) - Math.log(0.8)) / 2, within(1e-6));
    assertThat(Metrics.logLoss(new float[] {0f, 1f}, new float[] {1, 0}))
        .isCloseTo(-Math.log(1e-7), within(1e-5));
  }
}
