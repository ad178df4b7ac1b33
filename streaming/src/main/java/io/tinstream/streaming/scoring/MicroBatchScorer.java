package io.tinstream.streaming.scoring;

import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.streaming.JobMetrics;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.training.features.BatchBuilder;
import io.tinstream.training.features.BatchTarget;
import io.tinstream.training.features.VariantHistories;
import io.tinstream.training.versions.Follows;
import io.tinstream.training.versions.ModelReplica;
import io.tinstream.training.versions.UpdateVerdict;
import io.tinstream.training.versions.UpdatesSinceFull;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Scores ad requests in micro-batches that span requests: a request that fills a batch by itself
 * while nothing waits is scored on arrival; others wait in keyed state until the batch holds {@code
 * batchCandidates} candidates or the oldest has waited {@code batchDeadlineMs}, then every
 * candidate of every waiting request is scored by the requested variant (or the default) in one
 * model call per variant. Each request gets exactly one {@link ScoreResponse}, stamped with the
 * variant and model version; an unknown variant gets an error response, and so does a request the
 * model scores NaN (counted with the errors; the other requests of its batch are still scored).
 *
 * <p>Model versions arrive on a broadcast stream and are swapped in between batches, never during
 * one: each variant's {@link ModelReplica} catches up when a batch is cut. Until a variant's first
 * version arrives its requests wait, up to {@code maxModelWaitMs}; then they get an error response
 * rather than a score from an untrained model. At most {@code maxWaitingForModel} requests of a
 * variant wait so per subtask: one more is answered at once with a "queue full" error. Every other
 * wait is bounded too: the micro-batch buffer by {@code batchCandidates} (plus one request), the
 * network by Flink's buffers (backpressure leaves the backlog in Kafka). A request older than the
 * {@link RequestDeadline} when it would be scored, wherever it waited, gets a "timed out" error
 * instead of a score. The broadcast state keeps, per variant, the {@link UpdatesSinceFull latest
 * full snapshot and the deltas after it}, so a restored or late scorer rebuilds the current version
 * from the full snapshot first. A delta that does not continue that chain (a gap) is refused: the
 * variant keeps serving its version until the next full snapshot. An update that does not load is
 * refused the same way ({@link ModelReplica}), and a variant with no model because its model could
 * not be built or its first snapshot did not load answers its requests at once with an error naming
 * why.
 */
