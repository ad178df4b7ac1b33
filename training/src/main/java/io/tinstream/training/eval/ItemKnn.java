package io.tinstream.training.eval;

import io.tinstream.training.batch.Trajectory;
import io.tinstream.training.metrics.Metrics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A non-neural floor for the CTR task: item-kNN over the latest {@link #LAST} behaviors. The score
 * of a target item {@code a} is {@code Σ_b sim(a, b)} over the latest {@link #LAST} behaviors
 * {@code b} strictly before the target, with the cosine co-occurrence similarity {@code sim(a, b) =
 * c(a, b) / sqrt(n_a n_b)}: {@code c} counts how often {@code a} and {@code b} are adjacent (one
 * right after the other, either order) in a user's training interactions and {@code n} how often an
 * item occurs in them. Only the training split is counted ({@link CtrTask#trainPrefix}), so nothing
 * of validation or test leaks in. Scores are not probabilities: its LogLoss is reported as NaN.
 */
public final class ItemKnn {
  public static final String NAME = "item-knn";
  public static final int LAST = 20;

  private final CtrTask task;
  private final Map<Long, Integer> pairs = new HashMap<>();
  private final Map<Integer, Integer> counts = new HashMap<>();

  private ItemKnn(CtrTask task) {
    this.task = task;
  }

  /** Counts co-occurrences over the training split of {@code task}. */
  public static ItemKnn fit(CtrTask task) {
    ItemKnn knn = new ItemKnn(task);
    List<Trajectory> trajs = task.trajectories();
    for (int ti = 0; ti < trajs.size(); ti++) {
      int[] items = trajs.get(ti).item();
      int end = task.trainPrefix(ti);
      for (int j = 0; j < end; j++) {
        knn.counts.merge(items[j], 1, Integer::sum);
        if (j + 1 < end && items[j] != items[j + 1]) {
          knn.pairs.merge(key(items[j], items[j + 1]), 1, Integer::sum);
        }
      }
    }
    return knn;
  }

  private static long key(int a, int b) {
    int lo = Math.min(a, b);
    int hi = Math.max(a, b);
    return ((long) lo << 32) | (hi & 0xFFFFFFFFL);
  }

  /** Cosine co-occurrence similarity of two items on the training split (0 when never adjacent). */
  public double similarity(int a, int b) {
    Integer c = pairs.get(key(a, b));
    if (c == null) {
      return 0;
    }
    return c / Math.sqrt((double) counts.get(a) * counts.get(b));
  }

  /** Score of sample {@code i} of {@code s}. */
  public double score(CtrTask.Samples s, int i) {
    Trajectory t = task.trajectories().get(s.traj[i]);
    int end = s.histEnd[i];
    double sum = 0;
    for (int j = Math.max(0, end - LAST); j < end; j++) {
      sum += similarity(s.item[i], t.item()[j]);
    }
    return sum;
  }

  /** AUC and GAUC of the scores over {@code s}; LogLoss NaN (scores are not probabilities). */
  public OfflineEvaluator.Scores evaluate(CtrTask.Samples s) {
    int n = s.size();
    float[] scores = new float[n];
    float[] labels = new float[n];
    int[] users = new int[n];
    for (int i = 0; i < n; i++) {
      scores[i] = (float) score(s, i);
      labels[i] = s.label[i];
      users[i] = task.trajectories().get(s.traj[i]).userId();
    }
    return new OfflineEvaluator.Scores(
        Metrics.auc(scores, labels), Metrics.gauc(scores, labels, users), Double.NaN);
  }

  /**
   * Fits on the training split and scores validation and test, as one "epoch" (it has no seed: the
   * result is deterministic given the task); samples/s = training samples over fit time.
   */
  public static OfflineEvaluator.Run run(CtrTask task) {
    long t0 = System.nanoTime();
    ItemKnn knn = fit(task);
    double perSec = task.train().size() / ((System.nanoTime() - t0) / 1e9);
    OfflineEvaluator.Scores v = knn.evaluate(task.valid());
    OfflineEvaluator.Scores t = knn.evaluate(task.test());
    OfflineEvaluator.Epoch e = new OfflineEvaluator.Epoch(1, Double.NaN, v, t, perSec);
    return new OfflineEvaluator.Run(NAME, 0, 1, v, t, perSec, List.of(e));
  }
}
