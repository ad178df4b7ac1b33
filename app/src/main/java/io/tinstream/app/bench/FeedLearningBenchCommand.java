package io.tinstream.app.bench;

import io.tinstream.app.report.BenchReport;
import io.tinstream.app.report.BenchReport.Table;
import io.tinstream.models.ModelParams;
import io.tinstream.models.ModelRegistry;
import io.tinstream.training.data.FeedLearningCurve;
import io.tinstream.training.data.FeedLearningCurve.Point;
import io.tinstream.training.data.SyntheticFeed;
import io.tinstream.training.features.HistorySelector;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench feed-learning}: how close each variant, trained online on the synthetic feed, gets
 * to the feed's ceiling, under the default click model and with parts of it switched off; the parts
 * a variant cannot learn show as the gap that closes when they are gone.
 */
@Command(
    name = "feed-learning",
    mixinStandardHelpOptions = true,
    description =
        "Train variants online on the synthetic feed (no Flink, no Kafka: the trainer's loop) and"
            + " compare their progressive AUC with the feed's ceiling, per click model.")
public final class FeedLearningBenchCommand implements Callable<Integer> {
  public static final String SECTION_ID = "feed-learning";
  public static final String SECTION_TITLE = "Learning the synthetic feed: progressive vs ceiling";

  /** The click models compared: the feed's default and the default with parts switched off. */
  enum Clicks {
    DEFAULT("default"),
    NO_FAVOURITES("no-favourites"),
    FAVOURITES_ONLY("favourites-only");

    final String name;

    Clicks(String name) {
      this.name = name;
    }

    SyntheticFeed.ClickModel model() {
      SyntheticFeed.ClickModel d = SyntheticFeed.ClickModel.defaults();
      return switch (this) {
        case DEFAULT -> d;
        case NO_FAVOURITES ->
            new SyntheticFeed.ClickModel(
                d.baseLogitByScenario(),
                d.engagementWeight(),
                d.engagementHalfLifeMs(),
                0,
                d.longTermBoost());
        case FAVOURITES_ONLY ->
            new SyntheticFeed.ClickModel(
                d.baseLogitByScenario(), 0, d.engagementHalfLifeMs(), d.favouriteBoost(), 0);
      };
    }

    static Clicks parse(String name) {
      for (Clicks c : values()) {
        if (c.name.equals(name)) {
          return c;
        }
      }
      throw new IllegalArgumentException(
          "unknown click model '" + name + "', expected default, no-favourites or favourites-only");
    }
  }

  @Mixin BenchOptions options;

  @Mixin BenchOptions.Threads threads;

  @Option(
      names = "--users",
      defaultValue = "2000",
      description = "Users (default: ${DEFAULT-VALUE})")
  int users;

  @Option(
      names = "--events",
      defaultValue = "1200000",
      description = "Feed events per run (default: ${DEFAULT-VALUE}, about 420,000 examples)")
  long events;

  @Option(
      names = "--variants",
      split = ",",
      defaultValue = "tin,pool",
      description = "Variants, each trained in its own run (default: ${DEFAULT-VALUE})")
  List<String> variants;

  @Option(
      names = "--clicks",
      split = ",",
      defaultValue = "default,no-favourites,favourites-only",
      description = "Click models (default: ${DEFAULT-VALUE})")
  List<String> clicks;

  @Option(
      names = "--search",
      defaultValue = "hierarchical",
      description = "History selection, as tinstream.search.mode (default: ${DEFAULT-VALUE})")
  String search;

  @Option(
      names = "--k",
      defaultValue = "64",
      description = "Behaviors per example, as tinstream.search.k (default: ${DEFAULT-VALUE})")
  int k;

  @Option(names = "--seed", defaultValue = "42", description = "Feed and model seed")
  long seed;

  @Option(names = "--dim", defaultValue = "16", description = "Embedding dim d (default: 16)")
  int dim;

  @Option(
      names = "--embedding-init-std",
      defaultValue = "0.05",
      description = "Std of the initial embedding rows (default: ${DEFAULT-VALUE})")
  float embeddingInitStd;

  @Option(
      names = "--embedding-lr",
      defaultValue = "0.5",
      description = "Adagrad rate of the embedding tables, the job's online one (default: 0.5)")
  float embeddingLearningRate;

  @Option(
      names = "--item-match",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "The item-match term, as the job trains online (default: on; --no-item-match: the"
              + " models as MODELS.md defines them without it)")
  boolean itemMatch;

