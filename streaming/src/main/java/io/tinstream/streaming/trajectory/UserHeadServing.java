package io.tinstream.streaming.trajectory;

import io.tinstream.models.Batch;
import io.tinstream.models.CategorySlots;
import io.tinstream.models.CtrModel;
import io.tinstream.models.UserHeadCache;
import io.tinstream.models.layers.SasRecLayer;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.state.LreaEntry;
import io.tinstream.state.LreaRefreshPolicy;
import io.tinstream.state.TrajectoryStore;
import io.tinstream.state.TrajectoryView;
import io.tinstream.streaming.JobMetrics;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.streaming.scoring.ScoreResponses;
import io.tinstream.training.features.BatchBuilder;
import io.tinstream.training.features.BatchTarget;
import io.tinstream.training.features.HistorySelector;
import io.tinstream.training.features.RowHistory;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;

/**
 * The {@value ModelSpecs#TD_SASREC_VARIANT} variant answered in the trajectory operator from the
 * user's head vectors {@code u_c} (MODELS.md "Target-decoupled SASRec"), cached in RocksDB keyed
 * state as a {@link UserHeadCache}: a request costs one ad-tower pass over its candidates and a dot
 * product each, not a pass of the user tower over the user's stratified sample.
 *
 * <p>The heads are built by a {@link SnapshotFollower} of td-sasrec from the stratified sample the
 * variant trains on, and rebuilt, on the request that finds them so, when the replica moved to
 * another full snapshot (of its run or a newer one) or {@code rebuildAfter} behaviors were appended
 * since (counted by the appended-behavior counter, which keeps counting at the trajectory's cap): a
 * request is never answered from heads of other weights. Their time encodings are measured to the
 * request that built them; a cache trades that drift for one user-tower pass per refresh.
 */
public final class UserHeadServing implements Serializable {
  private static final long serialVersionUID = 1L;

  static final ValueStateDescriptor<float[]> HEADS =
      new ValueStateDescriptor<>(
          "td-sasrec-user-heads", PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);

  /**
   * {model version, trajectory length, heads, model run epoch, appended count} of the cached
   * vectors, read without them. A three-long tag (before epochs and appended counts) counts as
   * missing: the heads are rebuilt once.
   */
  static final ValueStateDescriptor<long[]> TAG =
      new ValueStateDescriptor<>(
          "td-sasrec-user-heads-tag", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);

  private static final int TAG_LONGS = 5;

  private final SnapshotFollower model;
  private final HistorySelector userHistory;
  private final int rebuildAfter;

  private transient LreaRefreshPolicy policy;
  private transient ValueState<float[]> heads;
  private transient ValueState<long[]> tag;
  private transient Counter rebuildsMissing;
  private transient Counter rebuildsStaleModel;
  private transient Counter rebuildsStaleTrajectory;
  private transient Counter answered;
  private transient Counter errors;

  public UserHeadServing(ModelSpecs specs, int rebuildAfter) {
    if (!specs.hasTdSasRec()) {
      throw new IllegalArgumentException(
          "head serving needs the '" + ModelSpecs.TD_SASREC_VARIANT + "' variant in the specs");
    }
    this.model = new SnapshotFollower(specs, ModelSpecs.TD_SASREC_VARIANT);
    this.userHistory = specs.histories().forVariant(ModelSpecs.TD_SASREC_VARIANT);
    this.rebuildAfter = rebuildAfter;
    LreaRefreshPolicy.of(rebuildAfter, LreaRefreshPolicy.DEFAULT_COALESCE_MS); // validates
  }

  public boolean serves(String variant) {
    return model.serves(variant);
  }

  /** {@code runFloor}: the oldest trainer run whose snapshots are served (see SnapshotFollower). */
  void open(RuntimeContext ctx, long runFloor) {
    model.followRunsFrom(runFloor);
    policy = LreaRefreshPolicy.of(rebuildAfter, LreaRefreshPolicy.DEFAULT_COALESCE_MS);
    heads = ctx.getState(HEADS);
    tag = ctx.getState(TAG);
    var metrics =
        ctx.getMetricGroup().addGroup(JobMetrics.VARIANT_GROUP, ModelSpecs.TD_SASREC_VARIANT);
    rebuildsMissing = metrics.counter(JobMetrics.HEAD_REBUILDS_MISSING);
    rebuildsStaleModel = metrics.counter(JobMetrics.HEAD_REBUILDS_STALE_MODEL);
    rebuildsStaleTrajectory = metrics.counter(JobMetrics.HEAD_REBUILDS_STALE_TRAJECTORY);
    answered = metrics.counter(JobMetrics.HEAD_RESPONSES);
    errors = metrics.counter(JobMetrics.HEAD_ERROR_RESPONSES);
    metrics.gauge(JobMetrics.HEAD_REPLICA_VERSION, model::version);
  }

