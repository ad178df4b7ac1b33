package io.tinstream.streaming.trajectory;

import io.tinstream.models.CtrModel;
import io.tinstream.models.LreaModel;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.state.LreaEntry;
import io.tinstream.state.LreaRefreshPolicy;
import io.tinstream.state.LreaStore;
import io.tinstream.state.TrajectoryStore;
import io.tinstream.streaming.JobMetrics;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.streaming.scoring.MicroBatchScorer;
import io.tinstream.streaming.scoring.ScoreResponses;
import io.tinstream.training.features.BatchBuilder;
import io.tinstream.training.features.BatchTarget;
import io.tinstream.training.lrea.LreaEntryBuilder;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;

/**
 * The {@value ModelSpecs#LREA_VARIANT} variant served from per-user state inside the trajectory
 * operator (MODELS.md "LREA"): each user's {@link LreaEntry} ({@code E_comp}, {@code E_aux}) lives
 * in RocksDB keyed state next to the trajectory, and a request is scored from the entry and the
 * candidates alone, O(r·d) per candidate, without reading the trajectory.
 *
 * <p>Why here and not in the {@link MicroBatchScorer}: see {@link SnapshotFollower}, whose full
 * snapshots invalidate every entry.
 *
 * <p>Rebuilds: after {@code rebuildAfter} new behaviors (by the user's appended-behavior counter,
 * which keeps counting at the trajectory's cap), or when the replica's run epoch or version differs
 * from the entry's, a behavior asks for a processing-time timer at the end of its coalescing window
 * (one per key and timestamp, so a burst costs one rebuild). A request that finds no entry or a
 * stale one rebuilds it inline and counts that by reason ({@code lreaInlineRebuilds*}): a stale
 * entry is never scored.
 *
 * <p>A request is scored only from behaviors strictly before its time, as the scorer's variants
 * are: when the user's entry holds a behavior at or after the request time (a request that arrives
 * after later behaviors, or a behavior dated ahead of it), the request is scored from a pair built
 * just for it from the prefix before its time ({@code lreaPastOnlyRebuilds}), and the stored entry
 * is left as it is. Not stored because such requests are the exception (requests are usually "now",
 * after every behavior of their user): a stored prefix entry would be stale for the next request at
 * once, while the full entry keeps serving the common case without a rebuild.
 */
public final class LreaServing implements Serializable {
  private static final long serialVersionUID = 1L;

  private final SnapshotFollower follower;
  private final int rebuildAfter;
  private final long coalesceMs;

  private transient LreaStore entries;
  private transient LreaEntryBuilder entryBuilder;
  private transient Counter timerRebuilds;
  private transient Counter inlineMissing;
  private transient Counter inlineStaleModel;
  private transient Counter inlineStaleTrajectory;
  private transient Counter pastOnlyRebuilds;
  private transient Counter answered;
  private transient Counter errors;

  public LreaServing(ModelSpecs specs, int rebuildAfter, long coalesceMs) {
    if (!specs.hasLrea()) {
      throw new IllegalArgumentException(
          "LREA serving needs the '" + ModelSpecs.LREA_VARIANT + "' variant in the specs");
    }
    this.follower = new SnapshotFollower(specs, ModelSpecs.LREA_VARIANT);
    this.rebuildAfter = rebuildAfter;
    this.coalesceMs = coalesceMs;
    LreaRefreshPolicy.of(rebuildAfter, coalesceMs); // validates
  }

  /** Whether a request naming {@code variant} (blank = the default variant) is served here. */
  public boolean serves(String variant) {
    return follower.serves(variant);
  }

  /** {@code runFloor}: the oldest trainer run whose snapshots are served (see SnapshotFollower). */
  void open(RuntimeContext ctx, long runFloor) {
    follower.followRunsFrom(runFloor);
    entries = LreaStore.create(ctx, LreaRefreshPolicy.of(rebuildAfter, coalesceMs));
    var metrics = ctx.getMetricGroup().addGroup(JobMetrics.VARIANT_GROUP, ModelSpecs.LREA_VARIANT);
    timerRebuilds = metrics.counter(JobMetrics.LREA_TIMER_REBUILDS);
    inlineMissing = metrics.counter(JobMetrics.LREA_INLINE_REBUILDS_MISSING);
    inlineStaleModel = metrics.counter(JobMetrics.LREA_INLINE_REBUILDS_STALE_MODEL);
    inlineStaleTrajectory = metrics.counter(JobMetrics.LREA_INLINE_REBUILDS_STALE_TRAJECTORY);
    pastOnlyRebuilds = metrics.counter(JobMetrics.LREA_PAST_ONLY_REBUILDS);
    answered = metrics.counter(JobMetrics.LREA_RESPONSES);
    errors = metrics.counter(JobMetrics.LREA_ERROR_RESPONSES);
    metrics.gauge(JobMetrics.LREA_REPLICA_VERSION, follower::version);
  }

