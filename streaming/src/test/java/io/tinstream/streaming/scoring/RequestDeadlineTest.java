package io.tinstream.streaming.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A request's age counts from its produce time, never from later than its receipt. */
class RequestDeadlineTest {

  private final RequestDeadline deadline = new RequestDeadline(1_000);

  @Test
  void theAgeCountsFromTheProduceTimeSoAWaitInKafkaCounts() {
    assertThat(deadline.check(10_000, 10_900, 11_000)).isEmpty();
    assertThat(deadline.check(10_000, 10_900, 11_001))
        .contains(
            "timed out: the request is 1001 ms old (since it was produced to Kafka), more than"
                + " tinstream.scoring.request-deadline = 1000 ms");
  }

  @Test
  void aProducerClockAheadCountsFromTheReceiptInstead() {
    // Produced "in the future" by the job's clock: as old as its time in the job, no younger.
    assertThat(RequestDeadline.age(60_000, 10_000, 11_500)).isEqualTo(1_500);
    assertThat(deadline.check(60_000, 10_000, 11_500)).isPresent();
  }

  @Test
  void noDeadlineTimesNothingOutAndTheSettingMustBePositive() {
    assertThat(RequestDeadline.NONE.check(0, 0, Long.MAX_VALUE - 1)).isEmpty();
    assertThatThrownBy(() -> new RequestDeadline(0))
        .hasMessageContaining("tinstream.scoring.request-deadline must be > 0");
  }
}
