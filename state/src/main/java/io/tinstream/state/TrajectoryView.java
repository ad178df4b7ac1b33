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
  public static final TrajectoryView EMPTY = new TrajectoryView(BehaviorColumns.EMPTY, 0, 0);

  private final BehaviorColumns columns;
  private final int from;
  private final int size;
  private final CategoryIndex categories;

  /** Rows {@code [from, from + size)} of {@code columns}; view index 0 is row {@code from}. */
  TrajectoryView(BehaviorColumns columns, int from, int size) {
    this(columns, from, size, null);
  }

  /** As above, with an index of the columns' categories (covering at least these rows), or null. */
  TrajectoryView(BehaviorColumns columns, int from, int size, CategoryIndex categories) {
    this.columns = columns;
    this.from = from;
    this.size = size;
    this.categories = categories;
  }

  /** A view of the given behaviors sorted by event time (ties keep the list order). */
  public static TrajectoryView of(List<Behavior> behaviors) {
    List<Behavior> sorted = new ArrayList<>(behaviors);
    sorted.sort(Comparator.comparingLong(Behavior::eventTime));
    BehaviorColumns columns = new BehaviorColumns(sorted.size());
    for (int i = 0; i < sorted.size(); i++) {
      columns.set(i, sorted.get(i));
    }
    return new TrajectoryView(columns, 0, sorted.size());
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** The behaviors strictly before {@code time}: the past of a request or impression at time. */
  public TrajectoryView prefixBefore(long time) {
    int end = columns.firstAtOrAfter(time, from, from + size) - from;
    return end == size ? this : new TrajectoryView(columns, from, end, categories);
  }

  public Behavior behavior(int i) {
    checkIndex(i);
    return columns.get(from + i);
  }

  public int eventIdHash(int i) {
    checkIndex(i);
    return columns.eventIdHashes[from + i];
  }

  public long eventTime(int i) {
    checkIndex(i);
    return columns.eventTimes[from + i];
  }

  public byte domain(int i) {
    checkIndex(i);
    return columns.domains[from + i];
  }

  public byte actionType(int i) {
    checkIndex(i);
    return columns.actionTypes[from + i];
  }

  public int scenario(int i) {
    checkIndex(i);
    return columns.scenarios[from + i];
  }

  public float actionDetail(int i) {
    checkIndex(i);
    return columns.actionDetails[from + i];
  }

  public long itemId(int i) {
    checkIndex(i);
    return columns.itemIds[from + i];
  }

  public long creativeId(int i) {
    checkIndex(i);
    return columns.creativeIds[from + i];
  }

  public long productId(int i) {
    checkIndex(i);
    return columns.productIds[from + i];
  }

  public long spuId(int i) {
    checkIndex(i);
    return columns.spuIds[from + i];
  }

  public int categoryL1(int i) {
    checkIndex(i);
    return columns.categoryL1[from + i];
  }

  public int categoryL2(int i) {
    checkIndex(i);
    return columns.categoryL2[from + i];
  }

  public int categoryL3(int i) {
    checkIndex(i);
    return columns.categoryL3[from + i];
  }

  /** Category of behavior {@code i} at the given level. */
  public int category(int i, CategoryLevel level) {
    checkIndex(i);
    return categoryColumn(level)[from + i];
  }

  public int marketingTarget(int i) {
    checkIndex(i);
    return columns.marketingTargets[from + i];
  }

  public long advertiserId(int i) {
    checkIndex(i);
    return columns.advertiserIds[from + i];
  }

  public int industryId(int i) {
    checkIndex(i);
    return columns.industryIds[from + i];
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
    List<Long> creativeIds = new ArrayList<>(n);
    List<Long> productIds = new ArrayList<>(n);
    List<Long> spuIds = new ArrayList<>(n);
    List<Integer> marketingTargets = new ArrayList<>(n);
    List<Long> advertiserIds = new ArrayList<>(n);
    List<Integer> industryIds = new ArrayList<>(n);
    for (int i : indices) {
      checkIndex(i);
      eventTimes.add(columns.eventTimes[from + i]);
      itemIds.add(columns.itemIds[from + i]);
      categoryL1.add(columns.categoryL1[from + i]);
      categoryL2.add(columns.categoryL2[from + i]);
      categoryL3.add(columns.categoryL3[from + i]);
      actionTypes.add((int) columns.actionTypes[from + i]);
      scenarios.add(columns.scenarios[from + i]);
      domains.add((int) columns.domains[from + i]);
      actionDetails.add(columns.actionDetails[from + i]);
      creativeIds.add(columns.creativeIds[from + i]);
      productIds.add(columns.productIds[from + i]);
      spuIds.add(columns.spuIds[from + i]);
      marketingTargets.add(columns.marketingTargets[from + i]);
      advertiserIds.add(columns.advertiserIds[from + i]);
      industryIds.add(columns.industryIds[from + i]);
    }
    // The all-fields constructor, not the builder: a builder validates and copies every field
    // and was the top frame of building a training example.
    return new BehaviorSequence(
        eventTimes,
        itemIds,
        categoryL1,
        categoryL2,
        categoryL3,
        actionTypes,
        scenarios,
        domains,
        actionDetails,
        creativeIds,
        productIds,
        spuIds,
        marketingTargets,
        advertiserIds,
        industryIds,
        new ArrayList<>(0));
  }

  /**
   * The whole column of one category level, shared: view index {@code i} is element {@code offset()
   * + i}.
   */
  int[] categoryColumn(CategoryLevel level) {
    return switch (level) {
      case L1 -> columns.categoryL1;
      case L2 -> columns.categoryL2;
      case L3 -> columns.categoryL3;
    };
  }

  /** Columns shared with the search stage: view index {@code i} is row {@code offset() + i}. */
  BehaviorColumns columns() {
    return columns;
  }

  /** Rows of the columns by category, or null: search then scans the columns. */
  CategoryIndex categoryIndex() {
    return categories;
  }

  /** The row of the columns that is this view's index 0. */
  int offset() {
    return from;
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
