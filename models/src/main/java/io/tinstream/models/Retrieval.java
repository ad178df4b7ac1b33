package io.tinstream.models;

import java.util.Arrays;

/**
 * Retrieval path of the two-tower models: ranks a candidate pool for one user by {@code u_{cat(a)}
 * · e_a} using cached head vectors and precomputed ad vectors.
 */
public final class Retrieval {
  private Retrieval() {}

  /**
   * Top {@code n} pool indices by score, best first; pool entries with {@code excluded[i]} are
   * skipped (e.g. items the user already interacted with).
   */
  public static int[] topN(
      UserHeadCache user, float[] adVectors, int[] adSlots, boolean[] excluded, int n) {
    float[] s = scores(user, adVectors, adSlots);
    Integer[] idx = new Integer[s.length];
    int m = 0;
    for (int i = 0; i < s.length; i++) {
      if (excluded == null || !excluded[i]) {
        idx[m++] = i;
      }
    }
    Integer[] kept = Arrays.copyOf(idx, m);
    Arrays.sort(kept, (a, b) -> a.equals(b) ? 0 : s[a] != s[b] ? Float.compare(s[b], s[a]) : a - b);
    int k = Math.min(n, m);
    int[] out = new int[k];
    for (int i = 0; i < k; i++) {
      out[i] = kept[i];
    }
    return out;
  }

  /** Scores of every pool entry ({@code adVectors} is {@code [pool, d]} row-major). */
  public static float[] scores(UserHeadCache user, float[] adVectors, int[] adSlots) {
    int d = user.dim();
    float[] s = new float[adSlots.length];
    for (int i = 0; i < adSlots.length; i++) {
      s[i] = user.score(adSlots[i], adVectors, i * d);
    }
    return s;
  }

  /**
   * 0-based rank of pool entry {@code target} among the non-excluded entries (ties count against
   * the target, so a constant model ranks it last among equals).
   */
  public static int rankOf(float[] scores, boolean[] excluded, int target) {
    int rank = 0;
    for (int i = 0; i < scores.length; i++) {
      if (i != target && (excluded == null || !excluded[i]) && scores[i] >= scores[target]) {
        rank++;
      }
    }
    return rank;
  }
}