  @Option(
      names = "--projections",
      description = "Learned W_q, W_k, W_v, W_u in the TIN layers instead of identity")
  boolean projections;

  /** One run's last report. */
  public record Result(
      String clicks, String variant, long examples, double modelAuc, double ceilingAuc) {}

  @Override
  public Integer call() {
    options.require(
        users > 0 && events > 0 && k > 0 && dim > 0,
        "--users, --events, --k and --dim must be > 0");
    for (String v : variants) {
      options.require(
          ModelRegistry.names().contains(v),
          "unknown model '" + v + "'; known: " + ModelRegistry.names());
    }
    List<Clicks> models = new ArrayList<>();
    for (String c : clicks) {
      try {
        models.add(Clicks.parse(c.trim()));
      } catch (IllegalArgumentException e) {
        options.require(false, e.getMessage());
      }
    }
    HistorySelector selector = HistorySelector.parse(search, k);
    PrintWriter err = options.err();
    List<Result> results = new ArrayList<>();
    for (Clicks c : models) {
      for (String variant : variants) {
        results.add(run(c, variant, selector, err));
      }
    }
    BenchReport report = options.report(SECTION_ID, SECTION_TITLE);
    addTo(report, results);
    report.data(results).write(options.out(), err);
    return 0;
  }

  private Result run(Clicks clicks, String variant, HistorySelector selector, PrintWriter err) {
    SyntheticFeed.Config feed =
        SyntheticFeed.Config.defaults(users, events, seed).withClick(clicks.model());
    // The defaults are the job's online parameters (ModelSpecs), item match included.
    ModelParams params =
        ModelParams.builder()
            .variant(variant)
            .maxHistoryLength(k)
            .seed(seed)
            .dim(dim)
            .embeddingInitStd(embeddingInitStd)
            .embeddingLearningRate(embeddingLearningRate)
            .projections(projections)
            .itemMatch(itemMatch)
            .threads(threads.get(), 1)
            .build();
    List<Point> points =
        new FeedLearningCurve(feed, params, selector, FeedLearningCurve.Settings.defaults())
            .run(
                p -> {
                  err.printf(
                      Locale.ROOT,
                      "%s / %s: %,d examples, progressive AUC %.4f, ceiling %.4f%n",
                      clicks.name,
                      variant,
                      p.examples(),
                      p.modelAuc(),
                      p.ceilingAuc());
                  err.flush();
                });
    options.require(!points.isEmpty(), "--events too few for one window of 50,000 examples");
    Point last = points.get(points.size() - 1);
    return new Result(clicks.name, variant, last.examples(), last.modelAuc(), last.ceilingAuc());
  }

  private void addTo(BenchReport report, List<Result> results) {
    report.paragraph(
        String.format(
            Locale.ROOT,
            "Command: `./tinstream bench feed-learning --users %d --events %d --variants %s"
                + " --clicks %s --search %s --k %d --seed %d --threads %d --dim %d"
                + " --embedding-init-std %s --embedding-lr %s%s%s`. The trainer's loop"
                + " without Flink (`FeedLearningCurve`): each impression an example from the"
                + " user's behaviors before it (%s search, K = %d), micro-batches of 256 scored"
                + " before they train; item match %s; AUC over the last 50,000 examples at the"
                + " end of the run,"
                + " beside the AUC of those examples' true click probabilities (the ceiling)."
                + " no-favourites: the click model without its favourite-item boost;"
                + " favourites-only: only the favourite boost and the scenario base rates.",
            users,
            events,
            String.join(",", variants),
            String.join(",", clicks),
            search,
            k,
            seed,
            threads.get(),
            dim,
            embeddingInitStd,
            embeddingLearningRate,
            projections ? " --projections" : "",
            itemMatch ? "" : " --no-item-match",
            search,
            k,
            itemMatch ? "on (the job's online default)" : "off"));
    Table table =
        Table.of("click model", "variant", "examples", "progressive AUC", "ceiling AUC", "gap");
    for (Result r : results) {
      table.row(
          r.clicks(),
          r.variant(),
          String.format(Locale.ROOT, "%,d", r.examples()),
          String.format(Locale.ROOT, "%.3f", r.modelAuc()),
          String.format(Locale.ROOT, "%.3f", r.ceilingAuc()),
          String.format(Locale.ROOT, "%.3f", r.ceilingAuc() - r.modelAuc()));
    }
    report.table(table);
  }
}
