package io.tinstream.state.internal;

import io.tinstream.state.Behavior;

/**
 * Behaviors stored column by column in primitive arrays of one fixed length: the in-memory layout
 * of chunks and views. Holders treat the arrays as immutable once they share them.
 */
public final class BehaviorColumns {
  public static final BehaviorColumns EMPTY = new BehaviorColumns(0);

  public final int[] eventIdHashes;
  public final long[] eventTimes;
  public final byte[] domains;
  public final byte[] actionTypes;
  public final int[] scenarios;
  public final float[] actionDetails;
  public final long[] itemIds;
  public final long[] creativeIds;
  public final long[] productIds;
  public final long[] spuIds;
  public final int[] categoryL1;
  public final int[] categoryL2;
  public final int[] categoryL3;
  public final int[] marketingTargets;
  public final long[] advertiserIds;
  public final int[] industryIds;

  public BehaviorColumns(int length) {
    eventIdHashes = new int[length];
    eventTimes = new long[length];
    domains = new byte[length];
    actionTypes = new byte[length];
    scenarios = new int[length];
    actionDetails = new float[length];
    itemIds = new long[length];
    creativeIds = new long[length];
    productIds = new long[length];
    spuIds = new long[length];
    categoryL1 = new int[length];
    categoryL2 = new int[length];
    categoryL3 = new int[length];
    marketingTargets = new int[length];
    advertiserIds = new long[length];
    industryIds = new int[length];
  }

  public int length() {
    return eventTimes.length;
  }

  public void set(int i, Behavior b) {
    eventIdHashes[i] = b.eventIdHash();
    eventTimes[i] = b.eventTime();
    domains[i] = b.domain();
    actionTypes[i] = b.actionType();
    scenarios[i] = b.scenario();
    actionDetails[i] = b.actionDetail();
    itemIds[i] = b.itemId();
    creativeIds[i] = b.creativeId();
    productIds[i] = b.productId();
    spuIds[i] = b.spuId();
    categoryL1[i] = b.categoryL1();
    categoryL2[i] = b.categoryL2();
    categoryL3[i] = b.categoryL3();
    marketingTargets[i] = b.marketingTarget();
    advertiserIds[i] = b.advertiserId();
    industryIds[i] = b.industryId();
  }

  public Behavior get(int i) {
    return new Behavior(
        eventIdHashes[i],
        eventTimes[i],
        domains[i],
        actionTypes[i],
        scenarios[i],
        actionDetails[i],
        itemIds[i],
        creativeIds[i],
        productIds[i],
        spuIds[i],
        categoryL1[i],
        categoryL2[i],
        categoryL3[i],
        marketingTargets[i],
        advertiserIds[i],
        industryIds[i]);
  }

  /** True when rows {@code i} of this and {@code j} of {@code other} hold the same item fields. */
  public boolean sameItem(int i, BehaviorColumns other, int j) {
    return itemIds[i] == other.itemIds[j]
        && creativeIds[i] == other.creativeIds[j]
        && productIds[i] == other.productIds[j]
        && spuIds[i] == other.spuIds[j]
        && categoryL1[i] == other.categoryL1[j]
        && categoryL2[i] == other.categoryL2[j]
        && categoryL3[i] == other.categoryL3[j]
        && marketingTargets[i] == other.marketingTargets[j]
        && advertiserIds[i] == other.advertiserIds[j]
        && industryIds[i] == other.industryIds[j];
  }

  /** A hash of the item fields of row {@code i}, consistent with {@link #sameItem}. */
  public int itemHash(int i) {
    long h = itemIds[i];
    h = h * 31 + creativeIds[i];
    h = h * 31 + productIds[i];
    h = h * 31 + spuIds[i];
    h = h * 31 + categoryL1[i];
    h = h * 31 + categoryL2[i];
    h = h * 31 + categoryL3[i];
    h = h * 31 + marketingTargets[i];
    h = h * 31 + advertiserIds[i];
    h = h * 31 + industryIds[i];
    h *= 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }

  /** Copies the item fields of row {@code from} of {@code source} into row {@code i}. */
  public void setItem(int i, BehaviorColumns source, int from) {
    itemIds[i] = source.itemIds[from];
    creativeIds[i] = source.creativeIds[from];
    productIds[i] = source.productIds[from];
    spuIds[i] = source.spuIds[from];
    categoryL1[i] = source.categoryL1[from];
    categoryL2[i] = source.categoryL2[from];
    categoryL3[i] = source.categoryL3[from];
    marketingTargets[i] = source.marketingTargets[from];
    advertiserIds[i] = source.advertiserIds[from];
    industryIds[i] = source.industryIds[from];
  }

  public static void copy(
      BehaviorColumns src, int srcPos, BehaviorColumns dst, int dstPos, int length) {
    System.arraycopy(src.eventIdHashes, srcPos, dst.eventIdHashes, dstPos, length);
    System.arraycopy(src.eventTimes, srcPos, dst.eventTimes, dstPos, length);
    System.arraycopy(src.domains, srcPos, dst.domains, dstPos, length);
    System.arraycopy(src.actionTypes, srcPos, dst.actionTypes, dstPos, length);
    System.arraycopy(src.scenarios, srcPos, dst.scenarios, dstPos, length);
    System.arraycopy(src.actionDetails, srcPos, dst.actionDetails, dstPos, length);
    System.arraycopy(src.itemIds, srcPos, dst.itemIds, dstPos, length);
    System.arraycopy(src.creativeIds, srcPos, dst.creativeIds, dstPos, length);
    System.arraycopy(src.productIds, srcPos, dst.productIds, dstPos, length);
    System.arraycopy(src.spuIds, srcPos, dst.spuIds, dstPos, length);
    System.arraycopy(src.categoryL1, srcPos, dst.categoryL1, dstPos, length);
    System.arraycopy(src.categoryL2, srcPos, dst.categoryL2, dstPos, length);
    System.arraycopy(src.categoryL3, srcPos, dst.categoryL3, dstPos, length);
    System.arraycopy(src.marketingTargets, srcPos, dst.marketingTargets, dstPos, length);
    System.arraycopy(src.advertiserIds, srcPos, dst.advertiserIds, dstPos, length);
    System.arraycopy(src.industryIds, srcPos, dst.industryIds, dstPos, length);
  }

  /** Rows {@code [from, to)} as new columns. */
  public BehaviorColumns slice(int from, int to) {
    BehaviorColumns slice = new BehaviorColumns(to - from);
    copy(this, from, slice, 0, to - from);
    return slice;
  }

  /** First row in {@code [0, size)} whose event time is {@code >= time} (rows sorted by time). */
  public int firstAtOrAfter(long time, int size) {
    return firstAtOrAfter(time, 0, size);
  }

  /** First row in {@code [from, to)} whose event time is {@code >= time} (rows sorted by time). */
  public int firstAtOrAfter(long time, int from, int to) {
    int lo = from;
    int hi = to;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (eventTimes[mid] < time) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** First row in {@code [0, size)} whose event time is {@code > time} (rows sorted by time). */
  public int firstAfter(long time, int size) {
    return firstAfter(time, 0, size);
  }

  /** First row in {@code [from, to)} whose event time is {@code > time} (rows sorted by time). */
  public int firstAfter(long time, int from, int to) {
    int lo = from;
    int hi = to;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (eventTimes[mid] <= time) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
