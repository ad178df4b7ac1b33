package io.tinstream.training.features;

import io.tinstream.models.ModelParams;
import io.tinstream.schemas.ItemFields;
import java.util.Arrays;

/**
 * The target columns of one batch row, as raw ids (negative = unknown): one per field the target
 * carries ({@link ModelParams.Field#onTarget}), with the time the history's time deltas are
 * measured to.
 */
public final class BatchTarget {

  /** No target: rows that only carry a history (e.g. a user's LREA entry rebuild). */
  public static final BatchTarget NONE = new BatchTarget(-1, -1, -1, -1, -1, 0L);

  /** Raw ids by field ordinal; -1 for fields a target does not carry. */
  private final int[] ids;

  private final long timeMillis;

  private BatchTarget(int[] ids, long timeMillis) {
    this.ids = ids;
    this.timeMillis = timeMillis;
  }

  /** A target of item id, categories and scenario only; its other fields unknown. */
  public BatchTarget(int item, int cat1, int cat2, int cat3, int scenario, long timeMillis) {
    this(unknown(), timeMillis);
    ids[ModelParams.Field.ITEM.ordinal()] = item;
    ids[ModelParams.Field.CAT1.ordinal()] = cat1;
    ids[ModelParams.Field.CAT2.ordinal()] = cat2;
    ids[ModelParams.Field.CAT3.ordinal()] = cat3;
    ids[ModelParams.Field.SCENARIO.ordinal()] = scenario;
  }

  /**
   * A candidate ad of the stream with its ten item fields, its 64-bit ids folded as every batch
   * folds ids, and the request's scenario.
   */
  public static BatchTarget of(ItemFields item, int scenario, long timeMillis) {
    int[] ids = unknown();
    ids[ModelParams.Field.ITEM.ordinal()] = BatchBuilder.rawId(item.getItemId());
    ids[ModelParams.Field.CREATIVE.ordinal()] = orUnknown(item.getCreativeId());
    ids[ModelParams.Field.PRODUCT.ordinal()] = orUnknown(item.getProductId());
    ids[ModelParams.Field.SPU.ordinal()] = orUnknown(item.getSpuId());
    ids[ModelParams.Field.CAT1.ordinal()] = orUnknown(item.getCategoryL1());
    ids[ModelParams.Field.CAT2.ordinal()] = orUnknown(item.getCategoryL2());
    ids[ModelParams.Field.CAT3.ordinal()] = orUnknown(item.getCategoryL3());
    ids[ModelParams.Field.MARKETING_TARGET.ordinal()] = orUnknown(item.getMarketingTarget());
    ids[ModelParams.Field.ADVERTISER.ordinal()] = orUnknown(item.getAdvertiserId());
    ids[ModelParams.Field.INDUSTRY.ordinal()] = orUnknown(item.getIndustryId());
    ids[ModelParams.Field.SCENARIO.ordinal()] = scenario;
    return new BatchTarget(ids, timeMillis);
  }

  /** The same target with {@code field} (one the target carries) at {@code rawId}. */
  public BatchTarget with(ModelParams.Field field, int rawId) {
    requireOnTarget(field);
    int[] copy = ids.clone();
    copy[field.ordinal()] = rawId;
    return new BatchTarget(copy, timeMillis);
  }

  /** The raw id of a field the target carries; negative when unknown. */
  public int id(ModelParams.Field field) {
    requireOnTarget(field);
    return ids[field.ordinal()];
  }

  public int item() {
    return id(ModelParams.Field.ITEM);
  }

  public int cat1() {
    return id(ModelParams.Field.CAT1);
  }

  public int cat2() {
    return id(ModelParams.Field.CAT2);
  }

  public int cat3() {
    return id(ModelParams.Field.CAT3);
  }

  public int scenario() {
    return id(ModelParams.Field.SCENARIO);
  }

  public long timeMillis() {
    return timeMillis;
  }

  private static void requireOnTarget(ModelParams.Field field) {
    if (!field.onTarget()) {
      throw new IllegalArgumentException("a target carries no " + field);
    }
  }

  private static int[] unknown() {
    int[] ids = new int[ModelParams.Field.values().length];
    Arrays.fill(ids, -1);
    return ids;
  }

  private static int orUnknown(Integer value) {
    return value == null ? -1 : value;
  }

  private static int orUnknown(Long value) {
    return value == null ? -1 : BatchBuilder.rawId(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BatchTarget t && timeMillis == t.timeMillis && Arrays.equals(ids, t.ids);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(ids) + Long.hashCode(timeMillis);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("BatchTarget[");
    for (ModelParams.Field f : ModelParams.Field.targetFields()) {
      s.append(f.key()).append('=').append(ids[f.ordinal()]).append(", ");
    }
    return s.append("timeMillis=").append(timeMillis).append(']').toString();
  }
}
