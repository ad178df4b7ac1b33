package io.tinstream.app.bench;

import io.tinstream.app.report.BenchReport;
import io.tinstream.app.report.BenchReport.Table;
import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;
import io.tinstream.models.LreaModel;
import io.tinstream.models.ModelParams;
import io.tinstream.models.ModelRegistry;
import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.Domain;
import io.tinstream.state.Behavior;
import io.tinstream.state.SearchStage;
import io.tinstream.state.SearchTarget;
import io.tinstream.state.TrajectoryView;
import io.tinstream.training.features.BatchBuilder;
import io.tinstream.training.features.BatchTarget;
import io.tinstream.training.features.RowHistory;
import io.tinstream.training.lrea.LreaEntryBuilder;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.IntSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench lrea}: scoring cost per candidate against the trajectory length L for DIN over the
 * whole L ({@code din-long}), TIN on a hierarchical hard search of K behaviors ({@code
 * tin-hard-search}: search in Java over L plus TIN on K) and LREA from a stored pair (absorbed,
 * independent of L), plus the cost of rebuilding one user's LREA pair from L behaviors. One request
 * = one user with {@code --candidates} candidates; weights are untrained (cost does not depend on
 * them).
 */
@Command(
    name = "lrea",
    mixinStandardHelpOptions = true,
    description = "Benchmark LREA scoring and rebuild cost against din-long and tin+hard search.")
public final class LreaBenchCommand implements Callable<Integer> {
  public static final String SECTION_ID = "lrea";
  public static final String SECTION_TITLE = "LREA scoring cost vs trajectory length";
  public static final String PLOT_FILE = "bench-lrea.png";

  @Mixin BenchOptions options;

  @Mixin BenchOptions.Threads threads;

  @Option(
      names = "--lengths",
      split = ",",
      defaultValue = "1000,10000,50000",
      description = "Trajectory lengths L (default: ${DEFAULT-VALUE})")
  List<Integer> lengths;

  @Option(
      names = "--candidates",
      defaultValue = "16",
      description = "Candidates per request (default: ${DEFAULT-VALUE})")
  int candidates;

  @Option(names = "--rank", defaultValue = "128", description = "LREA rank r (default: 128)")
  int rank;

  @Option(names = "--dim", defaultValue = "16", description = "Embedding dim d (default: 16)")
  int dim;

  @Option(names = "--k", defaultValue = "64", description = "Hard-search K (default: 64)")
  int k;

  @Option(
      names = "--seconds",
      defaultValue = "3",
      description = "Measured seconds per figure (default: ${DEFAULT-VALUE})")
  double seconds;

  /** Microseconds per candidate of each method, and of one rebuild, at one L. */
  public record Row(
      int length, double dinLongUs, double tinSearchUs, double lreaUs, double rebuildUs) {}

  @Override
  public Integer call() throws Exception {
    options.require(
        candidates >= 1 && rank >= 1 && dim >= 1 && k >= 1 && threads.get() >= 1,
        "--candidates, --rank, --dim, --k and --threads must be >= 1");
    options.require(lengths.stream().allMatch(l -> l >= 1), "--lengths must be >= 1");
    BenchReport report = options.report(SECTION_ID, SECTION_TITLE);
    PrintWriter err = options.err();
    List<Row> rows = new ArrayList<>();
    for (int len : lengths) {
      rows.add(measure(len, err));
    }
    addTo(report, rows);
    report.data(rows).write(options.out(), err);
    return 0;
  }

  Row measure(int len, PrintWriter err) {
    Random rnd = new Random(len);
    List<Behavior> behaviors = new ArrayList<>(len);
    for (int i = 0; i < len; i++) {
      behaviors.add(behavior(rnd, i));
    }
    TrajectoryView view = TrajectoryView.of(behaviors);
    long now = view.eventTime(view.size() - 1) + 1000;
    Batch candidatesOnly = request(rnd, RowHistory.EMPTY, 1, now);

    double din;
    try (CtrModel m = ModelRegistry.build(params("din-long", len))) {
      Batch req = request(new Random(len), RowHistory.of(view), len, now);
      din = perCandidate(() -> m.score(req).length);
    }
    err.printf(Locale.ROOT, "L=%d din-long %.1f us/candidate%n", len, din);
    err.flush();

    double tin;
    try (CtrModel m = ModelRegistry.build(params("tin", k))) {
      tin =
          perCandidate(
              () -> {
                BatchBuilder req = new BatchBuilder(candidates, k);
                for (int c = 0; c < candidates; c++) {
                  SearchTarget t = new SearchTarget(1 + c % 20, 100 + c % 60, 1000 + c, 0, now);
                  int[] kept = SearchStage.hierarchicalHardSearch(view, t, k);
                  req.add(
                      RowHistory.selected(view, kept),
                      new BatchTarget(c, t.categoryL1(), t.categoryL2(), t.categoryL3(), 0, now),
                      0f,
                      0);
                }
                return m.score(req.build()).length;
              });
    }
    err.printf(Locale.ROOT, "L=%d tin-hard-search K=%d %.1f us/candidate%n", len, k, tin);
    err.flush();

    double lrea;
    double rebuild;
    try (LreaModel m = (LreaModel) ModelRegistry.build(params("lrea", len))) {
      LreaEntryBuilder b = new LreaEntryBuilder(m);
      var entry = b.rebuild(view, view.size());
      lrea = perCandidate(() -> b.score(entry, candidatesOnly).length);
      rebuild = perCandidate(() -> b.rebuild(view, view.size()) == null ? 0 : 1);
    }
    err.printf(
        Locale.ROOT,
        "L=%d lrea absorbed r=%d %.1f us/candidate, rebuild %.0f us/user%n",
        len,
        rank,
        lrea,
        rebuild);
    err.flush();
    return new Row(len, din, tin, lrea, rebuild);
  }

