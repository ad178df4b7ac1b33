package io.tinstream.training.online;

import io.tinstream.training.metrics.Metrics;
import java.io.Serializable;

/**
 * AUC and LogLoss over the labelled scores of the last {@code windowMs} (and at most {@code
 * capacity} of them), reported only once the window holds at least {@code minPerClass} positives
 * and as many negatives.
 *
 * <p>Both bounds matter online: without the time bound the figure averages over a model that no
 * longer exists (a stream can go quiet for minutes and the last samples of a count window are then
 * old); without the per-class minimum a window of a few dozen samples reports anything from 0.3 to
 * 1.0. Used for progressive validation (scores made before training on the same labels) and for the
 * scores actually served.
 */
public final class ScoreWindow {

  /** How a window is sized: carried in job configuration, one window made per variant. */
  public record Spec(long windowMs, int minPerClass, int capacity) implements Serializable {
    public Spec {
      if (windowMs <= 0 || minPerClass <= 0 || capacity < 2 * minPerClass) {
        throw new IllegalArgumentException(
            "window must be > 0 ms, min per class > 0 and capacity >= 2 x min per class; got "
                + windowMs
                + " ms, "
                + minPerClass
                + ", "
                + capacity);
      }
    }

    public ScoreWindow newWindow() {
      return new ScoreWindow(this);
    }
  }

  /** What the window holds at one moment. */
  public record Figures(double auc, double logLoss, int samples, int positives) {}

  private final long windowMs;
  private final int minPerClass;
  private final float[] scores;
  private final float[] labels;
  private final long[] times;
  private int head;
  private int size;
  private int positives;
  private long seen;

  public ScoreWindow(long windowMs, int minPerClass, int capacity) {
    this(new Spec(windowMs, minPerClass, capacity));
  }

  private ScoreWindow(Spec spec) {
    this.windowMs = spec.windowMs();
    this.minPerClass = spec.minPerClass();
    this.scores = new float[spec.capacity()];
    this.labels = new float[spec.capacity()];
    this.times = new long[spec.capacity()];
  }

  /** Records labelled scores made at {@code nowMs}. */
  public synchronized void record(float[] predicted, float[] truth, long nowMs) {
    for (int i = 0; i < predicted.length; i++) {
      record(predicted[i], truth[i], nowMs);
    }
  }

  /** Records one labelled score made at {@code nowMs}. */
  public synchronized void record(float predicted, float truth, long nowMs) {
    if (size == scores.length) {
      dropOldest();
    }
    int at = (head + size) % scores.length;
    scores[at] = predicted;
    labels[at] = truth;
    times[at] = nowMs;
    size++;
    if (truth > 0.5f) {
      positives++;
    }
    seen++;
  }

  /**
   * The figures over the window ending at {@code nowMs}; AUC and LogLoss are NaN while either class
   * has fewer than the minimum.
   */
  public synchronized Figures figures(long nowMs) {
    while (size > 0 && times[head] < nowMs - windowMs) {
      dropOldest();
    }
    if (positives < minPerClass || size - positives < minPerClass) {
      return new Figures(Double.NaN, Double.NaN, size, positives);
    }
    float[] s = new float[size];
    float[] l = new float[size];
    for (int i = 0; i < size; i++) {
      int at = (head + i) % scores.length;
      s[i] = scores[at];
      l[i] = labels[at];
    }
    return new Figures(Metrics.auc(s, l), Metrics.logLoss(s, l), size, positives);
  }

  /** Labelled scores recorded since the start. */
  public synchronized long seen() {
    return seen;
  }

  private void dropOldest() {
    if (labels[head] > 0.5f) {
      positives--;
    }
    head = (head + 1) % scores.length;
    size--;
  }

  @Override
  public synchronized String toString() {
    return "ScoreWindow[" + windowMs + " ms, " + size + " held, " + positives + " positive]";
  }
}
