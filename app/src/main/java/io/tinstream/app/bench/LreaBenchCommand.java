package io.tinstream.app.bench;

import io.tinstream.app.report.BenchmarkDoc;
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
import io.tinstream.training.lrea.LreaEntryBuilder;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.IntSupplier;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench-lrea}: scoring cost per candidate against the trajectory length L for DIN over the
 * whole L ({@code din-long}), TIN on a hierarchical hard search of K behaviors ({@code
 * tin-hard-search}: search in Java over L plus TIN on K) and LREA from a stored pair (absorbed,
 * independent of L), plus the cost of rebuilding one user's LREA pair from L behaviors. One request
 * = one user with {@code --candidates} candidates; weights are untrained (cost does not depend on
 * them).
 */
@Command(
    name = "bench-lrea",
    mixinStandardHelpOptions = true,
    description = "Benchmark LREA scoring and rebuild cost against din-long and tin+hard search.")
public final class LreaBenchCommand implements Callable<Integer> {
  public static final String SECTION_ID = "lrea";
  public static final String SECTION_TITLE = "LREA scoring cost vs trajectory length";

  @Spec CommandSpec spec;

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

  @Option(names = "--threads", defaultValue = "2", description = "TF intra-op threads")
  int threads;

  @Option(
      names = "--doc",
      defaultValue = "docs/benchmarks.md",
      description = "Markdown file to update (default: ${DEFAULT-VALUE})")
  Path doc;

  @Option(
      names = "--plot",
      defaultValue = "docs/bench-lrea.png",
      description = "PNG plot (default: ${DEFAULT-VALUE})")
  Path plot;

  @Option(names = "--no-doc", description = "Only print the table")
  boolean noDoc;

