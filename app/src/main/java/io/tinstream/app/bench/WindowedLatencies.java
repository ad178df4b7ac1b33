package io.tinstream.app.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Latency samples kept by the time they were taken, so a benchmark reports percentiles per fixed
 * window (e.g. every 10 s) and over the whole measured span, rather than over "the last N samples"
 * of a reservoir, which hides when a run got slower and mixes the warm-up into the figures.
 *
 * <p>Samples taken before {@code startNanos} (the warm-up) are dropped; percentiles are exact
 * (nearest rank over the stored samples), which a few minutes of requests easily afford.
 * Thread-safe: the ad-server driver records from its reader thread while the bench reads.
 */
public final class WindowedLatencies {

  /** One window's figures; {@code startSeconds} is relative to the start of the measurement. */
  public record Window(double startSeconds, int count, double p50Ms, double p99Ms, double maxMs) {}

  /** Figures over every measured sample. */
  public record Summary(int count, double p50Ms, double p99Ms, double maxMs) {}

  private final long startNanos;
  private final long windowNanos;
  private final TreeMap<Long, double[]> windows = new TreeMap<>();
  private final TreeMap<Long, Integer> sizes = new TreeMap<>();

  public WindowedLatencies(long startNanos, Duration window) {
    if (window.isZero() || window.isNegative()) {
      throw new IllegalArgumentException("window must be > 0, got " + window);
    }
    this.startNanos = startNanos;
    this.windowNanos = window.toNanos();
  }

  /** Records {@code valueMs} taken at {@code atNanos} ({@link System#nanoTime()} clock). */
  public synchronized void record(long atNanos, double valueMs) {
    if (atNanos < startNanos || Double.isNaN(valueMs)) {
      return;
    }
    long index = (atNanos - startNanos) / windowNanos;
    double[] values = windows.computeIfAbsent(index, i -> new double[64]);
    int size = sizes.getOrDefault(index, 0);
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
      windows.put(index, values);
    }
    values[size] = valueMs;
    sizes.put(index, size + 1);
  }

  /**
   * Every window from the start up to the last one with a sample, empty ones included (count 0, NaN
   * percentiles): a gap in answers is a finding, not something to skip.
   */
  public synchronized List<Window> windows() {
    List<Window> out = new ArrayList<>();
    if (windows.isEmpty()) {
      return out;
    }
    for (long i = 0; i <= windows.lastKey(); i++) {
      double[] sorted = sorted(i);
      out.add(
          new Window(
              i * windowNanos / 1e9,
              sorted.length,
              percentile(sorted, 0.50),
              percentile(sorted, 0.99),
              sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1]));
    }
    return out;
  }

  /** Percentiles over all samples since the start. */
  public synchronized Summary overall() {
    int total = sizes.values().stream().mapToInt(Integer::intValue).sum();
    double[] all = new double[total];
    int at = 0;
    for (var e : windows.entrySet()) {
      int n = sizes.get(e.getKey());
      System.arraycopy(e.getValue(), 0, all, at, n);
      at += n;
    }
    Arrays.sort(all);
    return new Summary(
        total,
        percentile(all, 0.50),
        percentile(all, 0.99),
        total == 0 ? Double.NaN : all[total - 1]);
  }

  private double[] sorted(long index) {
    double[] values = windows.get(index);
    if (values == null) {
      return new double[0];
    }
    double[] copy = Arrays.copyOf(values, sizes.get(index));
    Arrays.sort(copy);
    return copy;
  }

  /** Nearest-rank percentile of {@code sorted}; NaN when empty. */
  static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
