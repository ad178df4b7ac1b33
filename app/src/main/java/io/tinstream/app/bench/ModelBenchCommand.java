package io.tinstream.app.bench;

import io.tinstream.app.report.BenchmarkDoc;
import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;
import io.tinstream.models.ModelParams;
import io.tinstream.models.ModelRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench-models}: train samples/s and score candidates/s of a model (default TIN) at a batch
 * size over several history lengths, on synthetic full-length histories (the worst case: no
 * padding).
 */
@Command(
    name = "bench-models",
    mixinStandardHelpOptions = true,
    description = "Benchmark train and score throughput of a model variant on this CPU.")
public final class ModelBenchCommand implements Callable<Integer> {
  public static final String SECTION_ID = "model-core";
  public static final String SECTION_TITLE = "Model core (TIN, TF Java CPU)";

  @Spec CommandSpec spec;

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
      names = "--threads",
      defaultValue = "2",
      description = "TF intra-op threads (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(
      names = "--dim",
      defaultValue = "16",
      description = "Embedding dim d (default: ${DEFAULT-VALUE})")
  int dim;

  @Option(
      names = "--doc",
      defaultValue = "docs/benchmarks.md",
      description = "Markdown file to update (default: ${DEFAULT-VALUE})")
  Path doc;

  @Option(names = "--no-doc", description = "Only print the table")
  boolean noDoc;

  /** One measured configuration. */
  public record Result(int length, double trainSamplesPerSec, double scoreCandidatesPerSec) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    if (!ModelRegistry.names().contains(model)) {
      err.println("bench-models: unknown model '" + model + "'; known: " + ModelRegistry.names());
      return 2;
    }
    List<Result> results = new ArrayList<>();
    for (int len : lengths) {
      Result r = measure(len, err);
      results.add(r);
    }
    String table = table(results);
    out.println();
    out.print(table);
    out.flush();
    if (!noDoc) {
      BenchmarkDoc.replaceSection(doc, SECTION_ID, SECTION_TITLE, table);
      err.println("updated " + doc);
    }
    return 0;
  }

  Result measure(int len, PrintWriter err) {
    ModelParams p =
        ModelParams.builder()
            .variant(model)
            .dim(dim)
            .maxHistoryLength(len)
            .positionBuckets(len + 1)
            .threads(threads, 1)
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

  String table(List<Result> results) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "`bench-models --model %s --batch-size %d --threads %d` (d=%d, MLP 200-80, full-length"
                + " synthetic histories, %s, %d CPU cores visible).%n%n",
            model,
            batchSize,
            threads,
            dim,
            System.getProperty("os.arch"),
            Runtime.getRuntime().availableProcessors()));
    sb.append("| model | B | L | train samples/s | score candidates/s |\n");
    sb.append("|---|---|---|---|---|\n");
    for (Result r : results) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %.0f | %.0f |%n",
              model,
              batchSize,
              r.length(),
              r.trainSamplesPerSec(),
              r.scoreCandidatesPerSec()));
    }
    return sb.toString();
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

  public static void main(String[] args) {
    System.exit(new CommandLine(new ModelBenchCommand()).execute(args));
  }
}
