package io.tinstream.streaming;

import io.tinstream.models.CtrModel;
import io.tinstream.models.ModelParams;
import io.tinstream.models.embedding.MappingCounters;
import io.tinstream.training.online.ScoreWindow;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.flink.metrics.MetricGroup;

/**
 * The names of the job's operators and of the metrics they report, in one place: the operators
 * register them, and the demo's progress lines, the benchmarks and the integration tests read them
 * back (through Flink's REST API) by these same names.
 */
public final class JobMetrics {

  private JobMetrics() {}

  /** Operator names, as they appear in the web UI and the REST API's vertex names. */
  public static final String TRAJECTORY_OPERATOR = "trajectory";

  public static final String TRAINER_OPERATOR = "online-trainer";
  public static final String SCORER_OPERATOR = "scorer";

  /** Prefix of the decode operators (one per input topic). */
  public static final String DECODE_OPERATORS = "decode";

  // The trajectory operator.
  public static final String BEHAVIORS_APPENDED = "behaviorsAppended";
  public static final String BEHAVIORS_DUPLICATE = "behaviorsDuplicate";
  public static final String BEHAVIORS_EXPIRED = "behaviorsExpired";
  public static final String BEHAVIORS_EVICTED = "behaviorsEvicted";
  public static final String USERS = "users";

  /**
   * Trajectory lookups answered from the decoded-trajectory cache, and those that decoded state.
   */
  public static final String TRAJECTORY_CACHE_HITS = "trajectoryCacheHits";

  public static final String TRAJECTORY_CACHE_MISSES = "trajectoryCacheMisses";

  /** Behaviors held decoded in the cache of one trajectory subtask. */
  public static final String TRAJECTORY_CACHE_ROWS = "trajectoryCacheRows";

  public static final String PROBES_ANSWERED = "probesAnswered";
  public static final String REQUESTS = "requests";

  /** Produced to Kafka → in the trajectory, i.e. visible to the next request's search. */
  public static final String BEHAVIOR_FRESHNESS_MS = "behaviorFreshnessMs";

  // The label join (in the trajectory operator).
  public static final String IMPRESSIONS = "impressions";
  public static final String IMPRESSIONS_OVER_PENDING_CAP = "impressionsOverPendingCap";
  public static final String POSITIVES = "positives";
  public static final String NEGATIVES = "negatives";

  /**
   * Clicks that labelled nothing: after their impression's window, or never shown one within it.
   */
  public static final String LATE_CLICKS = "lateClicks";

  public static final String DUPLICATE_CLICKS = "duplicateClicks";
  public static final String TRAINING_EXAMPLES = "trainingExamples";

  // Decoding and validation.
  public static final String DEAD_LETTERS = "deadLetters";

  // The scorer.
  public static final String RESPONSES = "responses";
  public static final String ERROR_RESPONSES = "errorResponses";
  public static final String REQUEST_LATENCY_MS = "requestLatencyMs";
  public static final String MODEL_FRESHNESS_MS = "modelFreshnessMs";

  /**
   * Requests answered "timed out" because they were older than the request deadline when they would
   * have been scored: in the scorer, and in the trajectory operator for the variants served there
   * from per-user state.
   */
  public static final String TIMED_OUT_RESPONSES = "timedOutResponses";

  /** Requests answered "queue full": their variant had no model and its waiting queue was full. */
  public static final String QUEUE_FULL_RESPONSES = "queueFullResponses";

  /** Requests and their candidates waiting in a scorer subtask (next batch or a first model). */
  public static final String BUFFERED_REQUESTS = "bufferedRequests";

  public static final String BUFFERED_CANDIDATES = "bufferedCandidates";

  /** Per variant: requests of a scorer subtask waiting for the variant's first model. */
  public static final String WAITING_FOR_MODEL = "requestsWaitingForModel";

  // Per variant, in the group "variant" → name: see {@link #ofVariant}.
  public static final String VARIANT_GROUP = "variant";
  public static final String ONLINE_AUC = "onlineAuc";
  public static final String ONLINE_LOG_LOSS = "onlineLogLoss";

  /** Labelled predictions in the progressive-validation window now. */
  public static final String ONLINE_SAMPLES = "onlineSamples";

  /** AUC / LogLoss of the scores actually served, joined with their impressions' labels. */
  public static final String SERVED_AUC = "servedAuc";

  public static final String SERVED_LOG_LOSS = "servedLogLoss";
  public static final String SERVED_SAMPLES = "servedSamples";

  /** Labelled impressions whose request's scores were kept and found, per variant, in total. */
  public static final String SERVED_JOINED = "servedJoined";

  /** Labelled impressions of a kept request whose scores never arrived (e.g. an error answer). */
  public static final String SERVED_UNANSWERED = "servedUnanswered";

  /** The operator joining served scores with labels, and the one computing the served AUC. */
  public static final String SERVED_JOIN_OPERATOR = "served-score-join";

  public static final String SERVED_AUC_OPERATOR = "served-auc";
  public static final String MODEL_VERSION = "modelVersion";
  public static final String TRAINED_SAMPLES = "trainedSamples";
  public static final String SKIPPED_BATCHES = "skippedBatches";

  /**
   * Per variant and field ({@code idRows.<field>}): ids given a row of their own, admissions
   * refused because every row was taken, ids that lost their row by expiry, rows held now.
   */
  public static final String ID_ROWS_GROUP = "idRows";

