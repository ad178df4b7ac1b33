package io.tinstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ModelServingFreshnessTest {

  @Test
  void aVersionIsServedWhenItOrANewerOneFirstAnswers() {
    ModelServingFreshness f = new ModelServingFreshness();
    f.published(1, 1_000);
    f.published(2, 2_000);
    f.published(3, 3_000);
    f.published(4, 25_000); // outside the measured span
    f.served(1, 1_400);
    f.served(1, 1_200);
    // Version 2 was never used: version 3 overtook it, first used at 3_500.
    f.served(3, 3_500);
    f.served(3, 3_900);

    WindowedLatencies w = new WindowedLatencies(0, Duration.ofSeconds(10));
    f.recordInto(w, 0, 20_000, 0, 0);
    assertThat(w.overall().count()).isEqualTo(3);
    assertThat(w.overall().maxMs()).isEqualTo(1_500); // version 2: 2_000 -> 3_500
    assertThat(w.overall().p50Ms()).isEqualTo(500); // versions 1 (200), 3 (500), 2 (1_500)
    assertThat(w.windows().get(0).p99Ms()).isEqualTo(1_500);
  }

  @Test
  void aVersionNotServedYetIsNotCounted() {
    ModelServingFreshness f = new ModelServingFreshness();
    f.published(5, 1_000);
    f.served(4, 2_000);
    WindowedLatencies w = new WindowedLatencies(0, Duration.ofSeconds(10));
    f.recordInto(w, 0, 20_000, 0, 0);
    assertThat(w.overall().count()).isZero();
  }
}