  void onModelUpdate(ModelUpdate update, BroadcastState<String, ModelUpdate> snapshots)
      throws Exception {
    model.onModelUpdate(update, snapshots);
  }

  /** Scores the candidates from the user's cached heads (rebuilt first if not fresh). */
  ScoreResponse answer(
      AdRequest request,
      TrajectoryStore trajectory,
      ReadOnlyBroadcastState<String, ModelUpdate> snapshots)
      throws Exception {
    long now = System.currentTimeMillis();
    CtrModel replica = model.current(snapshots);
    if (replica == null) {
      if (model.failedToLoad()) {
        errors.inc();
      }
      return response(request, -1, List.of(), model.unavailable(), now);
    }
    long time = request.getRequestTime().toEpochMilli();
    try {
      UserHeadCache user =
          fresh(replica, model.lineage().epoch(), trajectory, request.getUserId(), time);
      Batch candidates = candidates(request, time);
      float[] ads = replica.output(SasRecLayer.OUT_AD_VECTOR, candidates);
      float bias = replica.output(SasRecLayer.OUT_LOGIT_BIAS, candidates)[0];
      List<Float> scores = new ArrayList<>(candidates.size);
      for (int c = 0; c < candidates.size; c++) {
        int slot = CategorySlots.slot(candidates.targetCat1[c], replica.params().categorySlots());
        double logit = user.score(slot, ads, c * user.dim()) + bias;
        float p = (float) (1.0 / (1.0 + Math.exp(-logit)));
        if (!Float.isFinite(p)) {
          throw new IllegalStateException("non-finite score from the cached heads");
        }
        scores.add(p);
      }
      answered.inc();
      return response(request, replica.version(), scores, null, System.currentTimeMillis());
    } catch (IllegalStateException nonFinite) {
      // A NaN is never a score; the request still gets its one answer.
      errors.inc();
      return response(request, replica.version(), List.of(), nonFinite.getMessage(), now);
    }
  }

  /** The answer to a request too old to score ({@code reason}), counted with the errors. */
  ScoreResponse timedOut(AdRequest request, String reason) {
    errors.inc();
    return response(request, -1, List.of(), reason, System.currentTimeMillis());
  }

  /** The user's heads for the replica's version: the cached ones if fresh, else rebuilt now. */
  private UserHeadCache fresh(
      CtrModel replica, long epoch, TrajectoryStore trajectory, long userId, long time)
      throws Exception {
    long[] t = tag.value();
    int length = trajectory.size(userId);
    long appended = trajectory.appendedCount(userId);
    LreaRefreshPolicy.Freshness f =
        t == null || t.length != TAG_LONGS
            ? LreaRefreshPolicy.Freshness.MISSING
            : policy.check(
                new LreaEntry.Stamp(t[3], t[0], (int) t[1], t[4], Long.MIN_VALUE),
                epoch,
                replica.version(),
                length,
                appended);
    switch (f) {
      case FRESH -> {
        return new UserHeadCache(t[0], (int) t[1], (int) t[2], heads.value());
      }
      case MISSING -> rebuildsMissing.inc();
      case STALE_MODEL_VERSION -> rebuildsStaleModel.inc();
      case STALE_TRAJECTORY -> rebuildsStaleTrajectory.inc();
    }
    UserHeadCache rebuilt =
        build(replica, trajectory.read(userId).prefixBefore(time), length, time);
    heads.update(rebuilt.vectors());
    tag.update(
        new long[] {
          rebuilt.modelVersion(), rebuilt.trajectoryLength(), rebuilt.heads(), epoch, appended
        });
    return rebuilt;
  }

  /** The user tower over the stratified sample the variant trains on: {@code [H*d]}. */
  private UserHeadCache build(CtrModel replica, TrajectoryView past, int length, long time) {
    BatchBuilder row = new BatchBuilder(1, userHistory.length());
    row.add(
        RowHistory.selected(past, userHistory.select(past, null)),
        new BatchTarget(-1, -1, -1, -1, 0, time),
        0f,
        0);
    float[] vectors = replica.output(SasRecLayer.OUT_USER_HEADS, row.build());
    int heads = vectors.length / replica.params().dim();
    return new UserHeadCache(replica.version(), length, heads, vectors);
  }

  private static Batch candidates(AdRequest request, long time) {
    BatchBuilder b = new BatchBuilder(request.getCandidates().size(), 1);
    for (ItemFields candidate : request.getCandidates()) {
      b.addTarget(BatchTarget.of(candidate, request.getScenario(), time));
    }
    return b.build();
  }

  private static ScoreResponse response(
      AdRequest request, long version, List<Float> scores, String error, long now) {
    return ScoreResponses.of(request, ModelSpecs.TD_SASREC_VARIANT, version, scores, error, now);
  }

  void close() {
    model.close();
  }
}
