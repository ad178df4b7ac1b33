package io.tinstream.streaming;

import java.util.Arrays;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;

/**
 * A histogram over the values recorded in the last {@code windowMs} of wall-clock time (at most
 * {@code capacity} of them, the newest kept).
 *
 * <p>Flink's own histograms keep the last N values whatever their age, so a latency or freshness
 * percentile read now can describe a backlog worked off minutes ago (a quiet path keeps its last
 * burst forever). Latencies an operator of a live system reads must describe the last seconds.
 */
public final class TimeWindowedHistogram implements Histogram {

  private final long windowMs;
  private final long[] values;
  private final long[] times;
  private int head;
  private int size;
  private long count;

  public TimeWindowedHistogram(long windowMs, int capacity) {
    if (windowMs <= 0 || capacity <= 0) {
      throw new IllegalArgumentException("window and capacity must be > 0");
    }
    this.windowMs = windowMs;
    this.values = new long[capacity];
    this.times = new long[capacity];
  }

  @Override
  public void update(long value) {
    update(value, System.currentTimeMillis());
  }

  /** Records {@code value} as seen at {@code nowMs}. */
  public synchronized void update(long value, long nowMs) {
    if (size == values.length) {
      head = (head + 1) % values.length;
      size--;
    }
    int at = (head + size) % values.length;
    values[at] = value;
    times[at] = nowMs;
    size++;
    count++;
  }

  @Override
  public synchronized long getCount() {
    return count;
  }

  @Override
  public HistogramStatistics getStatistics() {
    return statisticsAt(System.currentTimeMillis());
  }

  /** The values of the window ending at {@code nowMs}. */
  public synchronized HistogramStatistics statisticsAt(long nowMs) {
    while (size > 0 && times[head] < nowMs - windowMs) {
      head = (head + 1) % values.length;
      size--;
    }
    long[] window = new long[size];
    for (int i = 0; i < size; i++) {
      window[i] = values[(head + i) % values.length];
    }
    Arrays.sort(window);
    return new Sorted(window);
  }

  /** Statistics of a sorted snapshot; percentiles are NaN for an empty one (nothing happened). */
  private static final class Sorted extends HistogramStatistics {
    private final long[] sorted;

    Sorted(long[] sorted) {
      this.sorted = sorted;
    }

    @Override
    public double getQuantile(double quantile) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      int rank = (int) Math.ceil(quantile * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }

    @Override
    public long[] getValues() {
      return sorted.clone();
    }

    @Override
    public int size() {
      return sorted.length;
    }

    @Override
    public double getMean() {
      return sorted.length == 0 ? Double.NaN : Arrays.stream(sorted).average().orElse(Double.NaN);
    }

    @Override
    public double getStdDev() {
      if (sorted.length < 2) {
        return 0;
      }
      double mean = getMean();
      double sum = 0;
      for (long v : sorted) {
        sum += (v - mean) * (v - mean);
      }
      return Math.sqrt(sum / (sorted.length - 1));
    }

    @Override
    public long getMax() {
      return sorted.length == 0 ? 0 : sorted[sorted.length - 1];
    }

    @Override
    public long getMin() {
      return sorted.length == 0 ? 0 : sorted[0];
    }
  }
}
