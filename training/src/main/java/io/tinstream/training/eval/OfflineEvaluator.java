package io.tinstream.training.eval;

import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;
import io.tinstream.models.LreaModel;
import io.tinstream.models.ModelParams;
import io.tinstream.models.ModelRegistry;
import io.tinstream.models.layers.InterestLayer;
import io.tinstream.training.features.BatchBuilder;
import io.tinstream.training.features.HistorySelector;
import io.tinstream.training.metrics.Metrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains one model on a {@link CtrTask} for a number of epochs, scoring validation and test after
 * each, and reports the test metrics of the epoch with the best validation AUC.
 */
public final class OfflineEvaluator {

  /** AUC, GAUC and LogLoss of one evaluation. */
  public record Scores(double auc, double gauc, double logLoss) {}

  public record Epoch(
      int epoch, double trainLoss, Scores valid, Scores test, double samplesPerSec) {}

  public record Run(
      String model,
      long seed,
      int bestEpoch,
      Scores valid,
      Scores test,
      double trainSamplesPerSec,
      List<Epoch> epochs) {}

  private final CtrTask task;
  private final int batchSize;
  private final int maxLen;
  private final int searchWindow;
  private final Map<HistorySelector, List<Batch>> validBatches = new HashMap<>();
  private final Map<HistorySelector, List<Batch>> testBatches = new HashMap<>();

  public OfflineEvaluator(CtrTask task, int batchSize, int maxLen) {
    this(task, batchSize, maxLen, maxLen);
  }

  /**
   * @param searchWindow how many of the latest behaviors a {@code FULL}-history model (DARE, TWIN)
   *     is fed to search its top {@code maxLen} in; hard-search models search the whole past
   */
  public OfflineEvaluator(CtrTask task, int batchSize, int maxLen, int searchWindow) {
    this.task = task;
    this.batchSize = batchSize;
    this.maxLen = maxLen;
    this.searchWindow = searchWindow;
  }

  /**
   * The history a model with this need is fed offline: its own search with {@code K = maxLen}, the
   * latest {@code searchWindow} for a soft search, the latest {@code maxLen} otherwise.
   */
  public HistorySelector selectorFor(InterestLayer.History need) {
    return HistorySelector.forNeed(need, maxLen, searchWindow, HistorySelector.Kind.LATEST);
  }

  private List<Batch> evalBatches(
      Map<HistorySelector, List<Batch>> cache, CtrTask.Samples s, HistorySelector selector) {
    return cache.computeIfAbsent(
        selector, k -> task.batches(s, CtrTask.identity(s.size()), 1024, k));
  }

  /** Scores every batch and computes the metrics over all of them. */
  public static Scores evaluate(CtrModel model, List<Batch> batches) {
    int n = 0;
    for (Batch b : batches) {
      n += b.size;
    }
    float[] scores = new float[n];
    float[] labels = new float[n];
    int[] users = new int[n];
    int off = 0;
    for (Batch b : batches) {
      float[] s = model.score(b);
      System.arraycopy(s, 0, scores, off, b.size);
      System.arraycopy(b.labels, 0, labels, off, b.size);
      System.arraycopy(b.userIds, 0, users, off, b.size);
      off += b.size;
    }
    return new Scores(
        Metrics.auc(scores, labels),
        Metrics.gauc(scores, labels, users),
        Metrics.logLoss(scores, labels));
  }

  public Run run(ModelParams params, int epochs, Consumer<String> progress) {
    CtrTask.Samples train = task.train();
    Random shuffle = new Random(params.seed() * 7919L + 1);
    int[] order = CtrTask.identity(train.size());
    List<Epoch> history = new ArrayList<>();
    long trainNanos = 0;
    long trained = 0;
    Epoch best = null;
    HistorySelector fed = selectorFor(ModelRegistry.layer(params.variant()).history());
    List<Batch> validBatches = evalBatches(this.validBatches, task.valid(), fed);
    List<Batch> testBatches = evalBatches(this.testBatches, task.test(), fed);
    try (CtrModel model = ModelRegistry.build(params)) {
      for (int epoch = 1; epoch <= epochs; epoch++) {
        shuffleInPlace(order, shuffle);
        BatchBuilder a = new BatchBuilder(batchSize, fed.length());
        double lossSum = 0;
        int steps = 0;
        long t0 = System.nanoTime();
        long lastReport = t0;
        for (int k = 0; k < order.length; k++) {
          task.addTo(a, train, order[k], fed);
          if (a.isFull() || k == order.length - 1) {
            lossSum += model.trainStep(a.build());
            steps++;
            long now = System.nanoTime();
            if (now - lastReport > 15_000_000_000L) {
              progress.accept(
                  String.format(
                      "  %s seed %d epoch %d: %d/%d samples, loss %.4f",
                      params.variant(),
                      params.seed(),
                      epoch,
                      k + 1,
                      order.length,
                      lossSum / steps));
              lastReport = now;
            }
          }
        }
        long nanos = System.nanoTime() - t0;
        trainNanos += nanos;
        trained += order.length;
        Scores v = evaluate(model, validBatches);
        Scores t = evaluate(model, testBatches);
        if (model instanceof LreaModel lrea) {
          // lrea scores through the absorbed path: how far that is from the training path.
          progress.accept(
              String.format(
                  "  %s seed %d epoch %d: test mean |absorbed - decompressed| score gap %.6f",
                  params.variant(), params.seed(), epoch, lrea.meanScoreGap(testBatches)));
        }
        Epoch e = new Epoch(epoch, lossSum / steps, v, t, order.length / (nanos / 1e9));
        history.add(e);
        progress.accept(
            String.format(
                "  %s seed %d epoch %d: train loss %.4f, valid AUC %.4f, test AUC %.4f, %.0f samples/s",
                params.variant(),
                params.seed(),
                epoch,
                e.trainLoss(),
                v.auc(),
                t.auc(),
                e.samplesPerSec()));
        if (best == null || v.auc() > best.valid().auc()) {
          best = e;
        }
      }
    }
    return new Run(
        params.variant(),
        params.seed(),
        best.epoch(),
        best.valid(),
        best.test(),
        trained / (trainNanos / 1e9),
        history);
  }

  private static void shuffleInPlace(int[] a, Random rnd) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
  }
}