public final class MicroBatchScorer
    extends KeyedBroadcastProcessFunction<Integer, ScoringWork, ModelUpdate, ScoreResponse> {
  private static final long serialVersionUID = 1L;

  /** Variant → its updates since (and including) the latest full snapshot, oldest first. */
  public static final MapStateDescriptor<String, List<ModelUpdate>> MODELS =
      new MapStateDescriptor<>(
          "scorer-models", Types.STRING, Types.LIST(AvroTypeInfo.of(ModelUpdate.class)));

  // Renamed with the change from the Avro task to ScoringWork: a restore from before the change
  // starts with no waiting requests instead of failing on the old serializer.
  private static final ListStateDescriptor<ScoringWork> WAITING =
      new ListStateDescriptor<>("scorer-waiting-work", ScoringWorkTypeInfo.INSTANCE);
  private static final ValueStateDescriptor<Long> TIMER =
      new ValueStateDescriptor<>("scorer-timer", Types.LONG);
  private static final ValueStateDescriptor<Integer> WAITING_CANDIDATES =
      new ValueStateDescriptor<>("scorer-waiting-candidates", Types.INT);

  /** How often requests waiting for a variant's first model look for it. */
  private static final long MODEL_RETRY_MS = 100;

  private final ModelSpecs specs;
  private final ScorerConfig config;

  private transient VariantHistories histories;
  private transient Map<String, ModelReplica<CtrModel>> models;
  private transient ListState<ScoringWork> waiting;
  private transient ValueState<Long> timer;
  private transient ValueState<Integer> waitingCandidates;
  private transient Counter responses;
  private transient Counter errors;
  private transient Counter refusedGaps;
  private transient Counter timedOut;
  private transient Counter queueFull;
  private transient WaitingWork waitingWork;
  private transient Histogram inJobLatency;
  private transient Histogram modelFreshness;

  public MicroBatchScorer(ModelSpecs specs, ScorerConfig config) {
    this.specs = java.util.Objects.requireNonNull(specs);
    this.config = java.util.Objects.requireNonNull(config);
  }

  @Override
  public void open(OpenContext openContext) {
    models = new HashMap<>();
    histories = specs.histories();
    waiting = getRuntimeContext().getListState(WAITING);
    timer = getRuntimeContext().getState(TIMER);
    waitingCandidates = getRuntimeContext().getState(WAITING_CANDIDATES);
    var metrics = getRuntimeContext().getMetricGroup();
    responses = metrics.counter(JobMetrics.RESPONSES);
    errors = metrics.counter(JobMetrics.ERROR_RESPONSES);
    refusedGaps = metrics.counter(JobMetrics.REFUSED_MODEL_GAPS);
    timedOut = metrics.counter(JobMetrics.TIMED_OUT_RESPONSES);
    queueFull = metrics.counter(JobMetrics.QUEUE_FULL_RESPONSES);
    WaitingWork work = new WaitingWork();
    waitingWork = work;
    metrics.gauge(JobMetrics.BUFFERED_REQUESTS, work::requests);
    metrics.gauge(JobMetrics.BUFFERED_CANDIDATES, work::candidates);
    inJobLatency = metrics.histogram(JobMetrics.REQUEST_LATENCY_MS, JobMetrics.latencyHistogram());
    modelFreshness =
        metrics.histogram(JobMetrics.MODEL_FRESHNESS_MS, JobMetrics.latencyHistogram());
    for (String variant : specs.variants()) {
      var ofVariant = metrics.addGroup(JobMetrics.VARIANT_GROUP, variant);
      ofVariant.gauge(JobMetrics.SERVING_VERSION, () -> servingVersion(variant));
      ofVariant.gauge(JobMetrics.WAITING_FOR_MODEL, () -> work.waitingForModel(variant));
    }
  }

  private long servingVersion(String variant) {
    ModelReplica<CtrModel> replica = models == null ? null : models.get(variant);
    return replica == null ? -1 : replica.version();
  }

  @Override
  public void processElement(ScoringWork task, ReadOnlyContext ctx, Collector<ScoreResponse> out)
      throws Exception {
    ReadOnlyBroadcastState<String, List<ModelUpdate>> broadcast = ctx.getBroadcastState(MODELS);
    String variant = variantOf(task.request());
    String waitsForModelOf = waitsForFirstModel(variant, broadcast) ? variant : null;
    WaitingWork.Tally tally = tally(ctx.getCurrentKey(), broadcast);
    if (waitsForModelOf != null && tally.waitingForModel(variant) >= config.maxWaitingForModel()) {
      // Bounded: an ad server that sends while a variant has no model must not grow the state
      // (and every flush's read of it) without limit. Refused now; those waiting keep their place.
      queueFull.inc();
      out.collect(
          error(
              task,
              variant,
              "queue full: "
                  + tally.waitingForModel(variant)
                  + " requests wait for the first model of variant '"
                  + variant
                  + "' ("
                  + ScorerConfig.MAX_WAITING_FOR_MODEL_KEY
                  + " = "
                  + config.maxWaitingForModel()
                  + ")"));
      return;
    }
    long now = ctx.timerService().currentProcessingTime();
    if (waitsForModelOf == null
        && waitingCandidates.value() == null
        && task.candidates() >= config.batchCandidates()
        && scoredOnArrival(task, broadcast, now, out)) {
      return;
    }
    waitingWork.set(ctx.getCurrentKey(), tally.plus(task.candidates(), waitsForModelOf));
    waiting.add(task);
    int candidates =
        (waitingCandidates.value() == null ? 0 : waitingCandidates.value())
            + task.request().getCandidates().size();
    waitingCandidates.update(candidates);
    if (candidates >= config.batchCandidates()) {
      flush(ctx.getCurrentKey(), broadcast, now, out);
      if (waitingCandidates.value() != null) {
        scheduleFlush(ctx.timerService(), MODEL_RETRY_MS);
      }
    } else {
      scheduleFlush(ctx.timerService(), config.batchDeadlineMs());
    }
  }

  /**
   * A request that fills a batch by itself, with nothing waiting before it, is answered now without
   * the round trip through keyed state: writing its searched histories into RocksDB and reading
   * them back at the flush was most of the scorer's time. False if it must wait after all (its
   * variant's model has not loaded yet); it then takes the waiting path.
   */
  private boolean scoredOnArrival(
      ScoringWork task,
      ReadOnlyBroadcastState<String, List<ModelUpdate>> broadcast,
      long now,
      Collector<ScoreResponse> out)
      throws Exception {
    Map<String, List<ScoringWork>> byVariant = new LinkedHashMap<>();
    List<ScoringWork> mustWait = new ArrayList<>();
    sort(task, broadcast, now, byVariant, mustWait, out);
    if (!mustWait.isEmpty()) {
      return false;
    }
    scoreEach(byVariant, out);
    return true;
  }

  /** One flush timer per key at a time; an earlier one already pending is kept. */
  private void scheduleFlush(TimerService timers, long delayMs) throws Exception {
    if (timer.value() == null) {
      long at = timers.currentProcessingTime() + delayMs;
      timer.update(at);
      timers.registerProcessingTimeTimer(at);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ScoreResponse> out)
      throws Exception {
    Long due = timer.value();
    if (due != null && due == timestamp) {
      timer.clear();
      flush(ctx.getCurrentKey(), ctx.getBroadcastState(MODELS), timestamp, out);
      if (waitingCandidates.value() != null) {
        // Requests still wait for a first model: look again soon (bounded by maxModelWaitMs).
        scheduleFlush(ctx.timerService(), MODEL_RETRY_MS);
      }
    }
  }

  /**
   * Whether a request of {@code variant} arriving now would wait for the variant's first model:
   * nothing has arrived for it yet (an update that has arrived is loaded, or fails, at the flush).
   */
  private boolean waitsForFirstModel(
      String variant, ReadOnlyBroadcastState<String, List<ModelUpdate>> broadcast)
      throws Exception {
    if (!specs.contains(variant)) {
      return false;
    }
    List<ModelUpdate> log = broadcast.get(variant);
    return log == null || log.isEmpty();
  }

  /**
   * What waits under {@code key}: as last counted, or (first time since a restore) counted from the
   * key's state.
   */
  private WaitingWork.Tally tally(
      Object key, ReadOnlyBroadcastState<String, List<ModelUpdate>> broadcast) throws Exception {
    WaitingWork.Tally known = waitingWork.of(key);
    if (known != null) {
      return known;
    }
    WaitingWork.Tally counted = WaitingWork.Tally.EMPTY;
    for (ScoringWork task : waiting.get()) {
      String variant = variantOf(task.request());
      counted =
          counted.plus(task.candidates(), waitsForFirstModel(variant, broadcast) ? variant : null);
    }
    waitingWork.set(key, counted);
    return counted;
  }

  /**
   * Scores what can be scored; requests still waiting for a first model stay (bounded), and any
   * request past its deadline is answered "timed out" instead.
   */
  private void flush(
      Object key,
      ReadOnlyBroadcastState<String, List<ModelUpdate>> broadcast,
      long now,
      Collector<ScoreResponse> out)
      throws Exception {
    Map<String, List<ScoringWork>> byVariant = new LinkedHashMap<>();
    List<ScoringWork> stillWaiting = new ArrayList<>();
    for (ScoringWork task : waiting.get()) {
      sort(task, broadcast, now, byVariant, stillWaiting, out);
    }
    scoreEach(byVariant, out);
    waiting.update(stillWaiting);
    int left = 0;
    WaitingWork.Tally tally = WaitingWork.Tally.EMPTY;
    for (ScoringWork task : stillWaiting) {
      left += task.request().getCandidates().size();
      // Whatever is left waits for its variant's first model.
      tally = tally.plus(task.candidates(), variantOf(task.request()));
    }
    waitingWork.set(key, tally);
    if (left == 0) {
      waitingCandidates.clear();
    } else {
      waitingCandidates.update(left);
    }
  }

  /**
   * Answers {@code task} at once where it cannot be scored (unknown variant, a model that failed to
   * load, past its deadline, waited too long for a first model), else adds it to the requests to
   * score now under its variant, or to those that must wait for the variant's first model.
   */
  private void sort(
      ScoringWork task,
      ReadOnlyBroadcastState<String, List<ModelUpdate>> broadcast,
      long now,
      Map<String, List<ScoringWork>> byVariant,
      List<ScoringWork> stillWaiting,
      Collector<ScoreResponse> out)
      throws Exception {
    String variant = variantOf(task.request());
    if (!specs.contains(variant)) {
      out.collect(error(task, variant, "unknown model variant '" + variant + "'"));
      return;
    }
    CtrModel model = modelFor(variant, broadcast);
    Optional<String> late =
        config.requestDeadline().check(task.producedAt(), task.arrivedAt(), now);
    if (model == null && failure(variant) != null) {
      // Waiting would not help: the same update would fail again. Say why, now.
      out.collect(
          error(
              task,
              variant,
              "model variant '" + variant + "' failed to load: " + failure(variant)));
    } else if (late.isPresent()) {
      // The ad server has stopped waiting for this one: a score now would be stale work.
      timedOut.inc();
      String reason =
          model == null
              ? late.get() + ", waiting for the first model of variant '" + variant + "'"
              : late.get();
      out.collect(error(task, variant, reason));
    } else if (model != null) {
      byVariant.computeIfAbsent(variant, v -> new ArrayList<>()).add(task);
    } else if (now - task.arrivedAt() >= config.maxModelWaitMs()) {
      out.collect(error(task, variant, "no model version of '" + variant + "' yet"));
    } else {
      stillWaiting.add(task);
    }
  }

  /** One model call per variant, over that variant's requests. */
  private void scoreEach(Map<String, List<ScoringWork>> byVariant, Collector<ScoreResponse> out) {
    for (Map.Entry<String, List<ScoringWork>> group : byVariant.entrySet()) {
      score(group.getKey(), group.getValue(), out);
    }
  }

  private void score(String variant, List<ScoringWork> tasks, Collector<ScoreResponse> out) {
    CtrModel model = models.get(variant).model();
    float[] scores;
    try {
      scores = model.score(batchOf(variant, tasks));
    } catch (IllegalStateException nonFinite) {
      // The model refuses NaN scores (CtrModel.score). One request's NaN must neither fail the job
      // nor cost the other requests of the batch their scores: score each alone (only on this rare
      // path) and answer those still refused with an error, as the LREA serving does.
      for (ScoringWork task : tasks) {
        scoreAlone(variant, model, task, out);
      }
      return;
    }
    int at = 0;
    long now = System.currentTimeMillis();
    for (ScoringWork task : tasks) {
      int n = task.request().getCandidates().size();
      respond(task, variant, model.version(), Arrays.copyOfRange(scores, at, at + n), now, out);
      at += n;
    }
  }

  private void scoreAlone(
      String variant, CtrModel model, ScoringWork task, Collector<ScoreResponse> out) {
    float[] scores;
    try {
      scores = model.score(batchOf(variant, List.of(task)));
    } catch (IllegalStateException nonFinite) {
      errors.inc();
      out.collect(
          response(
              task,
              variant,
              model.version(),
              List.of(),
              nonFinite.getMessage(),
              System.currentTimeMillis()));
      return;
    }
    respond(task, variant, model.version(), scores, System.currentTimeMillis(), out);
  }

  private void respond(
      ScoringWork task,
      String variant,
      long version,
      float[] scores,
      long now,
      Collector<ScoreResponse> out) {
    List<Float> own = new ArrayList<>(scores.length);
    for (float s : scores) {
      own.add(s);
    }
    responses.inc();
    inJobLatency.update(now - task.arrivedAt());
    out.collect(response(task, variant, version, own, null, now));
  }

  /** Every candidate of every task, one row each, with the variant's history selection. */
  private Batch batchOf(String variant, List<ScoringWork> tasks) {
    int rows = 0;
    for (ScoringWork task : tasks) {
      rows += task.request().getCandidates().size();
    }
    // As long as the variant's selection: a soft-search window is wider than a searched K.
    BatchBuilder builder = new BatchBuilder(rows, histories.forVariant(variant).length());
    for (ScoringWork task : tasks) {
      AdRequest request = task.request();
      long time = request.getRequestTime().toEpochMilli();
      for (int c = 0; c < request.getCandidates().size(); c++) {
        builder.add(
            task.history(c),
            BatchTarget.of(request.getCandidates().get(c), request.getScenario(), time),
            0f,
            (int) request.getUserId());
      }
    }
    return builder.build();
  }

  /** Error responses so far (test hook: the harness's metric group is not readable). */
  long errorResponses() {
    return errors.getCount();
  }

  /** Timed-out and queue-full answers so far (test hooks, as above). */
  long timedOutResponses() {
    return timedOut.getCount();
  }

  long queueFullResponses() {
    return queueFull.getCount();
  }

  /** What the queue gauges read (test hook, as above). */
  WaitingWork waitingWork() {
    return waitingWork;
  }

  /**
   * Why the variant holds no model although an update arrived for it (its model could not be built,
   * or its snapshot did not load); null while it serves, or simply has nothing yet.
   */
  private String failure(String variant) {
    ModelReplica<CtrModel> replica = models.get(variant);
    return replica == null || replica.hasModel() ? null : replica.failure();
  }

  /** The local model of a variant at the broadcast state's newest version, or null if none yet. */
  private CtrModel modelFor(
      String variant, ReadOnlyBroadcastState<String, List<ModelUpdate>> broadcast)
      throws Exception {
    ModelReplica<CtrModel> replica =
        models.computeIfAbsent(
            variant, v -> new ModelReplica<>(v, () -> specs.build(v), Follows.EVERY_UPDATE));
    replica.catchUp(
        broadcast.get(variant),
        applied ->
            modelFreshness.update(
                Math.max(0, System.currentTimeMillis() - applied.getCreatedAt())));
    return replica.model();
  }

  @Override
  public void processBroadcastElement(ModelUpdate update, Context ctx, Collector<ScoreResponse> out)
      throws Exception {
    BroadcastState<String, List<ModelUpdate>> state = ctx.getBroadcastState(MODELS);
    UpdatesSinceFull.Appended next = UpdatesSinceFull.after(state.get(update.getVariant()), update);
    if (next.changed()) {
      state.put(update.getVariant(), next.log());
    } else if (next.verdict() == UpdateVerdict.GAP) {
      refusedGaps.inc();
    }
  }

  private String variantOf(AdRequest request) {
    String v = request.getModelVariant();
    return v == null || v.isBlank() ? specs.defaultVariant() : v;
  }

  private ScoreResponse error(ScoringWork task, String variant, String message) {
    errors.inc();
    return response(task, variant, -1, List.of(), message, System.currentTimeMillis());
  }

  private static ScoreResponse response(
      ScoringWork task, String variant, long version, List<Float> scores, String error, long now) {
    return ScoreResponses.of(task.request(), variant, version, scores, error, now);
  }

  @Override
  public void close() {
    if (models != null) {
      models.values().forEach(ModelReplica::close);
    }
  }
}