  public static final String ID_ADMISSIONS = "admissions";
  public static final String ID_REFUSED_FULL = "refusedFull";
  public static final String ID_EVICTIONS = "evictions";
  public static final String ID_LIVE_ROWS = "liveRows";
  public static final String SERVING_VERSION = "servingVersion";
  public static final String LREA_RESPONSES = "lreaResponses";
  public static final String LREA_ERROR_RESPONSES = "lreaErrorResponses";
  public static final String LREA_REPLICA_VERSION = "lreaReplicaVersion";
  public static final String LREA_TIMER_REBUILDS = "lreaTimerRebuilds";
  public static final String LREA_INLINE_REBUILDS_MISSING = "lreaInlineRebuildsMissing";
  public static final String LREA_INLINE_REBUILDS_STALE_MODEL = "lreaInlineRebuildsStaleModel";
  public static final String LREA_INLINE_REBUILDS_STALE_TRAJECTORY =
      "lreaInlineRebuildsStaleTrajectory";

  /** Requests scored from a pair of only the behaviors before them (the entry held later ones). */
  public static final String LREA_PAST_ONLY_REBUILDS = "lreaPastOnlyRebuilds";

  public static final String REFUSED_MODEL_GAPS = "refusedModelGaps";
  public static final String HEAD_RESPONSES = "headResponses";
  public static final String HEAD_ERROR_RESPONSES = "headErrorResponses";
  public static final String HEAD_REPLICA_VERSION = "headReplicaVersion";
  public static final String HEAD_REBUILDS_MISSING = "headRebuildsMissing";
  public static final String HEAD_REBUILDS_STALE_MODEL = "headRebuildsStaleModel";
  public static final String HEAD_REBUILDS_STALE_TRAJECTORY = "headRebuildsStaleTrajectory";

  /**
   * The metrics of a variant served from per-user state in the trajectory operator: answers, the
   * replica's version, and the state rebuilt at a request because it was missing, built by an older
   * model or from fewer behaviors; {@code timerRebuilds} is null where rebuilds are lazy only.
   */
  public record PerUserServing(
      String responses,
      String replicaVersion,
      String rebuiltMissing,
      String rebuiltStaleModel,
      String rebuiltStaleTrajectory,
      String timerRebuilds) {}

  public static final PerUserServing LREA_SERVING =
      new PerUserServing(
          LREA_RESPONSES,
          LREA_REPLICA_VERSION,
          LREA_INLINE_REBUILDS_MISSING,
          LREA_INLINE_REBUILDS_STALE_MODEL,
          LREA_INLINE_REBUILDS_STALE_TRAJECTORY,
          LREA_TIMER_REBUILDS);

  public static final PerUserServing HEAD_SERVING =
      new PerUserServing(
          HEAD_RESPONSES,
          HEAD_REPLICA_VERSION,
          HEAD_REBUILDS_MISSING,
          HEAD_REBUILDS_STALE_MODEL,
          HEAD_REBUILDS_STALE_TRAJECTORY,
          null);

  /**
   * Registers a window's AUC, LogLoss and sample count as gauges of {@code group}; the figures are
   * computed once per second however many gauges and readers ask.
   */
  /** The id-row gauges of {@code model} under {@code group}, one subgroup per field. */
  public static void idRowGauges(MetricGroup group, CtrModel model) {
    for (ModelParams.Field f : ModelParams.Field.values()) {
      MetricGroup g = group.addGroup(ID_ROWS_GROUP, f.name().toLowerCase(Locale.ROOT));
      Supplier<MappingCounters> c = () -> model.idRowCounters().getOrDefault(f, NO_MAPPING);
      g.gauge(ID_ADMISSIONS, () -> c.get().admissions());
      g.gauge(ID_REFUSED_FULL, () -> c.get().refusedFull());
      g.gauge(ID_EVICTIONS, () -> c.get().evictions());
      g.gauge(ID_LIVE_ROWS, () -> c.get().liveRows());
    }
  }

  private static final MappingCounters NO_MAPPING = new MappingCounters(0, 0, 0, 0, 0);

  public static void windowGauges(
      MetricGroup group, ScoreWindow window, String auc, String logLoss, String samples) {
    WindowReading reading = new WindowReading(window);
    group.gauge(auc, () -> reading.now().auc());
    group.gauge(logLoss, () -> reading.now().logLoss());
    group.gauge(samples, () -> reading.now().samples());
  }

  /** The figures of a window, recomputed at most once a second. */
  private static final class WindowReading {
    private final ScoreWindow window;
    private ScoreWindow.Figures figures;
    private long at = Long.MIN_VALUE;

    WindowReading(ScoreWindow window) {
      this.window = window;
    }

    synchronized ScoreWindow.Figures now() {
      long now = System.currentTimeMillis();
      if (figures == null || now - at >= 1_000) {
        figures = window.figures(now);
        at = now;
      }
      return figures;
    }
  }

  /** Latency and freshness percentiles are over the values of this last stretch of time. */
  public static final long LATENCY_WINDOW_MS = 10_000;

  /** A latency / freshness histogram over the last {@link #LATENCY_WINDOW_MS}. */
  public static TimeWindowedHistogram latencyHistogram() {
    // Enough for a behavior freshness sample per behavior at 20,000 behaviors/s per subtask.
    return new TimeWindowedHistogram(LATENCY_WINDOW_MS, 200_000);
  }

  /** The REST name of a per-variant metric: {@code variant.<variant>.<metric>}. */
  public static String ofVariant(String variant, String metric) {
    return VARIANT_GROUP + "." + variant + "." + metric;
  }

  /** The REST name of one id-row gauge of {@code variant}'s {@code field}. */
  public static String ofIdRows(String variant, ModelParams.Field field, String metric) {
    return ofVariant(
        variant, ID_ROWS_GROUP + "." + field.name().toLowerCase(Locale.ROOT) + "." + metric);
  }

  /** The REST name of a histogram's statistic, e.g. {@code requestLatencyMs_p99}. */
  public static String p99(String histogram) {
    return histogram + "_p99";
  }

  public static String median(String histogram) {
    return histogram + "_median";
  }
}