  /** Microseconds per unit (the supplier returns how many units one call handled). */
  private double perCandidate(IntSupplier call) {
    for (int i = 0; i < 2; i++) {
      call.getAsInt();
    }
    long units = 0;
    long t0 = System.nanoTime();
    long deadline = t0 + (long) (seconds * 1e9);
    int calls = 0;
    while (System.nanoTime() < deadline || calls < 3) {
      units += call.getAsInt();
      calls++;
    }
    return (System.nanoTime() - t0) / 1e3 / units;
  }

  private ModelParams params(String variant, int len) {
    return ModelParams.builder()
        .variant(variant)
        .dim(dim)
        .maxHistoryLength(len)
        .positionBuckets(Math.min(len, 1024) + 1)
        .lreaRank(rank)
        .threads(threads.get(), 1)
        .seed(1)
        .build();
  }

  private static Behavior behavior(Random rnd, int i) {
    long item = rnd.nextInt(50_000);
    return new Behavior(
        Behavior.hashEventId("e" + i),
        1_600_000_000_000L + i * 60_000L,
        (byte) Domain.AD.ordinal(),
        (byte) ActionType.values()[rnd.nextInt(4)].ordinal(),
        rnd.nextInt(3),
        0f,
        item,
        item * 10,
        item * 100,
        Behavior.UNKNOWN,
        1 + rnd.nextInt(20),
        100 + rnd.nextInt(60),
        1000 + rnd.nextInt(300),
        Behavior.UNKNOWN,
        7,
        Behavior.UNKNOWN);
  }

  /** One request: {@code candidates} random ads, each row with the same {@code history}. */
  private Batch request(Random rnd, RowHistory history, int maxLen, long now) {
    BatchBuilder b = new BatchBuilder(candidates, maxLen);
    for (int r = 0; r < candidates; r++) {
      b.add(
          history,
          new BatchTarget(
              rnd.nextInt(50_000),
              1 + rnd.nextInt(20),
              100 + rnd.nextInt(60),
              1000 + rnd.nextInt(300),
              rnd.nextInt(3),
              now),
          0f,
          0);
    }
    return b.build();
  }

  void addTo(BenchReport report, List<Row> rows) {
    report.paragraph(
        String.format(
            Locale.ROOT,
            "`bench lrea --candidates %d --rank %d --dim %d --k %d --threads %d` (%s, %d CPU cores"
                + " visible, shared with other work; MLP 200-80). One request = one user with %d"
                + " candidates; µs per candidate, wall clock. din-long: DIN over all L behaviors."
                + " tin+hard-search: `SearchStage.hierarchicalHardSearch` over L in Java plus TIN on"
                + " K. lrea: absorbed scoring from the stored (E_comp, E_aux) pair (L never read)."
                + " rebuild: one user's pair from L behaviors (µs per user).",
            candidates,
            rank,
            dim,
            k,
            threads.get(),
            System.getProperty("os.arch"),
            Runtime.getRuntime().availableProcessors(),
            candidates));
    Table table =
        Table.of(
            "L",
            "din-long µs/cand",
            "tin+hard-search µs/cand",
            "lrea absorbed µs/cand",
            "din-long / lrea",
            "lrea rebuild µs/user");
    for (Row r : rows) {
      table.row(
          r.length(),
          String.format(Locale.ROOT, "%.1f", r.dinLongUs()),
          String.format(Locale.ROOT, "%.1f", r.tinSearchUs()),
          String.format(Locale.ROOT, "%.1f", r.lreaUs()),
          String.format(Locale.ROOT, "%.1f×", r.dinLongUs() / r.lreaUs()),
          String.format(Locale.ROOT, "%.0f", r.rebuildUs()));
    }
    report.table(table);
    double[] x = rows.stream().mapToDouble(Row::length).toArray();
    report
        .plot(PLOT_FILE, "cost per candidate vs L")
        .title("Scoring cost per candidate vs trajectory length")
        .axes("L (behaviors)", "µs per candidate")
        .logLog()
        .series("din-long", x, rows.stream().mapToDouble(Row::dinLongUs).toArray())
        .series("tin+hard-search", x, rows.stream().mapToDouble(Row::tinSearchUs).toArray())
        .series("lrea absorbed", x, rows.stream().mapToDouble(Row::lreaUs).toArray());
  }
}