  void onModelUpdate(ModelUpdate update, BroadcastState<String, ModelUpdate> state)
      throws Exception {
    follower.onModelUpdate(update, state);
  }

  /** After an appended behavior: schedule a coalesced rebuild if the user's entry went stale. */
  void afterAppend(
      TrajectoryStore trajectory,
      long user,
      ReadOnlyBroadcastState<String, ModelUpdate> models,
      TimerService timers)
      throws Exception {
    if (needsRebuild(entryBuilder(models), trajectory, user)) {
      long now = timers.currentProcessingTime();
      timers.registerProcessingTimeTimer(entries.policy().coalescedTimerTime(now));
    }
  }

  /** A processing-time timer fired (this one's or another's): rebuild if still stale. */
  void onTimer(
      TrajectoryStore trajectory, long user, ReadOnlyBroadcastState<String, ModelUpdate> models)
      throws Exception {
    LreaEntryBuilder model = entryBuilder(models);
    if (needsRebuild(model, trajectory, user)) {
      entries.put(model.rebuild(trajectory.read(user), trajectory.appendedCount(user)));
      timerRebuilds.inc();
    }
  }

  /**
   * Whether the user's entry exists and is stale for the replica (one 16-byte tag read). Users
   * never asked for lrea have no entry: they get their first one on their first request.
   */
  private boolean needsRebuild(LreaEntryBuilder model, TrajectoryStore trajectory, long user)
      throws Exception {
    if (model == null) {
      return false;
    }
    LreaRefreshPolicy.Freshness f = entries.check(model, trajectory, user);
    return f != LreaRefreshPolicy.Freshness.MISSING && !f.usable();
  }

  /** Scores the request's candidates from the user's entry (rebuilt inline if not fresh). */
  ScoreResponse answer(
      AdRequest request,
      TrajectoryStore trajectory,
      ReadOnlyBroadcastState<String, ModelUpdate> models)
      throws Exception {
    LreaEntryBuilder model = entryBuilder(models);
    long now = System.currentTimeMillis();
    if (model == null) {
      if (follower.failedToLoad()) {
        errors.inc();
      }
      return response(request, -1, List.of(), follower.unavailable(), now);
    }
    LreaStore.Lookup found = entries.fresh(model, trajectory, request.getUserId());
    if (found.rebuilt()) {
      switch (found.found()) {
        case MISSING -> inlineMissing.inc();
        case STALE_MODEL_VERSION -> inlineStaleModel.inc();
        case STALE_TRAJECTORY -> inlineStaleTrajectory.inc();
        case FRESH -> {}
      }
    }
    int n = request.getCandidates().size();
    BatchBuilder candidates = new BatchBuilder(n, 1);
    long time = request.getRequestTime().toEpochMilli();
    LreaEntry entry = found.entry();
    if (entry.stamp().newestEventTime() >= time) {
      long user = request.getUserId();
      entry =
          model.rebuild(trajectory.read(user).prefixBefore(time), trajectory.appendedCount(user));
      pastOnlyRebuilds.inc();
    }
    for (ItemFields candidate : request.getCandidates()) {
      candidates.addTarget(BatchTarget.of(candidate, request.getScenario(), time));
    }
    float[] scores;
    try {
      scores = model.score(entry, candidates.build());
    } catch (IllegalStateException nonFinite) {
      // A NaN score is refused by the model; the request still gets its one answer.
      errors.inc();
      return response(request, model.modelVersion(), List.of(), nonFinite.getMessage(), now);
    }
    List<Float> out = new ArrayList<>(n);
    for (float s : scores) {
      out.add(s);
    }
    answered.inc();
    return response(request, model.modelVersion(), out, null, System.currentTimeMillis());
  }

  /** The answer to a request too old to score ({@code reason}), counted with the errors. */
  ScoreResponse timedOut(AdRequest request, String reason) {
    errors.inc();
    return response(request, -1, List.of(), reason, System.currentTimeMillis());
  }

  /** The entry builder around the replica at the newest full snapshot; null before the first. */
  private LreaEntryBuilder entryBuilder(ReadOnlyBroadcastState<String, ModelUpdate> models)
      throws Exception {
    CtrModel current = follower.current(models);
    if (current != null && entryBuilder == null) {
      entryBuilder = new LreaEntryBuilder((LreaModel) current, () -> follower.lineage().epoch());
    }
    return entryBuilder;
  }

  private static ScoreResponse response(
      AdRequest request, long version, List<Float> scores, String error, long now) {
    return ScoreResponses.of(request, ModelSpecs.LREA_VARIANT, version, scores, error, now);
  }

  void close() {
    follower.close();
    entryBuilder = null;
  }
}
