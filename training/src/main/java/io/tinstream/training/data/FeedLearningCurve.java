package io.tinstream.training.data;

import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;
import io.tinstream.models.ModelParams;
import io.tinstream.models.ModelRegistry;
import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.state.Behavior;
import io.tinstream.state.SearchTarget;
import io.tinstream.state.TrajectoryView;
import io.tinstream.training.features.BatchBuilder;
import io.tinstream.training.features.BatchTarget;
import io.tinstream.training.features.HistorySelector;
import io.tinstream.training.features.RowHistory;
import io.tinstream.training.metrics.Metrics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How close one model, trained online on the synthetic feed, gets to the feed's ceiling: the
 * trainer's loop without Flink or Kafka, so a click model or a variant can be judged in a minute
 * instead of a ten-minute demo. Each impression becomes an example from the behaviors before it
 * (selected as the job selects them), labelled by whether the user's next event clicks it; each
 * micro-batch is scored before it trains (progressive validation, as the job's trainer does), and
 * every report compares that AUC with the AUC of the impressions' true click probabilities over the
 * same examples.
 *
 * <p>Each user's past is the latest {@code keep} behaviors, not the whole trajectory: building a
 * view per impression costs O(keep), and the feed's signal (engagement with a 20-minute half-life,
 * favourites replaced within minutes, long-term interests a few times per hundred events) lives
 * well inside a few hundred behaviors.
 */
public final class FeedLearningCurve {

  /** One report: the last {@code window} examples' AUCs after {@code examples} examples. */
  public record Point(long examples, double modelAuc, double ceilingAuc) {
    public double gap() {
      return ceilingAuc - modelAuc;
    }
  }

  /** How the run is sized. */
  public record Settings(int batchSize, int window, int keep, long reportEvery) {
    public Settings {
      if (batchSize <= 0 || window <= 0 || keep <= 0 || reportEvery <= 0) {
        throw new IllegalArgumentException("batch size, window, keep and reportEvery must be > 0");
      }
    }

    public static Settings defaults() {
      return new Settings(256, 50_000, 400, 51_200);
    }
  }

  private record Pending(RowHistory history, BatchTarget target, double p, String requestId) {}

  private final SyntheticFeed.Config feedConfig;
  private final ModelParams params;
  private final HistorySelector selector;
  private final Settings settings;

  public FeedLearningCurve(
      SyntheticFeed.Config feedConfig,
      ModelParams params,
      HistorySelector selector,
      Settings settings) {
    this.feedConfig = feedConfig;
    this.params = params;
    this.selector = selector;
    this.settings = settings;
  }

  /** Runs the whole feed; every {@link Settings#reportEvery()} examples goes to {@code report}. */
  public List<Point> run(Consumer<Point> report) {
    SyntheticTaxonomy taxonomy = SyntheticFeed.defaultTaxonomy();
    SyntheticFeed feed = new SyntheticFeed(feedConfig, taxonomy);
    Map<String, Double> probability = new HashMap<>();
    feed.onImpression((impression, p, clicked) -> probability.put(impression.getEventId(), p));
    int users = feedConfig.users();
    List<ArrayDeque<Behavior>> past = new ArrayList<>(users);
    for (int u = 0; u < users; u++) {
      past.add(new ArrayDeque<>());
    }
    Pending[] pending = new Pending[users];
    Window window = new Window(settings.window());
    List<Point> points = new ArrayList<>();
    int len = params.maxHistoryLength();
    BatchBuilder builder = new BatchBuilder(settings.batchSize(), len);
    double[] batchP = new double[settings.batchSize()];
    try (CtrModel model = ModelRegistry.build(params)) {
      while (feed.hasNext()) {
        BehaviorEvent e = feed.next();
        int u = (int) e.getUserId();
        // The job fills a sparse item's categories from the taxonomy before anything reads it.
        e.setItem(taxonomy.fullItem(e.getItem().getItemId()));
        Pending open = pending[u];
        if (open != null) {
          pending[u] = null;
          boolean clicked =
              e.getActionType() == ActionType.CLICK && open.requestId().equals(e.getRequestId());
          batchP[builder.rows()] = open.p();
          builder.add(open.history(), open.target(), clicked ? 1f : 0f, u);
          if (builder.isFull()) {
            Batch batch = builder.build();
            float[] before = model.score(batch);
            model.trainStep(batch);
            for (int i = 0; i < batch.size; i++) {
              if (window.add(before[i], batch.labels[i], batchP[i]) % settings.reportEvery() == 0
                  && window.full()) {
                Point point = window.point();
                points.add(point);
                report.accept(point);
              }
            }
            builder = new BatchBuilder(settings.batchSize(), len);
          }
        }
        long time = e.getEventTime().toEpochMilli();
        ArrayDeque<Behavior> behaviors = past.get(u);
        if (e.getActionType() == ActionType.IMPRESSION) {
          TrajectoryView view = TrajectoryView.of(new ArrayList<>(behaviors));
          SearchTarget target = SearchTarget.of(e.getItem(), e.getScenario(), time);
          pending[u] =
              new Pending(
                  RowHistory.selected(view, selector.select(view, target)),
                  BatchTarget.of(e.getItem(), e.getScenario(), time),
                  probability.remove(e.getEventId()),
                  e.getRequestId());
        }
        behaviors.addLast(Behavior.fromEvent(e));
        if (behaviors.size() > settings.keep()) {
          behaviors.removeFirst();
        }
      }
    }
    return points;
  }

  /** The last {@code capacity} examples' scores, labels and true probabilities. */
  private static final class Window {
    private final float[] scores;
    private final float[] labels;
    private final float[] truth;
    private long added;

    Window(int capacity) {
      scores = new float[capacity];
      labels = new float[capacity];
      truth = new float[capacity];
    }

    long add(float score, float label, double p) {
      int k = (int) (added % scores.length);
      scores[k] = score;
      labels[k] = label;
      truth[k] = (float) p;
      return ++added;
    }

    boolean full() {
      return added >= scores.length;
    }

    Point point() {
      return new Point(added, Metrics.auc(scores, labels), Metrics.auc(truth, labels));
    }
  }
}
