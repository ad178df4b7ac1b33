package io.tinstream.training.online;

import io.tinstream.models.Batch;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.ItemFields;
import java.util.List;

/**
 * Fills a {@link Batch} from what the stream carries: a searched behavior sequence (Avro,
 * columnar), the target item, its scenario and time, and optionally a label. The history keeps its
 * true positions in the trajectory when the sequence has them.
 */
public final class SequenceBatchBuilder {

  private final int capacity;
  private final int maxLen;
  private Batch current;
  private int rows;

  public SequenceBatchBuilder(int capacity, int maxLen) {
    if (capacity <= 0 || maxLen <= 0) {
      throw new IllegalArgumentException("capacity and maxLen must be > 0");
    }
    this.capacity = capacity;
    this.maxLen = maxLen;
  }

  public int rows() {
    return rows;
  }

  public boolean isFull() {
    return rows == capacity;
  }

  /** Adds one row; the newest {@code maxLen} behaviors of the sequence are kept. */
  public void add(
      BehaviorSequence history,
      ItemFields target,
      int scenario,
      long targetTimeMillis,
      float label,
      long userId) {
    if (rows == capacity) {
      throw new IllegalStateException("batch full: call build() first");
    }
    if (current == null) {
      current = Batch.allocate(capacity, maxLen, true);
    }
    Batch b = current;
    int r = rows++;
    List<Long> times = history.getEventTimes();
    int n = times.size();
    int len = Math.min(n, maxLen);
    int from = n - len;
    int base = r * maxLen;
    List<Integer> positions = history.getPositions();
    boolean truePositions = positions.size() == n;
    for (int j = 0; j < len; j++) {
      int i = from + j;
      b.histItem[base + j] = rawId(history.getItemIds().get(i));
      b.histCat1[base + j] = history.getCategoryL1().get(i);
      b.histCat2[base + j] = history.getCategoryL2().get(i);
      b.histCat3[base + j] = history.getCategoryL3().get(i);
      b.histAction[base + j] = history.getActionTypes().get(i);
      b.histScenario[base + j] = history.getScenarios().get(i);
      long deltaMillis = Math.max(0L, targetTimeMillis - times.get(i));
      b.histDeltaSec[base + j] = deltaMillis / 1000f;
      b.histPosition[base + j] = truePositions ? positions.get(i) : len - j;
    }
    for (int j = len; j < maxLen; j++) {
      b.histItem[base + j] = -1;
      b.histCat1[base + j] = -1;
      b.histCat2[base + j] = -1;
      b.histCat3[base + j] = -1;
      b.histAction[base + j] = -1;
      b.histScenario[base + j] = -1;
      b.histDeltaSec[base + j] = 0f;
      b.histPosition[base + j] = 0;
    }
    b.lengths[r] = len;
    b.targetItem[r] = rawId(target.getItemId());
    b.targetCat1[r] = orUnknown(target.getCategoryL1());
    b.targetCat2[r] = orUnknown(target.getCategoryL2());
    b.targetCat3[r] = orUnknown(target.getCategoryL3());
    b.targetScenario[r] = scenario;
    b.labels[r] = label;
    b.userIds[r] = (int) userId;
  }

  /** The filled rows as a batch (trimmed when not full); starts a new one. */
  public Batch build() {
    if (rows == 0) {
      throw new IllegalStateException("empty batch");
    }
    Batch full = current;
    int n = rows;
    current = null;
    rows = 0;
    return n == capacity ? full : full.firstRows(n);
  }

  /** 64-bit ids folded into the model's non-negative int id space; negative stays unknown. */
  public static int rawId(long id) {
    return id < 0 ? -1 : (int) ((id ^ (id >>> 32)) & 0x7fffffff);
  }

  private static int orUnknown(Integer value) {
    return value == null ? -1 : value;
  }
}
