package io.tinstream.app.bench;

import io.tinstream.app.report.BenchReport;
import io.tinstream.app.report.BenchReport.Table;
import io.tinstream.models.ModelParams;
import io.tinstream.models.internal.ParamStore;
import io.tinstream.models.layers.DareLayer;
import io.tinstream.models.layers.InterestLayer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Search cost of DARE's soft search (attention-space embeddings of the whole trajectory, relevance
 * to each candidate, top-K) at full vs reduced attention dim: the DARE paper reports ~50% faster
 * search with {@code d_A = d/2}. Times the TF graph of {@link DareLayer#searchIndices} alone.
 */
@Command(
    name = "dare-search",
    mixinStandardHelpOptions = true,
    description = "Time DARE's soft search at full vs half attention dim over long trajectories.")
public final class DareSearchBenchCommand implements Callable<Integer> {
  public static final String SECTION_ID = "dare-search";
  public static final String SECTION_TITLE = "DARE soft search: full vs half attention dim";

  @Mixin BenchOptions options;

  @Mixin BenchOptions.Threads threads;

  @Option(
      names = "--lengths",
      split = ",",
      defaultValue = "1000,10000",
      description = "Trajectory lengths L (default: ${DEFAULT-VALUE})")
  List<Integer> lengths;

  @Option(
      names = "--dims",
      split = ",",
      defaultValue = "16,8,64,32",
      description = "Attention dims to time, in pairs full,half (default: ${DEFAULT-VALUE})")
  List<Integer> dims;

  @Option(
      names = "--candidates",
      defaultValue = "64",
      description = "Candidate ads per request (default: ${DEFAULT-VALUE})")
  int candidates;

  @Option(names = "--k", defaultValue = "100", description = "Top-K (default: ${DEFAULT-VALUE})")
  int k;

  @Option(
      names = "--iterations",
      defaultValue = "30",
      description = "Timed runs per dim (default: ${DEFAULT-VALUE})")
  int iterations;

  /** One timing: median milliseconds per request (all candidates of one trajectory). */
  public record Row(int length, int attentionDim, double medianMs, double p90Ms) {}

  @Override
  public Integer call() {
    options.require(dims.size() % 2 == 0, "--dims must be pairs full,half");
    options.require(
        candidates > 0 && k > 0 && iterations > 0 && threads.get() > 0,
        "--candidates, --k, --iterations and --threads must be > 0");
    options.require(
        lengths.stream().allMatch(l -> l > 0) && dims.stream().allMatch(d -> d > 0),
        "--lengths and --dims must be > 0");
    BenchReport report = options.report(SECTION_ID, SECTION_TITLE);
    PrintWriter err = options.err();
    List<Row> rows = new ArrayList<>();
    for (int len : lengths) {
      for (int i = 0; i < dims.size(); i += 2) {
        // The pair runs interleaved (full, half, full, ...) so both see the same machine load.
        try (Prepared full = new Prepared(len, dims.get(i));
            Prepared half = new Prepared(len, dims.get(i + 1))) {
          double[][] ms = new double[2][iterations];
          for (int it = -3; it < iterations; it++) {
            double a = full.runMs();
            double b = half.runMs();
            if (it >= 0) {
              ms[0][it] = a;
              ms[1][it] = b;
            }
          }
          for (int j = 0; j < 2; j++) {
            Arrays.sort(ms[j]);
            Row r =
                new Row(
                    len,
                    dims.get(i + j),
                    ms[j][iterations / 2],
                    ms[j][(int) Math.floor(iterations * 0.9)]);
            rows.add(r);
            err.printf(
                Locale.ROOT,
                "L=%d d_A=%d: median %.2f ms, p90 %.2f ms%n",
                len,
                r.attentionDim(),
                r.medianMs(),
                r.p90Ms());
            err.flush();
          }
        }
      }
    }
    report.paragraph(
        "Command: `./tinstream bench dare-search --lengths "
            + join(lengths)
            + " --dims "
            + join(dims)
            + " --candidates "
            + candidates
            + " --k "
            + k
            + " --iterations "
            + iterations
            + " --threads "
            + threads.get()
            + "`.");
    report.paragraph(
        "One request = one user's trajectory of L behaviors (fed as the "
            + candidates
            + " candidates' rows, as the ranking graph does), attention-space embedding of every"
            + " behavior (6 field tables + P_pos + P_dt of width d_A), relevance to each"
            + " candidate, top-"
            + k
            + " indices. Median and p90 over "
            + iterations
            + " timed runs after 3 warm-ups, each pair interleaved run by run, TF CPU, "
            + threads.get()
            + " intra-op threads, on this"
            + " shared 2-core machine.");
    report.table(table(rows)).data(rows).write(options.out(), err);
    return 0;
  }

  private static String join(List<Integer> xs) {
    return String.join(",", xs.stream().map(String::valueOf).toList());
  }

  static Table table(List<Row> rows) {
    Table table = Table.of("L", "d_A", "median ms", "p90 ms", "vs first d_A of the pair");
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      String rel = "";
      if (i % 2 == 1) {
        Row full = rows.get(i - 1);
        rel =
            String.format(
                Locale.ROOT,
                "%.0f%% of d_A=%d time",
                100 * r.medianMs() / full.medianMs(),
                full.attentionDim());
      }
      table.row(
          r.length(),
          r.attentionDim(),
          String.format(Locale.ROOT, "%.2f", r.medianMs()),
          String.format(Locale.ROOT, "%.2f", r.p90Ms()),
          rel);
    }
    return table;
  }

  /** The search graph of one attention dim, initialized, with its feeds ready. */
  final class Prepared implements AutoCloseable {
    private final Graph g = new Graph();
    private final Session session;
    private final List<Placeholder<?>> placeholders = new ArrayList<>();
    private final List<Tensor> feeds = new ArrayList<>();
    private final Operand<TInt32> idx;

    Prepared(int len, int dA) {
      ModelParams p =
          ModelParams.builder().dim(dA).maxHistoryLength(k).positionBuckets(len + 1).build();
      Ops tf = Ops.create(g);
      Map<ModelParams.Field, Operand<TInt32>> hist = new EnumMap<>(ModelParams.Field.class);
      for (ModelParams.Field field : ModelParams.Field.values()) {
        hist.put(field, placeholder(tf, Shape.of(-1, -1)));
      }
      Placeholder<TInt32> histPos = placeholder(tf, Shape.of(-1, -1));
      Placeholder<TInt32> histDt = placeholder(tf, Shape.of(-1, -1));
      Map<ModelParams.Field, Operand<TInt32>> tgt = new EnumMap<>(ModelParams.Field.class);
      for (ModelParams.Field field : ModelParams.Field.targetFields()) {
        tgt.put(field, placeholder(tf, Shape.of(-1)));
      }
      Placeholder<TInt32> slot = placeholder(tf, Shape.of(-1));
      Placeholder<TFloat32> mask =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)));
      placeholders.add(mask);
      InterestLayer.Features f = new InterestLayer.Features(hist, tgt, histPos, histDt, slot);
      idx = DareLayer.searchIndices(tf, new ParamStore(1), p, "A_", dA, f, mask, k);
      session =
          new Session(
              g,
              ConfigProto.newBuilder()
                  .setIntraOpParallelismThreads(threads.get())
                  .setInterOpParallelismThreads(1)
                  .build());
      session.initialize();
      // Same trajectory and candidates for every attention dim (seeded by L only).
      Random rnd = new Random(len * 31L);
      int b = candidates;
      // Feeds in the order of the placeholders: behavior fields, positions, intervals, target
      // fields, category slot, then the mask.
      for (ModelParams.Field field : ModelParams.Field.values()) {
        feeds.add(behaviorRows(rnd, b, len, j -> 1 + rnd.nextInt(p.rows(field) - 1)));
      }
      feeds.add(behaviorRows(rnd, b, len, j -> Math.min(len - j, p.positionBuckets() - 1)));
      feeds.add(behaviorRows(rnd, b, len, j -> 1 + rnd.nextInt(p.timeBuckets() - 1)));
      for (ModelParams.Field field : ModelParams.Field.targetFields()) {
        feeds.add(targetRows(rnd, b, p.rows(field)));
      }
      feeds.add(targetRows(rnd, b, 2));
      float[] m = new float[b * len];
      Arrays.fill(m, 1f);
      feeds.add(TFloat32.tensorOf(Shape.of(b, len), DataBuffers.of(m, true, false)));
    }

    /** A placeholder fed in creation order (the mask comes last). */
    private Placeholder<TInt32> placeholder(Ops tf, Shape shape) {
      Placeholder<TInt32> ph = tf.placeholder(TInt32.class, Placeholder.shape(shape));
      placeholders.add(ph);
      return ph;
    }

    /** One behavior row of {@code len} from {@code row}, the same for each of {@code b}. */
    private static Tensor behaviorRows(
        Random rnd, int b, int len, java.util.function.IntUnaryOperator row) {
      int[] one = new int[len];
      for (int j = 0; j < len; j++) {
        one[j] = row.applyAsInt(j);
      }
      int[] a = new int[b * len];
      for (int c = 0; c < b; c++) {
        System.arraycopy(one, 0, a, c * len, len);
      }
      return TInt32.tensorOf(Shape.of(b, len), DataBuffers.of(a, true, false));
    }

    private static Tensor targetRows(Random rnd, int b, int rows) {
      int[] a = new int[b];
      for (int c = 0; c < b; c++) {
        a[c] = 1 + rnd.nextInt(rows - 1);
      }
      return TInt32.tensorOf(Shape.of(b), DataBuffers.of(a, true, false));
    }

    double runMs() {
      Session.Runner r = session.runner();
      for (int i = 0; i < placeholders.size(); i++) {
        r.feed(placeholders.get(i), feeds.get(i));
      }
      long t0 = System.nanoTime();
      try (Result res = r.fetch(idx).run()) {
        return (System.nanoTime() - t0) / 1e6;
      }
    }

    @Override
    public void close() {
      feeds.forEach(Tensor::close);
      session.close();
      g.close();
    }
  }
}
