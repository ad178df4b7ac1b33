package io.tinstream.state;

import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.ItemFields;
import io.tinstream.state.internal.Murmur3;
import java.nio.charset.StandardCharsets;

/**
 * One behavior of a user's trajectory as primitives: what the trajectory state stores per event,
 * instead of a whole Avro {@link BehaviorEvent}.
 *
 * <p>The event id is kept only as a 32-bit hash ({@link #hashEventId}). Deduplication compares the
 * hash <em>and</em> the event time of behaviors of the same user, so two different events are
 * mistaken for duplicates only if they belong to the same user, happened in the same millisecond
 * and their ids collide: about 2<sup>-32</sup> (2.3e-10) per such pair.
 *
 * @param eventIdHash {@link #hashEventId} of the event id
 * @param eventTime event time, epoch milliseconds, never negative
 * @param domain {@link io.tinstream.schemas.Domain} ordinal
 * @param actionType {@link io.tinstream.schemas.ActionType} ordinal
 * @param scenario traffic scenario
 * @param actionDetail magnitude of the action (play seconds, rating, ...)
 */
public record Behavior(
    int eventIdHash,
    long eventTime,
    byte domain,
    byte actionType,
    int scenario,
    float actionDetail,
    long itemId,
    long creativeId,
    long productId,
    long spuId,
    int categoryL1,
    int categoryL2,
    int categoryL3,
    int marketingTarget,
    long advertiserId,
    int industryId) {

  /** Value of every item field (and category) that is not known. It matches nothing in search. */
  public static final int UNKNOWN = -1;

  public Behavior {
    if (eventTime < 0) {
      throw new IllegalArgumentException(
          "eventTime must be epoch milliseconds >= 0 (time buckets are non-negative), got "
              + eventTime);
    }
    if (domain < 0 || actionType < 0) {
      throw new IllegalArgumentException(
          "domain and actionType are enum ordinals and must be >= 0, got domain="
              + domain
              + ", actionType="
              + actionType);
    }
  }

  /** Converts a decoded event; null item fields become {@link #UNKNOWN}. */
  public static Behavior fromEvent(BehaviorEvent event) {
    ItemFields item = event.getItem();
    return new Behavior(
        hashEventId(event.getEventId()),
        event.getEventTime().toEpochMilli(),
        (byte) event.getDomain().ordinal(),
        (byte) event.getActionType().ordinal(),
        event.getScenario(),
        (float) event.getActionDetail(),
        item.getItemId(),
        orUnknown(item.getCreativeId()),
        orUnknown(item.getProductId()),
        orUnknown(item.getSpuId()),
        orUnknown(item.getCategoryL1()),
        orUnknown(item.getCategoryL2()),
        orUnknown(item.getCategoryL3()),
        orUnknown(item.getMarketingTarget()),
        orUnknown(item.getAdvertiserId()),
        orUnknown(item.getIndustryId()));
  }

  /**
   * Murmur3 (x86, 32-bit, seed 0) of the UTF-8 bytes of an event id. Persisted in state: the
   * function must never change, or duplicates of already stored events would slip through.
   */
  public static int hashEventId(CharSequence eventId) {
    return Murmur3.hash32(eventId.toString().getBytes(StandardCharsets.UTF_8));
  }

  static long orUnknown(Long value) {
    return value == null ? UNKNOWN : value;
  }

  static int orUnknown(Integer value) {
    return value == null ? UNKNOWN : value;
  }
}
