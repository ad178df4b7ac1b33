package io.tinstream.streaming.trajectory;

import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ProbeResponse;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TrainingExample;
import io.tinstream.state.AppendResult;
import io.tinstream.state.Behavior;
import io.tinstream.state.SearchTarget;
import io.tinstream.state.TrajectoryStore;
import io.tinstream.state.TrajectoryView;
import io.tinstream.streaming.JobMetrics;
import io.tinstream.streaming.scoring.RequestDeadline;
import io.tinstream.streaming.scoring.ScoringWork;
import io.tinstream.training.features.ExampleHistories;
import io.tinstream.training.features.HistorySelector;
import io.tinstream.training.features.VariantHistories;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The per-user trajectory operator: appends each user's behaviors to their trajectory in keyed
 * state (dedup, out-of-order insert, retention, cap: see {@link TrajectoryStore}), completes
 * missing item fields from the broadcast taxonomy, joins ad impressions with their clicks into
 * training examples ({@link LabelJoin}, side output {@link #EXAMPLES}) that carry what every
 * configured variant trains on ({@link ExampleHistories}), and turns each ad request into a scoring
 * task with the behaviors its variant's {@link HistorySelector} keeps, taken strictly before the
 * request time: per candidate for a hard search, one shared history otherwise (the soft-search
 * window of dare/twin). A request for the variant {@value #PROBE_VARIANT} is answered with the
 * plain selection instead ({@link #PROBES}), so the state can be inspected from outside. With
 * {@link LreaServing}, requests for the lrea variant are answered here from the user's LREA entry,
 * and with {@link UserHeadServing} those for td-sasrec from the user's cached head vectors (both on
 * {@link #KEYED_STATE_SCORES}); such a request older than the {@link RequestDeadline} is answered
 * "timed out" instead, as the scorer answers the others.
 */
public final class TrajectoryFunction
    extends KeyedBroadcastProcessFunction<
        Long, BehaviorOrRequest, TaxonomyOrModelSnapshot, ScoringWork>
    implements CheckpointedFunction {
  private static final long serialVersionUID = 1L;

  /**
   * The oldest trainer run (run epoch) whose snapshots the per-user serving adopts: set at a fresh
   * start and kept by checkpoints, so a restore keeps following the run it followed. Union state:
   * every subtask holds the same value, and a rescaled restore must not lose it.
   */
  private static final ListStateDescriptor<Long> RUN_FLOOR =
      new ListStateDescriptor<>("served-run-floor", Types.LONG);

  /** Requests naming this variant get their searched behaviors back instead of scores. */
  public static final String PROBE_VARIANT = "probe";

  public static final OutputTag<ProbeResponse> PROBES =
      new OutputTag<>("probes", AvroTypeInfo.of(ProbeResponse.class)) {};

  public static final OutputTag<TrainingExample> EXAMPLES =
      new OutputTag<>("training-examples", AvroTypeInfo.of(TrainingExample.class)) {};

  /**
   * Responses scored here from per-user state: lrea from the users' LREA entries, td-sasrec from
   * their cached head vectors.
   */
  public static final OutputTag<ScoreResponse> KEYED_STATE_SCORES =
      new OutputTag<>("keyed-state-scores", AvroTypeInfo.of(ScoreResponse.class)) {};

  /** Taxonomy edges, keyed by {@link TaxonomyLookup#key}. */
  public static final MapStateDescriptor<String, Long> TAXONOMY =
      new MapStateDescriptor<>("taxonomy", Types.STRING, Types.LONG);

  private final TrajectoryConfig config;
  private final VariantHistories histories;
  private final TaxonomyGate taxonomyGate;
  private final LreaServing lrea;
  private final UserHeadServing heads;
  private final long runStartedAt;
  private final RequestDeadline requestDeadline;

  private transient ListState<Long> runFloorState;
  private transient long runFloor;
  private transient TrajectoryStore store;
  private transient LabelJoin labels;
  private transient Counter appended;
  private transient Counter duplicates;
  private transient Counter expired;
  private transient Counter evicted;
  private transient Counter newUsers;
  private transient Counter probes;
  private transient Counter requests;
  private transient Counter timedOut;
  private transient Histogram behaviorFreshness;

  /**
   * @param config the trajectory policy, the taxonomy wait and the label join's window and cap
   * @param preloadedTaxonomy edges known when the job is built (from a file), keyed by {@link
   *     TaxonomyLookup#key}; consulted when the broadcast state lacks an edge, so a file taxonomy
   *     is complete from the first behavior on, while broadcast edges still trickle in
   * @param histories which behaviors each variant is fed (and probes are answered with)
   * @param lrea serves the lrea variant from per-user entries; null when lrea is not configured
   * @param heads serves td-sasrec from cached per-user head vectors; null when not configured
   */
  public TrajectoryFunction(
      TrajectoryConfig config,
      VariantHistories histories,
      Map<String, Long> preloadedTaxonomy,
      LreaServing lrea,
      UserHeadServing heads) {
    this(config, histories, preloadedTaxonomy, lrea, heads, Long.MIN_VALUE);
  }

  /**
   * As above, for the run of the job started at {@code runStartedAt} (wall-clock ms): a fresh start
   * serves no snapshot of a trainer run older than that (a previous run's, still on the
   * model-updates topic), since this job's trainer starts its run no earlier (see {@code
   * OnlineTrainerFunction}). {@link Long#MIN_VALUE} adopts every run.
   */
  public TrajectoryFunction(
      TrajectoryConfig config,
      VariantHistories histories,
      Map<String, Long> preloadedTaxonomy,
      LreaServing lrea,
      UserHeadServing heads,
      long runStartedAt) {
    this(config, histories, preloadedTaxonomy, lrea, heads, runStartedAt, RequestDeadline.NONE);
  }

  /**
   * As above; a request served here from per-user state (lrea, td-sasrec) older than {@code
   * requestDeadline} is answered "timed out" (the scorer checks the others).
   */
  public TrajectoryFunction(
      TrajectoryConfig config,
      VariantHistories histories,
      Map<String, Long> preloadedTaxonomy,
      LreaServing lrea,
      UserHeadServing heads,
      long runStartedAt,
      RequestDeadline requestDeadline) {
    this.runStartedAt = runStartedAt;
    this.requestDeadline = java.util.Objects.requireNonNull(requestDeadline);
    this.config = java.util.Objects.requireNonNull(config);
    this.histories = java.util.Objects.requireNonNull(histories);
    this.taxonomyGate = new TaxonomyGate(config.taxonomyWaitMs(), preloadedTaxonomy);
    this.lrea = lrea;
    this.heads = heads;
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    runFloorState = context.getOperatorStateStore().getUnionListState(RUN_FLOOR);
    if (context.isRestored()) {
      // A checkpoint from before the floor existed follows every run, as the code then did.
      runFloor = Long.MIN_VALUE;
      for (Long floor : runFloorState.get()) {
        runFloor = Math.max(runFloor, floor);
      }
    } else {
      runFloor = runStartedAt;
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    runFloorState.update(List.of(runFloor));
  }

  @Override
  public void open(OpenContext openContext) {
    store = TrajectoryStore.create(getRuntimeContext(), config.policy(), config.cacheRows());
    labels =
        new LabelJoin(
            getRuntimeContext(), config.attributionWindowMs(), config.maxPendingImpressions());
    taxonomyGate.open(getRuntimeContext());
    var metrics = getRuntimeContext().getMetricGroup();
    appended = metrics.counter(JobMetrics.BEHAVIORS_APPENDED);
    duplicates = metrics.counter(JobMetrics.BEHAVIORS_DUPLICATE);
    expired = metrics.counter(JobMetrics.BEHAVIORS_EXPIRED);
    evicted = metrics.counter(JobMetrics.BEHAVIORS_EVICTED);
    newUsers = metrics.counter(JobMetrics.USERS);
    probes = metrics.counter(JobMetrics.PROBES_ANSWERED);
    requests = metrics.counter(JobMetrics.REQUESTS);
    timedOut = metrics.counter(JobMetrics.TIMED_OUT_RESPONSES);
    metrics.gauge(JobMetrics.TRAJECTORY_CACHE_HITS, store::cacheHits);
    metrics.gauge(JobMetrics.TRAJECTORY_CACHE_MISSES, store::cacheMisses);
    metrics.gauge(JobMetrics.TRAJECTORY_CACHE_ROWS, store::cachedRows);
    // Produced to Kafka → in the trajectory, i.e. visible to the next request's search.
    behaviorFreshness =
        metrics.histogram(JobMetrics.BEHAVIOR_FRESHNESS_MS, JobMetrics.latencyHistogram());
    if (lrea != null) {
      lrea.open(getRuntimeContext(), runFloor);
    }
    if (heads != null) {
      heads.open(getRuntimeContext(), runFloor);
    }
  }

  @Override
  public void processElement(BehaviorOrRequest in, ReadOnlyContext ctx, Collector<ScoringWork> out)
      throws Exception {
    ReadOnlyBroadcastState<String, Long> taxonomy = ctx.getBroadcastState(TAXONOMY);
    if (in.event == null) {
      answer(in.request, in.producedAt, ctx, out);
    } else {
      // Startup race: the broadcast taxonomy may trail the first behaviors; the gate parks them
      // briefly rather than let them be stored with holes the taxonomy would have filled.
      List<BehaviorEvent> admitted = taxonomyGate.admit(in.event, taxonomy, ctx.timerService());
      for (BehaviorEvent event : admitted) {
        append(event, taxonomy, ctx);
      }
      if (!admitted.isEmpty()) {
        behaviorFreshness.update(Math.max(0, System.currentTimeMillis() - in.producedAt));
      }
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ScoringWork> out)
      throws Exception {
    if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
      for (TrainingExample labelled : labels.onWindowEnd(timestamp, this::unlabeledExample)) {
        ctx.output(EXAMPLES, labelled);
      }
      return;
    }
    // Processing-time timers are the taxonomy wait's retries and LREA's coalesced rebuilds; each
    // side checks its own state, so either may fire for the other harmlessly.
    ReadOnlyBroadcastState<String, Long> taxonomy = ctx.getBroadcastState(TAXONOMY);
    for (BehaviorEvent event : taxonomyGate.onTimer(timestamp, taxonomy, ctx.timerService())) {
      append(event, taxonomy, ctx);
    }
    if (lrea != null) {
      lrea.onTimer(store, ctx.getCurrentKey(), ctx.getBroadcastState(SnapshotFollower.SNAPSHOTS));
    }
  }

  private void append(
      BehaviorEvent event, ReadOnlyBroadcastState<String, Long> taxonomy, ReadOnlyContext ctx)
      throws Exception {
    ItemFields filled = taxonomyGate.fill(event.getItem(), taxonomy);
    if (filled != event.getItem()) {
      // The event is this operator's own copy (deserialized for it, parked only as bytes), so it
      // is completed in place rather than copied whole.
      event.setItem(filled);
    }
    AppendResult result = store.append(event.getUserId(), Behavior.fromEvent(event));
    switch (result.outcome()) {
      case APPENDED -> {
        appended.inc();
        if (result.firstForKey()) {
          newUsers.inc();
        }
      }
      case DUPLICATE -> duplicates.inc();
      case EXPIRED -> expired.inc();
    }
    evicted.inc(result.evicted());
    if (result.isAppended()) {
      if (config.joinLabels()) {
        joinLabels(event, ctx);
      }
      if (lrea != null) {
        lrea.afterAppend(
            store,
            event.getUserId(),
            ctx.getBroadcastState(SnapshotFollower.SNAPSHOTS),
            ctx.timerService());
      }
    }
  }

  /** Impressions open an attribution window; clicks and conversions inside it make it positive. */
  private void joinLabels(BehaviorEvent event, ReadOnlyContext ctx) throws Exception {
    if (event.getDomain() != Domain.AD || event.getRequestId() == null) {
      return;
    }
    String key = LabelJoin.key(event.getRequestId(), event.getItem().getItemId());
    switch (event.getActionType()) {
      case IMPRESSION -> labels.onImpression(key, event, ctx.timerService());
      case CLICK, CONVERSION ->
          labels.onClick(key, event.getEventTime().toEpochMilli(), ctx.timerService());
      default -> {}
    }
  }

  /**
   * The impression as a training example: its target and what each variant selects of the behaviors
   * strictly before it (the user's, since this runs under the impression's key).
   */
  private TrainingExample unlabeledExample(BehaviorEvent impression) throws Exception {
    long time = impression.getEventTime().toEpochMilli();
    TrajectoryView past = store.read(impression.getUserId()).prefixBefore(time);
    SearchTarget target = SearchTarget.of(impression.getItem(), impression.getScenario(), time);
    TrainingExample.Builder example =
        TrainingExample.newBuilder()
            .setExampleId(impression.getEventId())
            .setUserId(impression.getUserId())
            .setRequestId(impression.getRequestId())
            .setImpressionTime(time)
            .setScenario(impression.getScenario())
            .setTarget(impression.getItem())
            .setLabel(0f);
    return ExampleHistories.write(example, histories, past, target).build();
  }

  /** What {@code selector} keeps of {@code past} for each candidate of the request. */
  private static List<BehaviorSequence> perCandidate(
      HistorySelector selector, TrajectoryView past, AdRequest request, long time) {
    List<BehaviorSequence> out = new ArrayList<>(request.getCandidates().size());
    for (ItemFields candidate : request.getCandidates()) {
      out.add(selector.sequence(past, SearchTarget.of(candidate, request.getScenario(), time)));
    }
    return out;
  }

  private void answer(
      AdRequest request, long producedAt, ReadOnlyContext ctx, Collector<ScoringWork> out)
      throws Exception {
    long arrivedAt = System.currentTimeMillis();
    if (lrea != null && lrea.serves(request.getModelVariant())) {
      requests.inc();
      Optional<String> late = requestDeadline.check(producedAt, arrivedAt, arrivedAt);
      if (late.isPresent()) {
        timedOut.inc();
      }
      ctx.output(
          KEYED_STATE_SCORES,
          late.isPresent()
              ? lrea.timedOut(request, late.get())
              : lrea.answer(request, store, ctx.getBroadcastState(SnapshotFollower.SNAPSHOTS)));
      return;
    }
    if (heads != null && heads.serves(request.getModelVariant())) {
      requests.inc();
      Optional<String> late = requestDeadline.check(producedAt, arrivedAt, arrivedAt);
      if (late.isPresent()) {
        timedOut.inc();
      }
      ctx.output(
          KEYED_STATE_SCORES,
          late.isPresent()
              ? heads.timedOut(request, late.get())
              : heads.answer(request, store, ctx.getBroadcastState(SnapshotFollower.SNAPSHOTS)));
      return;
    }
    long time = request.getRequestTime().toEpochMilli();
    TrajectoryView view = store.read(request.getUserId());
    TrajectoryView past = view.prefixBefore(time);
    if (PROBE_VARIANT.equals(request.getModelVariant())) {
      probes.inc();
      ctx.output(
          PROBES,
          ProbeResponse.newBuilder()
              .setRequestId(request.getRequestId())
              .setUserId(request.getUserId())
              .setTrajectoryLength(view.size())
              .setSearchMode(histories.plain().configName())
              .setPerCandidate(perCandidate(histories.plain(), past, request, time))
              .build());
      return;
    }
    requests.inc();
    if (requestDeadline.check(producedAt, arrivedAt, arrivedAt).isPresent()) {
      out.collect(ScoringWork.unsearched(request, arrivedAt, producedAt, view.size()));
      return;
    }
    HistorySelector selector = histories.forVariant(request.getModelVariant());
    // Per candidate for a hard search, identical selections carried once; one shared history
    // when the selection does not depend on the target.
    out.collect(ScoringWork.select(request, selector, past, view.size(), arrivedAt, producedAt));
  }

  @Override
  public void processBroadcastElement(
      TaxonomyOrModelSnapshot in, Context ctx, Collector<ScoringWork> out) throws Exception {
    if (in.taxonomy != null) {
      TaxonomyEntry entry = in.taxonomy;
      ctx.getBroadcastState(TAXONOMY)
          .put(TaxonomyLookup.key(entry.getKind(), entry.getChild()), entry.getParent());
    } else if (in.model != null) {
      if (lrea != null) {
        lrea.onModelUpdate(in.model, ctx.getBroadcastState(SnapshotFollower.SNAPSHOTS));
      }
      if (heads != null) {
        heads.onModelUpdate(in.model, ctx.getBroadcastState(SnapshotFollower.SNAPSHOTS));
      }
    }
  }

  @Override
  public void close() throws Exception {
    if (lrea != null) {
      lrea.close();
    }
    if (heads != null) {
      heads.close();
    }
    super.close();
  }
}
