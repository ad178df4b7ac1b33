package io.tinstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RateTimelineTest {

  @Test
  void startAndEndRatesShowASlowdownAsTrajectoriesGrow() {
    RateTimeline t = new RateTimeline();
    // 2 s of start-up, then 1,000 events/s for the first 500, then 250/s to 1,000.
    t.add(0, 0);
    t.add(2.0, 0);
    t.add(2.1, 100);
    t.add(2.5, 500);
    t.add(4.5, 1_000);
    assertThat(t.startRate(1_000, 0.10)).isCloseTo(1_000, within(1e-6));
    assertThat(t.endRate(1_000, 0.10)).isCloseTo(250, within(1e-6));
    // Overall from the last sample before the first record: start-up is not counted.
    assertThat(t.rateBetween(0, 1_000)).isCloseTo(1_000 / 2.5, within(1e-6));
  }

  @Test
  void endRateRunsToTheLastSampleWhenTheJobEndedBetweenSamples() {
    RateTimeline t = new RateTimeline();
    t.add(0, 0);
    t.add(1, 500);
    t.add(2, 950);
    assertThat(t.endRate(1_000, 0.10)).isCloseTo(450, within(1e-6));
    assertThat(t.endRate(10_000, 0.10)).isNaN();
  }

  @Test
  void samplesMustNotGoBack() {
    RateTimeline t = new RateTimeline();
    t.add(1, 10);
    assertThatThrownBy(() -> t.add(2, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.add(0.5, 20)).isInstanceOf(IllegalArgumentException.class);
  }
}
