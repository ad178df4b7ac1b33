package io.tinstream.streaming.trajectory;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.ItemFields;
import java.util.Optional;

/**
 * The rules a behavior must pass before it may touch a user's trajectory. Each rule's message is
 * the dead-letter reason, so it names the field and the value.
 */
public final class BehaviorValidator {

  /**
   * Event times before 1990-01-01 or after 2100-01-01 are clock bugs (seconds sent as milliseconds
   * land in 1970), not behaviors. MovieLens starts in 1996.
   */
  public static final long MIN_EVENT_TIME_MS = 631_152_000_000L;

  public static final long MAX_EVENT_TIME_MS = 4_102_444_800_000L;

  private BehaviorValidator() {}

  /**
   * Why the event is invalid, or empty when it is valid.
   *
   * @param nowMs processing time: an event time more than {@code skew} ahead of it is rejected
   */
  public static Optional<String> check(BehaviorEvent e, FutureSkew skew, long nowMs) {
    if (e.getEventId() == null || e.getEventId().isBlank()) {
      return Optional.of("eventId is empty");
    }
    if (e.getUserId() < 0) {
      return Optional.of("userId is negative: " + e.getUserId());
    }
    long time = e.getEventTime().toEpochMilli();
    if (time < MIN_EVENT_TIME_MS || time > MAX_EVENT_TIME_MS) {
      return Optional.of("eventTime out of range [1990, 2100): " + time);
    }
    Optional<String> future = skew.check("eventTime", time, nowMs);
    if (future.isPresent()) {
      return future;
    }
    if (!Double.isFinite(e.getActionDetail())) {
      return Optional.of("actionDetail is not finite: " + e.getActionDetail());
    }
    if (e.getActionType() == ActionType.UNKNOWN) {
      return Optional.of("actionType is UNKNOWN");
    }
    return checkItem(e.getItem());
  }

  /** Rules shared by behaviors and ad-request candidates. */
  public static Optional<String> checkItem(ItemFields item) {
    if (item == null) {
      return Optional.of("item is missing");
    }
    if (item.getItemId() < 0) {
      return Optional.of("item.itemId is negative: " + item.getItemId());
    }
    if (negative(item.getCategoryL1())
        || negative(item.getCategoryL2())
        || negative(item.getCategoryL3())) {
      return Optional.of(
          "item category is negative: "
              + item.getCategoryL1()
              + "/"
              + item.getCategoryL2()
              + "/"
              + item.getCategoryL3());
    }
    return Optional.empty();
  }

  private static boolean negative(Integer value) {
    return value != null && value < 0;
  }
}
