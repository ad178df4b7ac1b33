package io.tinstream.streaming.trajectory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ItemFields;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Behaviors and requests dated beyond the configured skew ahead of processing time are invalid. */
class FutureSkewTest {

  private static final long NOW = 1_700_000_000_000L;
  private static final FutureSkew SKEW = FutureSkew.of(Duration.ofMinutes(10));
  private static final CandidateCap CAP = new CandidateCap(10, 10);

  /** 2099-01-01: inside the old [1990, 2100) range, decades ahead of now. */
  private static final long YEAR_2099 = 4_070_908_800_000L;

  @Test
  void behaviorsMoreThanTheSkewAheadAreRejectedWithTheSettingNamed() {
    assertThat(BehaviorValidator.check(behavior(NOW), SKEW, NOW)).isEmpty();
    assertThat(BehaviorValidator.check(behavior(NOW - 86_400_000L), SKEW, NOW)).isEmpty();
    assertThat(BehaviorValidator.check(behavior(NOW + 600_000L), SKEW, NOW)).isEmpty();
    assertThat(BehaviorValidator.check(behavior(NOW + 600_001L), SKEW, NOW))
        .hasValueSatisfying(
            r ->
                assertThat(r)
                    .startsWith("eventTime " + (NOW + 600_001L))
                    .contains("tinstream.event-time.max-future-skew = PT10M"));
    assertThat(BehaviorValidator.check(behavior(YEAR_2099), SKEW, NOW))
        .hasValueSatisfying(r -> assertThat(r).contains("max-future-skew"));
    // A wider skew lets the same event through: the bound is the setting, not a constant.
    assertThat(
            BehaviorValidator.check(
                behavior(NOW + 600_001L), FutureSkew.of(Duration.ofHours(1)), NOW))
        .isEmpty();
  }

  @Test
  void requestsMoreThanTheSkewAheadAreRejected() {
    assertThat(AdRequestValidator.check(request(NOW + 600_000L), SKEW, NOW, CAP)).isEmpty();
    assertThat(AdRequestValidator.check(request(YEAR_2099), SKEW, NOW, CAP))
        .hasValueSatisfying(
            r ->
                assertThat(r)
                    .startsWith("requestTime " + YEAR_2099)
                    .contains("tinstream.event-time.max-future-skew"));
  }

  @Test
  void theSkewMustBePositive() {
    assertThatThrownBy(() -> FutureSkew.of(Duration.ZERO))
        .hasMessageContaining("tinstream.event-time.max-future-skew");
  }

  static BehaviorEvent behavior(long time) {
    return BehaviorEvent.newBuilder()
        .setEventId("e-" + time)
        .setUserId(1)
        .setEventTime(Instant.ofEpochMilli(time))
        .setDomain(Domain.AD)
        .setActionType(ActionType.CLICK)
        .setItem(item())
        .build();
  }

  static AdRequest request(long time) {
    return AdRequest.newBuilder()
        .setRequestId("r-" + time)
        .setUserId(1)
        .setRequestTime(Instant.ofEpochMilli(time))
        .setCandidates(List.of(item()))
        .build();
  }

  private static ItemFields item() {
    return ItemFields.newBuilder()
        .setItemId(5)
        .setCategoryL3(30)
        .setProductId(1L)
        .setSpuId(1L)
        .build();
  }
}
