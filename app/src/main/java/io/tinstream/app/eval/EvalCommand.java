package io.tinstream.app.eval;

import io.tinstream.models.ModelParams;
import io.tinstream.models.ModelRegistry;
import io.tinstream.models.embedding.IdRowPolicy;
import io.tinstream.training.data.MovieLensDataset;
import io.tinstream.training.eval.CtrTask;
import io.tinstream.training.eval.ItemKnn;
import io.tinstream.training.eval.MatchingEvaluator;
import io.tinstream.training.eval.OfflineEvaluator;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code eval}: offline next-behavior CTR evaluation of model variants on a MovieLens layout. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Train and evaluate CTR models on the next-behavior task built from a directory in the"
            + " MovieLens ml-latest-small CSV layout; prints AUC, GAUC, LogLoss (mean ± std over"
            + " seeds) and writes JSON and a PNG chart.")
public final class EvalCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--data", required = true, description = "Directory with ratings.csv, movies.csv")
  Path data;

  @Option(
      names = "--model",
      split = ",",
      defaultValue = "pool,din,tin",
      description =
          "Comma list of registered models, or item-knn (the non-neural item-kNN floor)"
              + " (default: ${DEFAULT-VALUE})")
  List<String> models;

  @Option(
      names = "--split",
      defaultValue = "per-user",
      description =
          "per-user: last 5 interactions of each user (with >= 15) to test, 5 before to"
              + " validation; global-time: every interaction at or after the time of the"
              + " 80%-quantile interaction to validation, at or after the 90% one to test"
              + " (default: ${DEFAULT-VALUE})")
  String split;

  @Option(
      names = "--previous",
      description =
          "An earlier eval.json or generated eval page of the same models: the --docs page then"
              + " compares its test AUCs with this run's")
  Path previous;

  @Option(
      names = "--seeds",
      defaultValue = "3",
      description = "Seeds per model (default: ${DEFAULT-VALUE})")
  int seeds;

  @Option(
      names = "--max-len",
      defaultValue = "100",
      description = "History length L (default: ${DEFAULT-VALUE})")
  int maxLen;

  @Option(
      names = "--epochs",
      defaultValue = "4",
      description = "Epochs; the best by validation AUC is reported (default: ${DEFAULT-VALUE})")
  int epochs;

  @Option(
      names = "--batch-size",
      defaultValue = "256",
      description = "Train batch size (default: ${DEFAULT-VALUE})")
  int batchSize;

  @Option(
      names = "--dim",
      defaultValue = "16",
      description = "Embedding dim d (default: ${DEFAULT-VALUE})")
  int dim;

  @Option(
      names = "--lr",
      defaultValue = "0.001",
      description = "Adam learning rate of dense weights (default: ${DEFAULT-VALUE})")
  float lr;

  @Option(
      names = "--emb-lr",
      defaultValue = "0.5",
      description = "Adagrad learning rate of embeddings (default: ${DEFAULT-VALUE})")
  float embLr;

  @Option(
      names = "--data-seed",
      defaultValue = "42",
      description = "Seed of negative sampling (default: ${DEFAULT-VALUE})")
  long dataSeed;

  @Option(
      names = "--lrea-rank",
      defaultValue = "32",
      description = "LREA rank r (default: ${DEFAULT-VALUE})")
  int lreaRank;

  @Option(
      names = "--lrea-lambda",
      defaultValue = "0.3",
      description = "LREA non-negativity loss weight λ (default: ${DEFAULT-VALUE})")
  float lreaLambda;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "TF intra-op threads (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(
      names = "--id-rows",
      defaultValue = "collisionless",
      description =
          "How ids become embedding rows: collisionless (each id seen in training owns a row;"
              + " ids never trained on use the reserved row) or hashed (default: ${DEFAULT-VALUE})")
  String idRows;

  @Option(
      names = "--id-admission-count",
      defaultValue = "1",
      description =
          "Training observations an id needs before it gets a row, collisionless only (default:"
              + " ${DEFAULT-VALUE})")
  int idAdmissionCount;

  @Option(
      names = "--out",
      defaultValue = "results/eval",
      description = "Output directory (default: ${DEFAULT-VALUE})")
  Path out;

  /** Parsed from {@link #idRows} and {@link #idAdmissionCount} in {@link #call}. */
  private IdRowPolicy idRowPolicy = IdRowPolicy.COLLISIONLESS;

  @Option(
      names = "--search-window",
      defaultValue = "1000",
      description =
          "Latest behaviors fed to soft-search models (dare, dare-half, twin), which keep their top"
              + " --max-len; hard-search models (sim, tin-hard-search) search the whole past"
              + " (default: ${DEFAULT-VALUE})")
  int searchWindow;

  @Option(
      names = "--matching",
      split = ",",
      description =
          "Two-tower models to evaluate for matching (recall/NDCG over the item catalogue), e.g."
              + " td-sasrec,sasrec,sasrec-latest")
  List<String> matching = new java.util.ArrayList<>();

  @Option(
      names = "--match-len",
      defaultValue = "50",
      description = "Behaviors fed to the matching user tower (default: ${DEFAULT-VALUE})")
  int matchLen;

  @Option(
      names = "--top-n",
      split = ",",
      defaultValue = "10,50",
      description = "Cutoffs N of recall@N / NDCG@N (default: ${DEFAULT-VALUE})")
  List<Integer> topN;

  @Option(names = "--docs", description = "Also write docs/eval-movielens.md and its PNG")
  boolean docs;

  @Option(
      names = "--docs-dir",
      defaultValue = "docs",
      description = "Docs directory for --docs (default: ${DEFAULT-VALUE})")
  Path docsDir;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter outw = spec.commandLine().getOut();
    if (seeds < 1 || maxLen < 1 || epochs < 1 || batchSize < 1) {
      err.println("eval: --seeds, --max-len, --epochs and --batch-size must be >= 1");
      return 2;
    }
    if (searchWindow < 1 || matchLen < 1 || topN.stream().anyMatch(n -> n < 1)) {
      err.println("eval: --search-window, --match-len and --top-n must be >= 1");
      return 2;
    }
    IdRowPolicy idRowPolicy;
    try {
      idRowPolicy = new IdRowPolicy(IdRowPolicy.Mode.parse(idRows), idAdmissionCount, 0L);
    } catch (IllegalArgumentException e) {
      err.println("eval: " + e.getMessage());
      return 2;
    }
    this.idRowPolicy = idRowPolicy;
    CtrTask.Split taskSplit;
    switch (split) {
      case "per-user" -> taskSplit = CtrTask.Split.PER_USER;
      case "global-time" -> taskSplit = CtrTask.Split.GLOBAL_TIME;
      default -> {
        err.println("eval: --split must be per-user or global-time, not '" + split + "'");
        return 2;
      }
    }
    for (String m : concat(models, matching)) {
      if (!ModelRegistry.names().contains(m) && !(models.contains(m) && isItemKnn(m))) {
        err.println("eval: unknown model '" + m + "'; known: " + ModelRegistry.names());
        return 2;
      }
    }
    MovieLensDataset dataset;
    try {
      dataset = MovieLensDataset.load(data);
    } catch (IllegalArgumentException e) {
      err.println("eval: cannot read dataset: " + e.getMessage());
      return 2;
    }
    long t0 = System.nanoTime();
    List<PreviousRuns.Model> before = List.of();
    if (previous != null) {
      try {
        before = PreviousRuns.read(previous);
      } catch (IllegalArgumentException | java.io.IOException e) {
        err.println("eval: cannot read --previous: " + e.getMessage());
        return 2;
      }
    }
    CtrTask task = CtrTask.build(dataset, dataSeed, taskSplit);
    err.printf(
        Locale.ROOT,
        "task: %d users, %d train / %d valid / %d test samples (%.1fs)%n",
        task.trajectories().size(),
        task.train().size(),
        task.valid().size(),
        task.test().size(),
        (System.nanoTime() - t0) / 1e9);
    err.flush();
    if (task.valid().size() == 0 || task.test().size() == 0) {
      err.println(
          "eval: no user has >= "
              + CtrTask.MIN_INTERACTIONS_FOR_SPLIT
              + " interactions; nothing to evaluate");
      return 2;
    }
    OfflineEvaluator evaluator = new OfflineEvaluator(task, batchSize, maxLen, searchWindow);
    EvalReport report = new EvalReport();
    for (String m : models) {
      if (isItemKnn(m)) {
        // Deterministic given the task: one run, whatever --seeds says.
        OfflineEvaluator.Run run = ItemKnn.run(task);
        err.printf(
            Locale.ROOT,
            "%s: test AUC %.4f GAUC %.4f (valid AUC %.4f)%n",
            m,
            run.test().auc(),
            run.test().gauc(),
            run.valid().auc());
        err.flush();
        report.add(run);
        continue;
      }
      for (int s = 1; s <= seeds; s++) {
        ModelParams params = params(m, s);
        OfflineEvaluator.Run run =
            evaluator.run(
                params,
                epochs,
                line -> {
                  err.println(line);
                  err.flush();
                });
        err.printf(
            Locale.ROOT,
            "%s seed %d: best epoch %d, test AUC %.4f GAUC %.4f LogLoss %.4f%n",
            m,
            s,
            run.bestEpoch(),
            run.test().auc(),
            run.test().gauc(),
            run.test().logLoss());
        err.flush();
        report.add(run);
      }
      // Partial results survive an interrupted long run.
      Files.createDirectories(out);
      Files.writeString(out.resolve("eval.json"), report.json(setup(dataset, task)));
    }
    String table = report.markdownTable();
    outw.println();
    outw.print(table);
    outw.flush();
    List<MatchingEvaluator.Run> matchRuns = new java.util.ArrayList<>();
    if (!matching.isEmpty()) {
      MatchingEvaluator me =
          new MatchingEvaluator(
              task, batchSize, matchLen, topN.stream().mapToInt(Integer::intValue).toArray());
      for (String m : matching) {
        for (int s = 1; s <= seeds; s++) {
          MatchingEvaluator.Run run =
              me.run(
                  params(m, s).toBuilder().maxHistoryLength(matchLen).build(),
                  epochs,
                  line -> {
                    err.println(line);
                    err.flush();
                  });
          err.printf(Locale.ROOT, "%s seed %d: best epoch %d%n", m, s, run.bestEpoch());
          err.flush();
          matchRuns.add(run);
        }
      }
      matchTable = MatchingEvaluator.markdownTable(matchRuns);
      outw.println();
      outw.print(matchTable);
      outw.flush();
    }
    Map<String, Object> setup = setup(dataset, task);
    Files.createDirectories(out);
    if (!matchRuns.isEmpty()) {
      Files.writeString(out.resolve("matching.json"), MatchingEvaluator.json(matchRuns));
    }
    Files.writeString(out.resolve("eval.json"), report.json(setup));
    report.writeChart(out.resolve("eval-auc.png"), "Test AUC on " + data.getFileName());
    err.println("wrote " + out.resolve("eval.json") + " and " + out.resolve("eval-auc.png"));
    if (docs) {
      Files.createDirectories(docsDir);
      report.writeChart(docsDir.resolve("eval-movielens.png"), "Test AUC on " + data.getFileName());
      Files.writeString(
          docsDir.resolve("eval-movielens.md"), markdown(table, setup, before, report));
      err.println("wrote " + docsDir.resolve("eval-movielens.md"));
    }
    err.printf(Locale.ROOT, "total %.1fs%n", (System.nanoTime() - t0) / 1e9);
    return 0;
  }

  private String matchTable;

  private static boolean isItemKnn(String m) {
    return ItemKnn.NAME.equals(m);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static String formatIdRows(IdRowPolicy p) {
    return p.collisionless()
        ? "collisionless (admitted after " + p.minCount() + " training observation(s))"
        : "hashed";
  }

  ModelParams params(String model, int seed) {
    return ModelParams.builder()
        .variant(model)
        .dim(dim)
        .maxHistoryLength(maxLen)
        .positionBuckets(maxLen + 1)
        .learningRate(lr)
        .embeddingLearningRate(embLr)
        .seed(seed)
        .lreaRank(lreaRank)
        .lreaLambda(lreaLambda)
        .threads(threads, 1)
        .idRows(idRowPolicy)
        .build();
  }

  private Map<String, Object> setup(MovieLensDataset dataset, CtrTask task) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("data", data.toString());
    s.put("ratings", dataset.ratings().size());
    s.put("users", task.trajectories().size());
    s.put("train_samples", task.train().size());
    s.put("valid_samples", task.valid().size());
    s.put("test_samples", task.test().size());
    s.put("split", split);
    s.put("seeds", seeds);
    s.put("max_len", maxLen);
    s.put("search_window", searchWindow);
    s.put("id_rows", formatIdRows(idRowPolicy));
    if (!matching.isEmpty()) {
      s.put("match_len", matchLen);
      s.put("top_n", topN);
    }
    s.put("epochs", epochs);
    s.put("batch_size", batchSize);
    s.put("dim", dim);
    s.put("lr", lr);
    s.put("emb_lr", embLr);
    s.put("data_seed", dataSeed);
    s.put("threads", threads);
    return s;
  }

  private String markdown(
      String table, Map<String, Object> setup, List<PreviousRuns.Model> before, EvalReport report) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Offline evaluation on MovieLens (next-behavior CTR)\n\n");
    sb.append("Generated by `eval");
    sb.append(" --data ").append(data).append(" --model ").append(String.join(",", models));
    sb.append(" --seeds ").append(seeds).append(" --max-len ").append(maxLen);
    sb.append(" --search-window ").append(searchWindow);
    if (!"per-user".equals(split)) {
      sb.append(" --split ").append(split);
    }
    sb.append(" --epochs ").append(epochs).append(" --batch-size ").append(batchSize);
    if (!matching.isEmpty()) {
      sb.append(" --matching ").append(String.join(",", matching));
      sb.append(" --match-len ").append(matchLen).append(" --top-n ");
      sb.append(String.join(",", topN.stream().map(String::valueOf).toList()));
    }
    if (previous != null) {
      sb.append(" --previous ").append(previous);
    }
    sb.append(" --docs`; do not edit by hand.\n\n");
    String splitText =
        "per-user".equals(split)
            ? "split per user: last 5 interactions → test, 5 before → validation, rest → train;"
                + " users with fewer than 15 go to train only."
            : "split by global time: with the N ratings sorted by time, every rating at or after"
                + " the time of the one at index ⌊0.9 N⌋ → test, at or after that of the one at"
                + " ⌊0.8 N⌋ (and before) → validation, the rest → train, for every user (a"
                + " boundary second falls wholly on the later side).";
    sb.append(
        "Task: per user, chronologically, each rating is a positive target paired with one"
            + " negative drawn by popularity among all users' ratings strictly before the target's"
            + " time, excluding the items the user rated at or before the target's time (a"
            + " target with no such earlier item, i.e. among the very first ratings of the data,"
            + " gets none); features are only behaviors strictly before the target's time (last"
            + " `max-len`); "
            + splitText
            + " Each model trains for `epochs` epochs; the test metrics of the epoch with the best"
            + " validation AUC are reported, mean ± sample std over seeds (seed = model init and"
            + " shuffling; negatives use `data_seed`). Train samples/s includes batch assembly, on"
            + " this machine's CPU.\n\n");
    if (models.stream().anyMatch(EvalCommand::isItemKnn)) {
      sb.append(
          "`item-knn` is the non-neural floor: score = Σ over the latest 20 behaviors b of the"
              + " cosine co-occurrence similarity c(a, b) / √(n_a n_b), c = how often a and b are"
              + " adjacent in a user's training ratings, n = an item's training count (training"
              + " split only); deterministic, so run once; its scores are not probabilities (no"
              + " LogLoss); train samples/s = training samples over the counting time.\n\n");
    }
    if (previous != null) {
      sb.append("## What changed\n\n");
      sb.append("Test AUC of the same models, the previous run (`");
      sb.append(previous).append("`; its setup is in that file) vs this run (setup below):\n\n");
      sb.append(PreviousRuns.comparison(before, report.rows(), seeds)).append("\n");
    }
    sb.append(
        "History fed per model: `sim` and `tin-hard-search` get the state module's"
            + " SIM / hierarchical hard search (K = `max-len`) over the whole past of the target;"
            + " `dare`, `dare-half` and `twin` get the latest `search-window` behaviors and keep"
            + " their own top `max-len` by attention-space relevance; every other model gets the"
            + " latest `max-len`.\n\n");
    sb.append(table).append("\n");
    sb.append("![test AUC](eval-movielens.png)\n\n");
    if (matchTable != null) {
      sb.append("## Matching (two towers)\n\n");
      sb.append(
          "Trained with BCE on the same positive/negative pairs; for every test positive the"
              + " whole item catalogue minus the items the user rated before is ranked by"
              + " `u_{cat(a)} · e_a`; recall@N / NDCG@N of the true next item, best epoch by"
              + " validation recall at the largest N. `td-sasrec`: one head per L1 category +"
              + " default over the category-stratified sample of `match-len` behaviors;"
              + " `sasrec`: one head, same sample; `sasrec-latest`: one head over the latest"
              + " `match-len` (the latest-K baseline).\n\n");
      sb.append(matchTable).append("\n");
    }
    sb.append("Setup:\n\n");
    for (Map.Entry<String, Object> e : setup.entrySet()) {
      sb.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append("\n");
    }
    return sb.toString();
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new EvalCommand()).execute(args));
  }
}
