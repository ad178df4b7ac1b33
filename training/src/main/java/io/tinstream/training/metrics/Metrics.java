package io.tinstream.training.metrics;

import java.util.Arrays;

/** Offline CTR metrics (MODELS.md "Metrics"). */
public final class Metrics {
  /** Probabilities are clipped to {@code [EPS, 1-EPS]} in {@link #logLoss}. */
  public static final double LOGLOSS_EPS = 1e-7;

  private Metrics() {}

  /**
   * ROC AUC via the rank-sum statistic; tied scores get the average of their ranks (a tie between a
   * positive and a negative counts one half). NaN when either class is absent.
   */
  public static double auc(float[] scores, float[] labels) {
    return auc(scores, labels, null, 0, scores.length);
  }

  /** AUC over {@code idx[from..to)} (or positions {@code from..to} when idx is null). */
  static double auc(float[] scores, float[] labels, int[] idx, int from, int to) {
    int n = to - from;
    long[] keyed = new long[n];
    for (int k = 0; k < n; k++) {
      int i = idx == null ? from + k : idx[from + k];
      keyed[k] = ((long) sortableBits(scores[i]) << 32) | (i & 0xFFFFFFFFL);
    }
    Arrays.sort(keyed);
    double rankSumPos = 0;
    long pos = 0;
    int k = 0;
    while (k < n) {
      int bits = (int) (keyed[k] >> 32);
      int end = k;
      while (end < n && (int) (keyed[end] >> 32) == bits) {
        end++;
      }
      double avgRank = (k + 1 + end) / 2.0; // ranks k+1..end
      for (int j = k; j < end; j++) {
        int i = (int) keyed[j];
        if (labels[i] > 0.5f) {
          rankSumPos += avgRank;
          pos++;
        }
      }
      k = end;
    }
    long neg = n - pos;
    if (pos == 0 || neg == 0) {
      return Double.NaN;
    }
    return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
  }

  /** Order-preserving int key for a float (NaN rejected). */
  private static int sortableBits(float f) {
    if (Float.isNaN(f)) {
      throw new IllegalArgumentException("NaN score");
    }
    if (f == 0f) {
      f = 0f; // -0.0 ties with +0.0
    }
    int bits = Float.floatToIntBits(f);
    return bits >= 0 ? bits : bits ^ 0x7FFFFFFF;
  }

  /**
   * Group AUC: per-user AUC weighted by the user's sample count; users with only one class are
   * skipped. NaN when no user has both classes.
   */
  public static double gauc(float[] scores, float[] labels, int[] users) {
    int n = scores.length;
    long[] keyed = new long[n];
    for (int i = 0; i < n; i++) {
      keyed[i] = ((long) users[i] << 32) | (i & 0xFFFFFFFFL);
    }
    Arrays.sort(keyed);
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = (int) keyed[i];
    }
    double weighted = 0;
    long weight = 0;
    int k = 0;
    while (k < n) {
      int u = users[idx[k]];
      int end = k;
      while (end < n && users[idx[end]] == u) {
        end++;
      }
      double a = auc(scores, labels, idx, k, end);
      if (!Double.isNaN(a)) {
        weighted += a * (end - k);
        weight += end - k;
      }
      k = end;
    }
    return weight == 0 ? Double.NaN : weighted / weight;
  }

  /** Mean binary cross-entropy with probabilities clipped to {@code [1e-7, 1 - 1e-7]}. */
  public static double logLoss(float[] probs, float[] labels) {
    double s = 0;
    for (int i = 0; i < probs.length; i++) {
      double p = Math.min(Math.max(probs[i], LOGLOSS_EPS), 1 - LOGLOSS_EPS);
      s -= labels[i] > 0.5f ? Math.log(p) : Math.log(1 - p);
    }
    return s / probs.length;
  }
}
