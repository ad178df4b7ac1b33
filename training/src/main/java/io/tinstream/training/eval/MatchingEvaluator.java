package io.tinstream.training.eval;

import io.tinstream.models.Batch;
import io.tinstream.models.CategorySlots;
import io.tinstream.models.CtrModel;
import io.tinstream.models.ModelParams;
import io.tinstream.models.ModelRegistry;
import io.tinstream.models.Retrieval;
import io.tinstream.models.UserHeadCache;
import io.tinstream.models.layers.SasRecLayer;
import io.tinstream.training.batch.Trajectory;
import io.tinstream.training.features.BatchBuilder;
import io.tinstream.training.features.BatchTarget;
import io.tinstream.training.features.HistorySelector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Matching evaluation of the two-tower models (TD-SASRec, SASRec, SASRec over the latest K):
 * trained with BCE on the CTR task's positive/negative pairs (their own history: stratified sample
 * or latest K), then for every validation/test positive the whole item catalogue (minus the items
 * the user interacted with before the target) is ranked by {@code u_{cat(a)} · e_a} through {@link
 * Retrieval}; recall@N and NDCG@N of the true next item. The epoch with the best validation recall
 * at the largest N is reported.
 */
public final class MatchingEvaluator {

  /** recall@N and NDCG@N for each N of {@code cutoffs}. */
  public record Scores(int[] cutoffs, double[] recall, double[] ndcg) {}

  public record Run(String model, long seed, int bestEpoch, Scores valid, Scores test) {}

  private final CtrTask task;
  private final int batchSize;
  private final int maxLen;
  private final int[] cutoffs;
  private final int[] itemIds;
  private final int[][] itemCats;

  public MatchingEvaluator(CtrTask task, int batchSize, int maxLen, int[] cutoffs) {
    this.task = task;
    this.batchSize = batchSize;
    this.maxLen = maxLen;
    this.cutoffs = cutoffs.clone();
    Map<Integer, int[]> cats = task.itemCategories();
    this.itemIds = cats.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
    this.itemCats = new int[itemIds.length][];
    for (int i = 0; i < itemIds.length; i++) {
      itemCats[i] = cats.get(itemIds[i]);
    }
  }

  public Run run(ModelParams params, int epochs, Consumer<String> progress) {
    HistorySelector history =
        HistorySelector.forNeed(
            ModelRegistry.layer(params.variant()).history(),
            maxLen,
            maxLen,
            HistorySelector.Kind.LATEST);
    CtrTask.Samples train = task.train();
    Random shuffle = new Random(params.seed() * 7919L + 1);
    int[] order = CtrTask.identity(train.size());
    Run best = null;
    try (CtrModel model = ModelRegistry.build(params)) {
      for (int epoch = 1; epoch <= epochs; epoch++) {
        shuffleInPlace(order, shuffle);
        BatchBuilder a = new BatchBuilder(batchSize, maxLen);
        double lossSum = 0;
        int steps = 0;
        for (int k = 0; k < order.length; k++) {
          task.addTo(a, train, order[k], history);
          if (a.isFull() || k == order.length - 1) {
            lossSum += model.trainStep(a.build());
            steps++;
          }
        }
        Scores v = evaluate(model, params, task.valid(), history);
        Scores t = evaluate(model, params, task.test(), history);
        int last = cutoffs.length - 1;
        progress.accept(
            String.format(
                Locale.ROOT,
                "  %s seed %d epoch %d: train loss %.4f, valid recall@%d %.4f, test recall@%d %.4f"
                    + " NDCG@%d %.4f",
                params.variant(),
                params.seed(),
                epoch,
                lossSum / steps,
                cutoffs[last],
                v.recall()[last],
                cutoffs[last],
                t.recall()[last],
                cutoffs[last],
                t.ndcg()[last]));
        if (best == null || v.recall()[last] > best.valid().recall()[last]) {
          best = new Run(params.variant(), params.seed(), epoch, v, t);
        }
      }
    }
    return best;
  }