  /** Microseconds per candidate of each method, and of one rebuild, at one L. */
  public record Row(
      int length, double dinLongUs, double tinSearchUs, double lreaUs, double rebuildUs) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    if (candidates < 1 || rank < 1 || dim < 1 || k < 1) {
      err.println("bench-lrea: --candidates, --rank, --dim and --k must be >= 1");
      return 2;
    }
    List<Row> rows = new ArrayList<>();
    for (int len : lengths) {
      if (len < 1) {
        err.println("bench-lrea: lengths must be >= 1");
        return 2;
      }
      rows.add(measure(len, err));
    }
    String table = table(rows);
    out.println();
    out.print(table);
    out.flush();
    if (!noDoc) {
      writePlot(rows, plot);
      String rel = doc.toAbsolutePath().getParent().relativize(plot.toAbsolutePath()).toString();
      BenchmarkDoc.replaceSection(
          doc, SECTION_ID, SECTION_TITLE, table + "\n![cost per candidate vs L](" + rel + ")\n");
      err.println("updated " + doc + " and " + plot);
    }
    return 0;
  }

  Row measure(int len, PrintWriter err) {
    Random rnd = new Random(len);
    List<Behavior> behaviors = new ArrayList<>(len);
    for (int i = 0; i < len; i++) {
      behaviors.add(behavior(rnd, i));
    }
    TrajectoryView view = TrajectoryView.of(behaviors);
    Batch candidatesOnly = candidates(rnd, Batch.allocate(candidates, 1, false));

    double din;
    try (CtrModel m = ModelRegistry.build(params("din-long", len))) {
      Batch req = candidates(new Random(len), fullHistory(view, len, candidates));
      din = perCandidate(() -> m.score(req).length);
    }
    err.printf(Locale.ROOT, "L=%d din-long %.1f us/candidate%n", len, din);
    err.flush();

    double tin;
    try (CtrModel m = ModelRegistry.build(params("tin", k))) {
      long now = view.eventTime(view.size() - 1) + 1000;
      tin =
          perCandidate(
              () -> {
                Batch req = Batch.allocate(candidates, k, false);
                for (int c = 0; c < candidates; c++) {
                  SearchTarget t = new SearchTarget(1 + c % 20, 100 + c % 60, 1000 + c, 0, now);
                  int[] kept = SearchStage.hierarchicalHardSearch(view, t, k);
                  fillSelected(req, c, view, kept, now);
                }
                return candidates(new Random(1), req).size == candidates ? m.score(req).length : 0;
              });
    }
    err.printf(Locale.ROOT, "L=%d tin-hard-search K=%d %.1f us/candidate%n", len, k, tin);
    err.flush();

    double lrea;
    double rebuild;
    try (LreaModel m = (LreaModel) ModelRegistry.build(params("lrea", len))) {
      LreaEntryBuilder b = new LreaEntryBuilder(m);
      var entry = b.rebuild(view);
      lrea = perCandidate(() -> b.score(entry, candidatesOnly).length);
      rebuild = perCandidate(() -> b.rebuild(view) == null ? 0 : 1);
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
        .threads(threads, 1)
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

  /** {@code n} rows each holding the whole trajectory (one user's request, DIN over all L). */
  private static Batch fullHistory(TrajectoryView view, int len, int n) {
    Batch one = LreaEntryBuilder.historyBatch(view, len);
    Batch b = Batch.allocate(n, len, false);
    for (int r = 0; r < n; r++) {
      int base = r * len;
      System.arraycopy(one.histItem, 0, b.histItem, base, len);
      System.arraycopy(one.histCat1, 0, b.histCat1, base, len);
      System.arraycopy(one.histCat2, 0, b.histCat2, base, len);
      System.arraycopy(one.histCat3, 0, b.histCat3, base, len);
      System.arraycopy(one.histAction, 0, b.histAction, base, len);
      System.arraycopy(one.histScenario, 0, b.histScenario, base, len);
      System.arraycopy(one.histPosition, 0, b.histPosition, base, len);
      for (int j = 0; j < len; j++) {
        b.histDeltaSec[base + j] = (len - j) * 60f;
      }
      b.lengths[r] = one.lengths[0];
    }
    return b;
  }

  private static void fillSelected(Batch b, int row, TrajectoryView view, int[] kept, long now) {
    int base = row * b.maxLen;
    for (int j = 0; j < kept.length; j++) {
      int i = kept[j];
      b.histItem[base + j] = io.tinstream.training.features.BatchBuilder.rawId(view.itemId(i));
      b.histCat1[base + j] = view.categoryL1(i);
      b.histCat2[base + j] = view.categoryL2(i);
      b.histCat3[base + j] = view.categoryL3(i);
      b.histAction[base + j] = view.actionType(i);
      b.histScenario[base + j] = view.scenario(i);
      b.histPosition[base + j] = view.size() - i;
      b.histDeltaSec[base + j] = (now - view.eventTime(i)) / 1000f;
    }
    b.lengths[row] = kept.length;
  }

  private static Batch candidates(Random rnd, Batch b) {
    for (int r = 0; r < b.size; r++) {
      b.targetItem[r] = rnd.nextInt(50_000);
      b.targetCat1[r] = 1 + rnd.nextInt(20);
      b.targetCat2[r] = 100 + rnd.nextInt(60);
      b.targetCat3[r] = 1000 + rnd.nextInt(300);
      b.targetScenario[r] = rnd.nextInt(3);
    }
    return b;
  }

  String table(List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "`bench-lrea --candidates %d --rank %d --dim %d --k %d --threads %d` (%s, %d CPU cores"
                + " visible, shared with other work; MLP 200-80). One request = one user with %d"
                + " candidates; µs per candidate, wall clock. din-long: DIN over all L behaviors."
                + " tin+hard-search: `SearchStage.hierarchicalHardSearch` over L in Java plus TIN on"
                + " K. lrea: absorbed scoring from the stored (E_comp, E_aux) pair (L never read)."
                + " rebuild: one user's pair from L behaviors (µs per user).%n%n",
            candidates,
            rank,
            dim,
            k,
            threads,
            System.getProperty("os.arch"),
            Runtime.getRuntime().availableProcessors(),
            candidates));
    sb.append(
        "| L | din-long µs/cand | tin+hard-search µs/cand | lrea absorbed µs/cand |"
            + " din-long / lrea | lrea rebuild µs/user |\n");
    sb.append("|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %d | %.1f | %.1f | %.1f | %.1f× | %.0f |%n",
              r.length(),
              r.dinLongUs(),
              r.tinSearchUs(),
              r.lreaUs(),
              r.dinLongUs() / r.lreaUs(),
              r.rebuildUs()));
    }
    return sb.toString();
  }

  static void writePlot(List<Row> rows, Path file) throws Exception {
    XYChart chart =
        new XYChartBuilder()
            .width(720)
            .height(420)
            .title("Scoring cost per candidate vs trajectory length")
            .xAxisTitle("L (behaviors)")
            .yAxisTitle("µs per candidate")
            .build();
    chart.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    double[] x = rows.stream().mapToDouble(Row::length).toArray();
    chart.addSeries("din-long", x, rows.stream().mapToDouble(Row::dinLongUs).toArray());
    chart.addSeries("tin+hard-search", x, rows.stream().mapToDouble(Row::tinSearchUs).toArray());
    chart.addSeries("lrea absorbed", x, rows.stream().mapToDouble(Row::lreaUs).toArray());
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new LreaBenchCommand()).execute(args));
  }
}
