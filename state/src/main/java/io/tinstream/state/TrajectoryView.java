package io.tinstream.state;

import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.state.internal.BehaviorColumns;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A read-only columnar view of a user's trajectory, oldest first: what search and feature assembly
 * read. Views may share columns (see {@link #prefixBefore}); nothing mutates them.
 */
public final class TrajectoryView {
  public static final TrajectoryView EMPTY = new TrajectoryView(BehaviorColumns.EMPTY, 0);

  private final BehaviorColumns columns;
  private final int size;

  TrajectoryView(BehaviorColumns columns, int size) {
    this.columns = columns;
    this.size = size;
  }

  /** A view of the given behaviors sorted by event time (ties keep the list order). */
  public static TrajectoryView of(List<Behavior> behaviors) {
    List<Behavior> sorted = new ArrayList<>(behaviors);
    sorted.sort(Comparator.comparingLong(Behavior::eventTime));
    BehaviorColumns columns = new BehaviorColumns(sorted.size());
    for (int i = 0; i < sorted.size(); i++) {
      columns.set(i, sorted.get(i));
    }
    return new TrajectoryView(columns, sorted.size());
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** The behaviors strictly before {@code time}: the past of a request or impression at time. */
  public TrajectoryView prefixBefore(long time) {
    int end = columns.firstAtOrAfter(time, size);
    return end == size ? this : new TrajectoryView(columns, end);
  }

  public Behavior behavior(int i) {
    checkIndex(i);
    return columns.get(i);
  }

  public int eventIdHash(int i) {
    checkIndex(i);
    return columns.eventIdHashes[i];
  }

  public long eventTime(int i) {
    checkIndex(i);
    return columns.eventTimes[i];
  }

  public byte domain(int i) {
    checkIndex(i);
    return columns.domains[i];
  }

  public byte actionType(int i) {
    checkIndex(i);
    return columns.actionTypes[i];
  }

  public int scenario(int i) {
    checkIndex(i);
    return columns.scenarios[i];
  }

  public float actionDetail(int i) {
    checkIndex(i);
    return columns.actionDetails[i];
  }

  public long itemId(int i) {
    checkIndex(i);
    return columns.itemIds[i];
  }

  public long creativeId(int i) {
    checkIndex(i);
    return columns.creativeIds[i];
  }

  public long productId(int i) {
    checkIndex(i);
    return columns.productIds[i];
  }

  public long spuId(int i) {
    checkIndex(i);
    return columns.spuIds[i];
  }

  public int categoryL1(int i) {
    checkIndex(i);
    return columns.categoryL1[i];
  }

  public int categoryL2(int i) {
    checkIndex(i);
    return columns.categoryL2[i];
  }

  public int categoryL3(int i) {
    checkIndex(i);
    return columns.categoryL3[i];
  }

  /** Category of behavior {@code i} at the given level. */
  public int category(int i, CategoryLevel level) {
    checkIndex(i);
    return categoryColumn(level)[i];
  }

  public int marketingTarget(int i) {
    checkIndex(i);
    return columns.marketingTargets[i];
  }

  public long advertiserId(int i) {
    checkIndex(i);
    return columns.advertiserIds[i];
  }

  public int industryId(int i) {
    checkIndex(i);
    return columns.industryIds[i];
  }

  /** The behaviors at {@code indices} (in the given order) as an Avro columnar sequence. */
  public BehaviorSequence toSequence(int[] indices) {
    int n = indices.length;
    List<Long> eventTimes = new ArrayList<>(n);
    List<Long> itemIds = new ArrayList<>(n);
    List<Integer> categoryL1 = new ArrayList<>(n);
    List<Integer> categoryL2 = new ArrayList<>(n);
    List<Integer> categoryL3 = new ArrayList<>(n);
    List<Integer> actionTypes = new ArrayList<>(n);
    List<Integer> scenarios = new ArrayList<>(n);
    List<Integer> domains = new ArrayList<>(n);
    List<Float> actionDetails = new ArrayList<>(n);
    for (int i : indices) {
      checkIndex(i);
      eventTimes.add(columns.eventTimes[i]);
      itemIds.add(columns.itemIds[i]);
      categoryL1.add(columns.categoryL1[i]);
      categoryL2.add(columns.categoryL2[i]);
      categoryL3.add(columns.categoryL3[i]);
      actionTypes.add((int) columns.actionTypes[i]);
      scenarios.add(columns.scenarios[i]);
      domains.add((int) columns.domains[i]);
      actionDetails.add(columns.actionDetails[i]);
    }
    return BehaviorSequence.newBuilder()
        .setEventTimes(eventTimes)
        .setItemIds(itemIds)
        .setCategoryL1(categoryL1)
        .setCategoryL2(categoryL2)
        .setCategoryL3(categoryL3)
        .setActionTypes(actionTypes)
        .setScenarios(scenarios)
        .setDomains(domains)
        .setActionDetails(actionDetails)
        .build();
  }

  /** The whole column of one category level; only rows below {@link #size()} are valid. */
  int[] categoryColumn(CategoryLevel level) {
    return switch (level) {
      case L1 -> columns.categoryL1;
      case L2 -> columns.categoryL2;
      case L3 -> columns.categoryL3;
    };
  }

  /** Columns shared with the search stage; only rows below {@link #size()} are valid. */
  BehaviorColumns columns() {
    return columns;
  }

  private void checkIndex(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("Behavior " + i + " of a trajectory of " + size);
    }
  }

  @Override
  public String toString() {
    return "TrajectoryView[size=" + size + "]";
  }
}