  /** Ranks the catalogue for every positive of {@code s}. */
  Scores evaluate(CtrModel model, ModelParams params, CtrTask.Samples s, HistorySelector history) {
    float[] adVectors = adVectors(model);
    int d = params.dim();
    int heads = model.output(SasRecLayer.OUT_USER_HEADS, probe()).length / d;
    int[] slots = new int[itemIds.length];
    for (int i = 0; i < itemIds.length; i++) {
      slots[i] = CategorySlots.slot(itemCats[i][0], params.categorySlots());
    }
    Map<Integer, Integer> index = new HashMap<>();
    for (int i = 0; i < itemIds.length; i++) {
      index.put(itemIds[i], i);
    }
    List<Integer> positives = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      if (s.label(i) > 0.5f) {
        positives.add(i);
      }
    }
    int[] pos = positives.stream().mapToInt(Integer::intValue).toArray();
    double[] recall = new double[cutoffs.length];
    double[] ndcg = new double[cutoffs.length];
    boolean[] excluded = new boolean[itemIds.length];
    int done = 0;
    for (Batch b : task.batches(s, pos, 1024, history)) {
      float[] all = model.output(SasRecLayer.OUT_USER_HEADS, b);
      for (int r = 0; r < b.size; r++) {
        int sample = pos[done + r];
        float[] mine = Arrays.copyOfRange(all, r * heads * d, (r + 1) * heads * d);
        UserHeadCache user = new UserHeadCache(model.version(), -1, heads, mine);
        Trajectory t = task.trajectories().get(task.trajectoryOf(s, sample));
        int end = task.historyEnd(s, sample);
        for (int j = 0; j < end; j++) {
          Integer ix = index.get(t.item()[j]);
          if (ix != null) {
            excluded[ix] = true;
          }
        }
        int target = index.get(task.itemOf(s, sample));
        excluded[target] = false;
        int rank = Retrieval.rankOf(Retrieval.scores(user, adVectors, slots), excluded, target);
        for (int c = 0; c < cutoffs.length; c++) {
          if (rank < cutoffs[c]) {
            recall[c] += 1;
            ndcg[c] += 1.0 / (Math.log(rank + 2) / Math.log(2));
          }
        }
        for (int j = 0; j < end; j++) {
          Integer ix = index.get(t.item()[j]);
          if (ix != null) {
            excluded[ix] = false;
          }
        }
      }
      done += b.size;
    }
    for (int c = 0; c < cutoffs.length; c++) {
      recall[c] /= Math.max(1, pos.length);
      ndcg[c] /= Math.max(1, pos.length);
    }
    return new Scores(cutoffs.clone(), recall, ndcg);
  }

  /** {@code e_a} of every catalogue item, {@code [items, d]} row-major. */
  private float[] adVectors(CtrModel model) {
    int n = itemIds.length;
    int chunk = 4096;
    float[] out = null;
    int d = model.params().dim();
    out = new float[n * d];
    for (int from = 0; from < n; from += chunk) {
      int m = Math.min(chunk, n - from);
      BatchBuilder b = new BatchBuilder(m, 1);
      for (int r = 0; r < m; r++) {
        int[] c = itemCats[from + r];
        b.addTarget(new BatchTarget(itemIds[from + r], c[0], c[1], c[2], CtrTask.SCENARIO, 0L));
      }
      float[] v = model.output(SasRecLayer.OUT_AD_VECTOR, b.build());
      System.arraycopy(v, 0, out, from * d, m * d);
    }
    return out;
  }

  private static Batch probe() {
    BatchBuilder b = new BatchBuilder(1, 1);
    b.addTarget(BatchTarget.NONE);
    return b.build();
  }

  private static void shuffleInPlace(int[] a, Random rnd) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
  }

  /** Markdown table, mean ± sample std over seeds per model (in first-seen order). */
  public static String markdownTable(List<Run> runs) {
    Map<String, List<Run>> by = new java.util.LinkedHashMap<>();
    for (Run r : runs) {
      by.computeIfAbsent(r.model(), k -> new ArrayList<>()).add(r);
    }
    int[] cut = runs.get(0).test().cutoffs();
    StringBuilder sb = new StringBuilder("| model | seeds |");
    for (int c : cut) {
      sb.append(" recall@").append(c).append(" | NDCG@").append(c).append(" |");
    }
    sb.append("\n|---|---|");
    sb.append("---|---|".repeat(cut.length)).append("\n");
    for (Map.Entry<String, List<Run>> e : by.entrySet()) {
      List<Run> rs = e.getValue();
      sb.append("| ").append(e.getKey()).append(" | ").append(rs.size()).append(" |");
      for (int c = 0; c < cut.length; c++) {
        int ci = c;
        sb.append(' ')
            .append(meanStd(rs.stream().mapToDouble(r -> r.test().recall()[ci]).toArray()))
            .append(" | ")
            .append(meanStd(rs.stream().mapToDouble(r -> r.test().ndcg()[ci]).toArray()))
            .append(" |");
      }
      sb.append("\n");
    }
    return sb.toString();
  }

  static String meanStd(double[] xs) {
    double m = Arrays.stream(xs).average().orElse(Double.NaN);
    double v = 0;
    for (double x : xs) {
      v += (x - m) * (x - m);
    }
    double sd = xs.length > 1 ? Math.sqrt(v / (xs.length - 1)) : 0;
    return String.format(Locale.ROOT, "%.4f ± %.4f", m, sd);
  }

  /** JSON array of runs (hand-written: no JSON dependency in this module). */
  public static String json(List<Run> runs) {
    StringBuilder sb = new StringBuilder("[\n");
    for (int i = 0; i < runs.size(); i++) {
      Run r = runs.get(i);
      sb.append(
          String.format(
              Locale.ROOT,
              "  {\"model\": \"%s\", \"seed\": %d, \"best_epoch\": %d, \"cutoffs\": %s,"
                  + " \"test_recall\": %s, \"test_ndcg\": %s, \"valid_recall\": %s,"
                  + " \"valid_ndcg\": %s}%s%n",
              r.model(),
              r.seed(),
              r.bestEpoch(),
              Arrays.toString(r.test().cutoffs()),
              Arrays.toString(r.test().recall()),
              Arrays.toString(r.test().ndcg()),
              Arrays.toString(r.valid().recall()),
              Arrays.toString(r.valid().ndcg()),
              i == runs.size() - 1 ? "" : ","));
    }
    return sb.append("]\n").toString();
  }
}
