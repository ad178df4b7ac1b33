package io.tinstream.app.bench;

import io.tinstream.app.report.BenchReport;
import io.tinstream.app.report.BenchReport.Table;
import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;
import io.tinstream.models.ModelParams;
import io.tinstream.models.ModelRegistry;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench models}: train samples/s and score candidates/s of a model (default TIN) at a batch
 * size over several history lengths, on synthetic full-length histories (the worst case: no
 * padding).
 */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description = "Benchmark train and score throughput of a model variant on this CPU.")
public final class ModelBenchCommand implements Callable<Integer> {
  public static final String SECTION_ID = "model-core";
  public static final String SECTION_TITLE = "Model core (TIN, TF Java CPU)";

  @Mixin BenchOptions options;

  @Mixin BenchOptions.Threads threads;

  @Option(
      names = "--model",
      defaultValue = "tin",
      description = "Registered model (default: ${DEFAULT-VALUE})")
  String model;

  @Option(
      names = "--batch-size",
      defaultValue = "256",
      description = "Batch size B (default: ${DEFAULT-VALUE})")
  int batchSize;

  @Option(
      names = "--lengths",
      split = ",",
      defaultValue = "64,256,1024",
      description = "History lengths L (default: ${DEFAULT-VALUE})")
  List<Integer> lengths;

  @Option(
      names = "--seconds",
      defaultValue = "8",
      description = "Measured seconds per phase (default: ${DEFAULT-VALUE})")
  double seconds;

  @Option(
      names = "--dim",
      defaultValue = "16",
      description = "Embedding dim d (default: ${DEFAULT-VALUE})")
  int dim;

  /** One measured configuration. */
  public record Result(int length, double trainSamplesPerSec, double scoreCandidatesPerSec) {}

  @Override
  public Integer call() throws Exception {
    options.require(
        ModelRegistry.names().contains(model),
        "unknown model '" + model + "'; known: " + ModelRegistry.names());
    options.require(
        batchSize > 0 && dim > 0 && seconds > 0 && threads.get() > 0,
        "--batch-size, --dim, --seconds and --threads must be > 0");
    options.require(lengths.stream().allMatch(l -> l > 0), "--lengths must be > 0");
    BenchReport report = options.report(SECTION_ID, SECTION_TITLE);
    PrintWriter err = options.err();
    List<Result> results = new ArrayList<>();
    for (int len : lengths) {
      results.add(measure(len, err));
    }
    addTo(report, results);
    report.data(results).write(options.out(), err);
    return 0;
  }

  Result measure(int len, PrintWriter err) {
    ModelParams p =
        ModelParams.builder()
            .variant(model)
            .dim(dim)
            .maxHistoryLength(len)
            .positionBuckets(len + 1)
            .threads(threads.get(), 1)
            .seed(1)
            .build();
    Random rnd = new Random(len);
    Batch[] batches = new Batch[4];
    for (int i = 0; i < batches.length; i++) {
      batches[i] = syntheticBatch(rnd, batchSize, len);
    }
    try (CtrModel m = ModelRegistry.build(p)) {
      for (int i = 0; i < 3; i++) { // warm-up
        m.trainStep(batches[i % batches.length]);
        m.score(batches[i % batches.length]);
      }
      long deadline = System.nanoTime() + (long) (seconds * 1e9);
      long t0 = System.nanoTime();
      int steps = 0;
      while (System.nanoTime() < deadline || steps < 3) {
        m.trainStep(batches[steps % batches.length]);
        steps++;
      }
      double train = (double) steps * batchSize / ((System.nanoTime() - t0) / 1e9);
      deadline = System.nanoTime() + (long) (seconds * 1e9);
      t0 = System.nanoTime();
      int scores = 0;
      while (System.nanoTime() < deadline || scores < 3) {
        m.score(batches[scores % batches.length]);
        scores++;
      }
      double score = (double) scores * batchSize / ((System.nanoTime() - t0) / 1e9);
      err.printf(
          Locale.ROOT,
          "%s B=%d L=%d: %.0f train samples/s (%d steps), %.0f score candidates/s%n",
          model,
          batchSize,
          len,
          train,
          steps,
          score);
      err.flush();
      return new Result(len, train, score);
    }
  }

  void addTo(BenchReport report, List<Result> results) {
    report.paragraph(
        String.format(
            Locale.ROOT,
            "`bench models --model %s --batch-size %d --threads %d` (d=%d, MLP 200-80, full-length"
                + " synthetic histories, %s, %d CPU cores visible).",
            model,
            batchSize,
            threads.get(),
            dim,
            System.getProperty("os.arch"),
            Runtime.getRuntime().availableProcessors()));
    Table table = Table.of("model", "B", "L", "train samples/s", "score candidates/s");
    for (Result r : results) {
      table.row(
          model,
          batchSize,
          r.length(),
          String.format(Locale.ROOT, "%.0f", r.trainSamplesPerSec()),
          String.format(Locale.ROOT, "%.0f", r.scoreCandidatesPerSec()));
    }
    report.table(table);
  }

  /** Full-length histories over a 50k-item, 300-category vocabulary. */
  static Batch syntheticBatch(Random rnd, int size, int len) {
    Batch b = Batch.allocate(size, len, true);
    for (int r = 0; r < size; r++) {
      b.lengths[r] = len;
      for (int j = 0; j < len; j++) {
        int i = r * len + j;
        b.histItem[i] = rnd.nextInt(50_000);
        b.histCat1[i] = rnd.nextInt(30);
        b.histCat2[i] = rnd.nextInt(100);
        b.histCat3[i] = rnd.nextInt(300);
        b.histAction[i] = rnd.nextInt(4);
        b.histScenario[i] = rnd.nextInt(3);
        b.histDeltaSec[i] = (len - j) * 600f;
        b.histPosition[i] = len - j;
      }
      b.targetItem[r] = rnd.nextInt(50_000);
      b.targetCat1[r] = rnd.nextInt(30);
      b.targetCat2[r] = rnd.nextInt(100);
      b.targetCat3[r] = rnd.nextInt(300);
      b.targetScenario[r] = rnd.nextInt(3);
      b.labels[r] = rnd.nextBoolean() ? 1f : 0f;
      b.userIds[r] = r;
    }
    return b;
  }
}
