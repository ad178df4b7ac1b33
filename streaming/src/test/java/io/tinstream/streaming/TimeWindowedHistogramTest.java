package io.tinstream.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimeWindowedHistogramTest {

  @Test
  void percentilesDescribeOnlyTheLastWindow() {
    TimeWindowedHistogram h = new TimeWindowedHistogram(10_000, 1_000);
    // A backlog's huge latencies, then a quiet steady state.
    for (int i = 0; i < 100; i++) {
      h.update(60_000, 0);
    }
    for (int i = 1; i <= 100; i++) {
      h.update(i, 15_000);
    }
    assertThat(h.statisticsAt(5_000).getQuantile(0.99)).isEqualTo(60_000);
    assertThat(h.statisticsAt(16_000).getQuantile(0.99)).isEqualTo(99);
    assertThat(h.statisticsAt(16_000).getQuantile(0.5)).isEqualTo(50);
    assertThat(h.statisticsAt(16_000).size()).isEqualTo(100);
    assertThat(h.getCount()).isEqualTo(200);
    // Nothing for longer than the window: no percentile, not the last burst kept forever.
    assertThat(h.statisticsAt(30_000).getQuantile(0.99)).isNaN();
  }

  @Test
  void aFullWindowKeepsTheNewest() {
    TimeWindowedHistogram h = new TimeWindowedHistogram(10_000, 10);
    for (int i = 0; i < 20; i++) {
      h.update(i, 0);
    }
    assertThat(h.statisticsAt(0).getMin()).isEqualTo(10);
    assertThat(h.statisticsAt(0).getMax()).isEqualTo(19);
  }
}
