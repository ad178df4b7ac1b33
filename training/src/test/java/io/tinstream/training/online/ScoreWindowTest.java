package io.tinstream.training.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ScoreWindowTest {

  @Test
  void noFigureUntilBothClassesHaveTheMinimum() {
    ScoreWindow window = new ScoreWindow(60_000, 3, 100);
    // A perfectly ranked handful: a window without the minimum would report AUC 1.0.
    window.record(new float[] {0.9f, 0.8f, 0.1f, 0.2f, 0.3f}, new float[] {1, 1, 0, 0, 0}, 0);
    assertThat(window.figures(0).auc()).isNaN();
    assertThat(window.figures(0).logLoss()).isNaN();
    assertThat(window.figures(0).samples()).isEqualTo(5);
    window.record(0.7f, 1, 1);
    assertThat(window.figures(1).auc()).isEqualTo(1.0);
    assertThat(window.figures(1).logLoss()).isFinite();
  }

  @Test
  void samplesOlderThanTheWindowNoLongerCount() {
    ScoreWindow window = new ScoreWindow(10_000, 2, 100);
    // Badly ranked at first, well ranked later: only the later ones are in the window at the end.
    window.record(new float[] {0.1f, 0.2f, 0.9f, 0.8f}, new float[] {1, 1, 0, 0}, 0);
    assertThat(window.figures(5_000).auc()).isEqualTo(0.0);
    window.record(new float[] {0.9f, 0.8f, 0.1f, 0.2f}, new float[] {1, 1, 0, 0}, 8_000);
    assertThat(window.figures(9_000).auc()).isEqualTo(0.5);
    ScoreWindow.Figures later = window.figures(12_000);
    assertThat(later.auc()).isEqualTo(1.0);
    assertThat(later.samples()).isEqualTo(4);
    assertThat(later.positives()).isEqualTo(2);
    // Nothing recorded for longer than the window: no figure, not the last one kept forever.
    assertThat(window.figures(30_000).auc()).isNaN();
    assertThat(window.figures(30_000).samples()).isZero();
    assertThat(window.seen()).isEqualTo(8);
  }

  @Test
  void aFullWindowDropsItsOldestSamples() {
    ScoreWindow window = new ScoreWindow(60_000, 1, 4);
    window.record(new float[] {0.1f, 0.9f}, new float[] {1, 0}, 0);
    window.record(new float[] {0.9f, 0.8f, 0.1f, 0.2f}, new float[] {1, 1, 0, 0}, 1);
    assertThat(window.figures(1).samples()).isEqualTo(4);
    assertThat(window.figures(1).auc()).isEqualTo(1.0);
  }

  @Test
  void settingsThatCannotHoldTheMinimumAreRefused() {
    assertThatThrownBy(() -> new ScoreWindow(60_000, 10, 15))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity");
  }
}
