package io.tinstream.training.online;

import io.tinstream.training.metrics.Metrics;

/**
 * Online metrics by progressive validation: every micro-batch is scored before the model trains on
 * it, and AUC / LogLoss are computed over the most recent {@code window} such predictions, so the
 * figures follow the model as it learns instead of averaging over its whole past.
 */
public final class ProgressiveValidation {

  private final float[] scores;
  private final float[] labels;
  private int next;
  private int filled;
  private long seen;

  public ProgressiveValidation(int window) {
    if (window <= 1) {
      throw new IllegalArgumentException("window must be > 1, got " + window);
    }
    this.scores = new float[window];
    this.labels = new float[window];
  }

  /** Records predictions made before training on these labels. */
  public void record(float[] predicted, float[] truth) {
    for (int i = 0; i < predicted.length; i++) {
      scores[next] = predicted[i];
      labels[next] = truth[i];
      next = (next + 1) % scores.length;
      filled = Math.min(filled + 1, scores.length);
      seen++;
    }
  }

  /** AUC over the window; NaN until it holds both classes. */
  public double auc() {
    float[][] window = window();
    boolean positive = false;
    boolean negative = false;
    for (float label : window[1]) {
      positive |= label > 0.5f;
      negative |= label <= 0.5f;
    }
    return positive && negative ? Metrics.auc(window[0], window[1]) : Double.NaN;
  }

  /** LogLoss over the window; NaN when empty. */
  public double logLoss() {
    return filled == 0 ? Double.NaN : Metrics.logLoss(window()[0], window()[1]);
  }

  /** Predictions recorded since the start. */
  public long seen() {
    return seen;
  }

  private float[][] window() {
    return new float[][] {
      java.util.Arrays.copyOf(scores, filled), java.util.Arrays.copyOf(labels, filled)
    };
  }
}
