package io.tinstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowedLatenciesTest {

  private static final long S = 1_000_000_000L;

  @Test
  void percentilesArePerWindowOfSendTimeAndTheWarmUpIsDropped() {
    long start = 100 * S;
    WindowedLatencies h = new WindowedLatencies(start, Duration.ofSeconds(10));
    h.record(start - 1, 99_999); // warm-up: not measured
    // Window 0: 1..100 ms; window 2: one slow second; window 1 stays empty.
    for (int i = 1; i <= 100; i++) {
      h.record(start + i * (S / 20), i);
    }
    h.record(start + 25 * S, 1_000);

    List<WindowedLatencies.Window> windows = h.windows();
    assertThat(windows).hasSize(3);
    assertThat(windows.get(0).count()).isEqualTo(100);
    assertThat(windows.get(0).p50Ms()).isEqualTo(50);
    assertThat(windows.get(0).p99Ms()).isEqualTo(99);
    assertThat(windows.get(0).maxMs()).isEqualTo(100);
    // An empty window is reported, not skipped: a gap in answers is a finding.
    assertThat(windows.get(1).count()).isZero();
    assertThat(windows.get(1).p99Ms()).isNaN();
    assertThat(windows.get(2).startSeconds()).isEqualTo(20);
    assertThat(windows.get(2).p99Ms()).isEqualTo(1_000);

    WindowedLatencies.Summary all = h.overall();
    assertThat(all.count()).isEqualTo(101);
    assertThat(all.p50Ms()).isEqualTo(51);
    assertThat(all.p99Ms()).isEqualTo(100);
    assertThat(all.maxMs()).isEqualTo(1_000);
  }

  @Test
  void manySamplesInOneWindowKeepEveryValue() {
    WindowedLatencies h = new WindowedLatencies(0, Duration.ofSeconds(1));
    for (int i = 0; i < 10_000; i++) {
      h.record(i * 10_000L, 10_000 - i);
    }
    assertThat(h.windows()).hasSize(1);
    assertThat(h.overall().count()).isEqualTo(10_000);
    assertThat(h.overall().p99Ms()).isEqualTo(9_900);
  }

  @Test
  void nearestRankPercentile() {
    assertThat(WindowedLatencies.percentile(new double[] {}, 0.5)).isNaN();
    assertThat(WindowedLatencies.percentile(new double[] {7}, 0.99)).isEqualTo(7);
    assertThat(WindowedLatencies.percentile(new double[] {1, 2, 3, 4}, 0.5)).isEqualTo(2);
    assertThat(WindowedLatencies.percentile(new double[] {1, 2, 3, 4}, 0.99)).isEqualTo(4);
  }
}
