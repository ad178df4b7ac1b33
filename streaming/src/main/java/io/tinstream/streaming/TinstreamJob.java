package io.tinstream.streaming;

import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.DeadLetter;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.ProbeResponse;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.schemas.ScoringTask;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TrainingExample;
import io.tinstream.schemas.UpdateKind;
import io.tinstream.state.LreaRefreshPolicy;
import io.tinstream.state.TrajectoryPolicy;
import io.tinstream.streaming.kafka.DecodeAndValidate;
import io.tinstream.streaming.kafka.RawRecord;
import io.tinstream.streaming.scoring.MicroBatchScorer;
import io.tinstream.streaming.training.OnlineTrainerFunction;
import io.tinstream.streaming.trajectory.AdRequestValidator;
import io.tinstream.streaming.trajectory.BehaviorOrRequest;
import io.tinstream.streaming.trajectory.BehaviorValidator;
import io.tinstream.streaming.trajectory.LreaServing;
import io.tinstream.streaming.trajectory.ModelReplica;
import io.tinstream.streaming.trajectory.TaxonomyLookup;
import io.tinstream.streaming.trajectory.TaxonomyOrModelSnapshot;
import io.tinstream.streaming.trajectory.TrajectoryFunction;
import io.tinstream.streaming.trajectory.UserHeadServing;
import io.tinstream.training.features.HistorySelector;
import io.tinstream.training.features.VariantHistories;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * The tinstream job. Behaviors and ad requests from Kafka → decode and validate (rejects to the
 * dead-letter sink) → event time → keyBy(user) → {@link TrajectoryFunction} with the broadcast
 * taxonomy. From there: training examples → {@link OnlineTrainerFunction} → model updates (to the
 * updates sink, and broadcast to the scorer inside the job); scoring tasks → {@link
 * MicroBatchScorer} → score responses. Without models configured it only ingests (and answers
 * probes). Sources and sinks come in through the builder so tests and the demo plug in their own.
 *
 * <p>Deviation from the architecture picture, on purpose: model updates reach the scorer through an
 * in-job broadcast rather than a round trip through the model-updates topic, which would add a
 * checkpoint interval of read_committed delay to training → serving freshness. The topic still gets
 * every update for scorers outside the job.
 */
public final class TinstreamJob {

  public static final String TRAJECTORY_UID = "trajectory";

  /** Predictions the online AUC / LogLoss are computed over (progressive validation). */
  static final int VALIDATION_WINDOW = 2_000;

  /** Fixed so the scorer's batching keys map one to each subtask (see {@link SubtaskKeys}). */
  static final int SCORER_MAX_PARALLELISM = 128;

  private final Builder b;

  private TinstreamJob(Builder b) {
    Objects.requireNonNull(b.behaviors, "behaviors source is required");
    Objects.requireNonNull(b.deadLetterSink, "dead-letter sink is required");
    if (b.taxonomySource == null && b.taxonomyEntries.isEmpty()) {
      throw new IllegalArgumentException("a taxonomy is required: a topic source or file entries");
    }
    if (b.specs != null && b.scoreSink == null) {
      throw new IllegalArgumentException("models need a score sink for their responses");
    }
    if (b.specs != null && !b.specs.servedFromKeyedState().isEmpty() && b.lreaModelSource == null) {
      throw new IllegalArgumentException(
          "the "
              + b.specs.servedFromKeyedState()
              + " variants need the model-updates topic as a source (lreaModels(...)):"
              + " their per-user state is rebuilt from the full snapshots published there");
    }
    this.b = b;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Adds the pipeline to {@code env}. */
  public void build(StreamExecutionEnvironment env) {
    WatermarkStrategy<RawRecord> noTime = WatermarkStrategy.noWatermarks();
    SingleOutputStreamOperator<BehaviorOrRequest> events =
        env.fromSource(b.behaviors, noTime, "behaviors")
            .uid("behaviors-source")
            .process(
                new DecodeAndValidate<>(
                    AvroCodec::behaviorEvents,
                    BehaviorValidator::check,
                    (BehaviorEvent e, long at) -> BehaviorOrRequest.of(e, at)),
                TypeInformation.of(BehaviorOrRequest.class))
            .name("decode-behaviors")
            .uid("decode-behaviors");
    DataStream<DeadLetter> deadLetters = events.getSideOutput(DecodeAndValidate.DEAD_LETTERS);
    DataStream<BehaviorOrRequest> inputs =
        events.assignTimestampsAndWatermarks(eventTime(b.outOfOrderness)).name("event-time");
    DataStream<ScoreResponse> rejectedRequests = null;

    if (b.requests != null) {
      SingleOutputStreamOperator<BehaviorOrRequest> requests =
          env.fromSource(b.requests, noTime, "ad-requests")
              .uid("requests-source")
              .process(
                  new DecodeAndValidate<>(
                      AvroCodec::adRequests,
                      AdRequestValidator::check,
                      (AdRequest r, long at) -> BehaviorOrRequest.of(r, at),
                      TinstreamJob::errorAnswer),
                  TypeInformation.of(BehaviorOrRequest.class))
              .name("decode-requests")
              .uid("decode-requests");
      deadLetters = deadLetters.union(requests.getSideOutput(DecodeAndValidate.DEAD_LETTERS));
      rejectedRequests = requests.getSideOutput(DecodeAndValidate.REJECTION_ANSWERS);
      // Requests carry wall-clock time; they must not hold back (or rush) the behaviors' event
      // time, so they are idle for watermarking whenever they pause.
      inputs =
          inputs.union(
              requests
                  .assignTimestampsAndWatermarks(eventTime(b.outOfOrderness))
                  .name("request-time"));
    }

    Taxonomy taxonomy = taxonomy(env, deadLetters);
    deadLetters = taxonomy.deadLetters();
    LreaServing lrea =
        b.specs != null && b.specs.hasLrea()
            ? new LreaServing(b.specs, b.lreaRebuildAfter, LreaRefreshPolicy.DEFAULT_COALESCE_MS)
            : null;
    UserHeadServing heads =
        b.specs != null && b.specs.hasTdSasRec()
            ? new UserHeadServing(b.specs, b.lreaRebuildAfter)
            : null;
    SingleOutputStreamOperator<ScoringTask> trajectory =
        inputs
            .keyBy(BehaviorOrRequest::userId, TypeInformation.of(Long.class))
            .connect(taxonomy.broadcast())
            .process(
                new TrajectoryFunction(
                    b.policy,
                    b.specs != null
                        ? b.specs.histories()
                        : VariantHistories.probesOnly(b.plainHistory),
                    b.taxonomyWait.toMillis(),
                    preloadedTaxonomy(),
                    b.attributionWindow.toMillis(),
                    b.maxPendingImpressions,
                    lrea,
                    heads),
                AvroTypeInfo.of(ScoringTask.class))
            .name("trajectory")
            .uid(TRAJECTORY_UID);

    if (b.probeSink != null) {
      trajectory
          .getSideOutput(TrajectoryFunction.PROBES)
          .sinkTo(b.probeSink)
          .name("probe-sink")
          .uid("probe-sink");
    }
    if (b.specs != null) {
      DataStream<ScoreResponse> scores = trainAndScore(trajectory);
      if (lrea != null || heads != null) {
        scores = scores.union(trajectory.getSideOutput(TrajectoryFunction.LREA_SCORES));
      }
      if (rejectedRequests != null) {
        scores = scores.union(rejectedRequests);
      }
      scores.sinkTo(b.scoreSink).name("score-sink").uid("score-sink");
    }
    deadLetters.sinkTo(b.deadLetterSink).name("dead-letter-sink").uid("dead-letter-sink");
  }

  /**
   * The broadcast taxonomy (with the lrea model's snapshots when lrea is served), and the dead
   * letters including those of the taxonomy and model-updates topics.
   */
  private record Taxonomy(
      BroadcastStream<TaxonomyOrModelSnapshot> broadcast, DataStream<DeadLetter> deadLetters) {}

  private Taxonomy taxonomy(StreamExecutionEnvironment env, DataStream<DeadLetter> deadLetters) {
    DataStream<TaxonomyEntry> taxonomy;
    if (b.taxonomySource != null) {
      SingleOutputStreamOperator<TaxonomyEntry> decoded =
          decoded(
              env, b.taxonomySource, "taxonomy", AvroCodec::taxonomyEntries, TaxonomyEntry.class);
      deadLetters = deadLetters.union(decoded.getSideOutput(DecodeAndValidate.DEAD_LETTERS));
      taxonomy = decoded;
    } else {
      // The file's edges also travel in the function (see TrajectoryFunction), so no behavior
      // races them; broadcasting them too keeps one code path and puts them in checkpoints.
      taxonomy =
          env.fromData(b.taxonomyEntries, AvroTypeInfo.of(TaxonomyEntry.class))
              .name("taxonomy-file");
    }
    DataStream<TaxonomyOrModelSnapshot> broadcast =
        taxonomy
            .map(TaxonomyOrModelSnapshot::of, TypeInformation.of(TaxonomyOrModelSnapshot.class))
            .name("taxonomy");
    if (b.specs != null && !b.specs.servedFromKeyedState().isEmpty()) {
      List<String> served = b.specs.servedFromKeyedState();
      SingleOutputStreamOperator<ModelUpdate> snapshots =
          decoded(
              env, b.lreaModelSource, "lrea-models", AvroCodec::modelUpdates, ModelUpdate.class);
      deadLetters = deadLetters.union(snapshots.getSideOutput(DecodeAndValidate.DEAD_LETTERS));
      // Only full snapshots of the variants served from keyed state: their replicas move once per
      // full snapshot, and with them every user's state (see ModelReplica).
      broadcast =
          broadcast.union(
              snapshots
                  .filter(u -> served.contains(u.getVariant()) && u.getKind() == UpdateKind.FULL)
                  .name("lrea-full-snapshots")
                  .map(
                      TaxonomyOrModelSnapshot::of,
                      TypeInformation.of(TaxonomyOrModelSnapshot.class))
                  .name("lrea-models"));
    }
    // Neither is in event time: they must never hold back the behaviors' watermark.
    return new Taxonomy(
        broadcast
            .assignTimestampsAndWatermarks(TinstreamJob.<TaxonomyOrModelSnapshot>timeless())
            .name("broadcast-timeless")
            .broadcast(TrajectoryFunction.TAXONOMY, ModelReplica.SNAPSHOTS),
        deadLetters);
  }

  /**
   * A topic of {@code type} records taken as they are (no validation beyond decoding): those that
   * do not decode go to the dead letters side output.
   */
  private static <T extends SpecificRecordBase> SingleOutputStreamOperator<T> decoded(
      StreamExecutionEnvironment env,
      Source<RawRecord, ?, ?> source,
      String name,
      SerializableSupplier<AvroCodec<T>> codec,
      Class<T> type) {
    return env.fromSource(source, WatermarkStrategy.noWatermarks(), name)
        .uid(name + "-source")
        .process(
            new DecodeAndValidate<T, T>(codec, r -> Optional.empty(), (r, at) -> r),
            AvroTypeInfo.of(type))
        .name("decode-" + name)
        .uid("decode-" + name);
  }

  private DataStream<ScoreResponse> trainAndScore(SingleOutputStreamOperator<ScoringTask> tasks) {
    DataStream<TrainingExample> examples = tasks.getSideOutput(TrajectoryFunction.EXAMPLES);
    if (b.exampleSink != null) {
      examples.sinkTo(b.exampleSink).name("example-sink").uid("example-sink");
    }
    SingleOutputStreamOperator<ModelUpdate> updates =
        examples
            .keyBy(e -> OnlineTrainerFunction.KEY, TypeInformation.of(Integer.class))
            .process(
                new OnlineTrainerFunction(
                    b.specs,
                    b.trainBatchSize,
                    b.trainDeadline.toMillis(),
                    b.fullEvery,
                    VALIDATION_WINDOW,
                    b.publishEvery.toMillis()),
                AvroTypeInfo.of(ModelUpdate.class))
            .name("online-trainer")
            .uid("online-trainer")
            .setParallelism(1)
            .setMaxParallelism(1);
    if (b.updateSink != null) {
      updates.sinkTo(b.updateSink).name("model-update-sink").uid("model-update-sink");
    }
    int buckets = b.scorerParallelism;
    return tasks
        .keyBy(
            t -> Math.floorMod(t.getRequest().getUserId(), buckets),
            TypeInformation.of(Integer.class))
        .connect(updates.broadcast(MicroBatchScorer.MODELS))
        .process(
            new MicroBatchScorer(
                b.specs,
                b.scoreBatchCandidates,
                b.scoreDeadline.toMillis(),
                b.maxModelWait.toMillis()),
            AvroTypeInfo.of(ScoreResponse.class))
        .name("scorer")
        .uid("scorer")
        .setParallelism(b.scorerParallelism)
        .setMaxParallelism(SCORER_MAX_PARALLELISM);
  }

  private static ScoreResponse errorAnswer(AdRequest request) {
    return ScoreResponse.newBuilder()
        .setRequestId(request.getRequestId() == null ? "" : request.getRequestId())
        .setUserId(request.getUserId())
        .setScores(List.of())
        .setModelVariant(request.getModelVariant() == null ? "" : request.getModelVariant())
        .setModelVersion(-1)
        .setError("invalid request")
        .setRequestTime(request.getRequestTime().toEpochMilli())
        .setResponseTime(System.currentTimeMillis())
        .build();
  }

  private static WatermarkStrategy<BehaviorOrRequest> eventTime(Duration outOfOrderness) {
    return WatermarkStrategy.<BehaviorOrRequest>forBoundedOutOfOrderness(outOfOrderness)
        .withTimestampAssigner(
            (in, previous) ->
                in.event != null
                    ? in.event.getEventTime().toEpochMilli()
                    : in.request.getRequestTime().toEpochMilli())
        .withIdleness(Duration.ofSeconds(5));
  }

  /** Watermarks at the end of time: for inputs that carry no event time of their own. */
  private static <T> WatermarkStrategy<T> timeless() {
    return WatermarkStrategy.forGenerator(
        ctx ->
            new WatermarkGenerator<T>() {
              @Override
              public void onEvent(T event, long timestamp, WatermarkOutput output) {}

              @Override
              public void onPeriodicEmit(WatermarkOutput output) {
                output.emitWatermark(new Watermark(Long.MAX_VALUE));
              }
            });
  }

  private Map<String, Long> preloadedTaxonomy() {
    Map<String, Long> edges = new HashMap<>();
    for (TaxonomyEntry e : b.taxonomyEntries) {
      edges.put(TaxonomyLookup.key(e.getKind(), e.getChild()), e.getParent());
    }
    return edges;
  }

  /** Validating builder; defaults are {@link TinstreamOptions}' defaults. */
  public static final class Builder {
    private Source<RawRecord, ?, ?> behaviors;
    private Source<RawRecord, ?, ?> requests;
    private Source<RawRecord, ?, ?> taxonomySource;
    private List<TaxonomyEntry> taxonomyEntries = List.of();
    private Sink<ProbeResponse> probeSink;
    private Sink<DeadLetter> deadLetterSink;
    private Sink<ScoreResponse> scoreSink;
    private Sink<ModelUpdate> updateSink;
    private Sink<TrainingExample> exampleSink;
    private ModelSpecs specs;
    private Source<RawRecord, ?, ?> lreaModelSource;
    private int lreaRebuildAfter = TinstreamOptions.LREA_REBUILD_AFTER.defaultValue();
    private TrajectoryPolicy policy = TrajectoryPolicy.defaults();
    private HistorySelector plainHistory =
        HistorySelector.parse(
            TinstreamOptions.SEARCH_MODE.defaultValue(), TinstreamOptions.SEARCH_K.defaultValue());
    private Duration taxonomyWait = TinstreamOptions.TAXONOMY_WAIT.defaultValue();
    private Duration outOfOrderness = TinstreamOptions.OUT_OF_ORDERNESS.defaultValue();
    private Duration attributionWindow = TinstreamOptions.ATTRIBUTION_WINDOW.defaultValue();
    private int maxPendingImpressions = TinstreamOptions.MAX_PENDING_IMPRESSIONS.defaultValue();
    private int trainBatchSize = TinstreamOptions.TRAIN_BATCH_SIZE.defaultValue();
    private Duration trainDeadline = TinstreamOptions.TRAIN_BATCH_DEADLINE.defaultValue();
    private int fullEvery = TinstreamOptions.FULL_SNAPSHOT_EVERY.defaultValue();
    private Duration publishEvery = TinstreamOptions.PUBLISH_EVERY.defaultValue();
    private int scoreBatchCandidates = TinstreamOptions.SCORE_BATCH_CANDIDATES.defaultValue();
    private Duration scoreDeadline = TinstreamOptions.SCORE_BATCH_DEADLINE.defaultValue();
    private Duration maxModelWait = TinstreamOptions.MAX_MODEL_WAIT.defaultValue();
    private int scorerParallelism = 1;

    public Builder behaviors(Source<RawRecord, ?, ?> source) {
      this.behaviors = source;
      return this;
    }

    /** Ad requests; scored when models are configured, probes answered when a probe sink is. */
    public Builder requests(Source<RawRecord, ?, ?> source) {
      this.requests = source;
      return this;
    }

    /** Answers to requests for the variant {@value TrajectoryFunction#PROBE_VARIANT}. */
    public Builder probes(Sink<ProbeResponse> sink) {
      this.probeSink = sink;
      return this;
    }

    /** Taxonomy from a (compacted) topic of TaxonomyEntry records. */
    public Builder taxonomy(Source<RawRecord, ?, ?> source) {
      this.taxonomySource = source;
      return this;
    }

    /**
     * Taxonomy from a fixed list (e.g. read from a file), known to every behavior from the start.
     * Combined with a topic source, the topic's edges add to and override these.
     */
    public Builder taxonomy(List<TaxonomyEntry> entries) {
      this.taxonomyEntries = List.copyOf(entries);
      return this;
    }

    public Builder deadLetters(Sink<DeadLetter> sink) {
      this.deadLetterSink = sink;
      return this;
    }

    /**
     * Online training and scoring of these variants; responses go to {@code scores}, model versions
     * to {@code updates} (may be null).
     */
    public Builder models(ModelSpecs specs, Sink<ScoreResponse> scores, Sink<ModelUpdate> updates) {
      this.specs = Objects.requireNonNull(specs);
      this.scoreSink = Objects.requireNonNull(scores);
      this.updateSink = updates;
      return this;
    }

    /**
     * The model-updates topic, read back for the lrea variant: its full snapshots rebuild the
     * users' LREA entries; entries are also rebuilt after {@code rebuildAfter} new behaviors.
     * Required when the specs name lrea, unused otherwise.
     */
    public Builder lreaModels(Source<RawRecord, ?, ?> modelUpdates, int rebuildAfter) {
      if (rebuildAfter <= 0) {
        throw new IllegalArgumentException("LREA rebuild-after must be > 0, got " + rebuildAfter);
      }
      this.lreaModelSource = Objects.requireNonNull(modelUpdates);
      this.lreaRebuildAfter = rebuildAfter;
      return this;
    }

    /** Also writes every labelled example (e.g. for offline replay and audits). */
    public Builder examples(Sink<TrainingExample> sink) {
      this.exampleSink = sink;
      return this;
    }

    public Builder policy(TrajectoryPolicy policy) {
      this.policy = Objects.requireNonNull(policy);
      return this;
    }

    /**
     * The plain history selection: what probes are answered with, and what variants without a
     * history need of their own are fed (the others select their own, see {@link
     * ModelSpecs#histories()}).
     */
    public Builder search(HistorySelector plain) {
      this.plainHistory = Objects.requireNonNull(plain);
      return this;
    }

    /** How long behaviors that need the taxonomy wait for its first edge at the first start. */
    public Builder taxonomyWait(Duration wait) {
      this.taxonomyWait = nonNegative(wait, "taxonomy wait");
      return this;
    }

    /** How late (in event time) a behavior may arrive and still be seen as in time. */
    public Builder outOfOrderness(Duration lateness) {
      this.outOfOrderness = nonNegative(lateness, "out-of-orderness");
      return this;
    }

    /** How long an impression waits for its click; {@code maxPending} impressions per user. */
    public Builder attribution(Duration window, int maxPending) {
      if (window.isZero() || window.isNegative() || maxPending <= 0) {
        throw new IllegalArgumentException("attribution window and pending cap must be > 0");
      }
      this.attributionWindow = window;
      this.maxPendingImpressions = maxPending;
      return this;
    }

    /** How often the trainer publishes a model version (at most). */
    public Builder publishEvery(Duration interval) {
      this.publishEvery = nonNegative(interval, "publish interval");
      return this;
    }

    /** Trainer micro-batches: closed at {@code size} examples or after {@code deadline}. */
    public Builder training(int size, Duration deadline, int fullSnapshotEvery) {
      if (size <= 0 || deadline.isZero() || deadline.isNegative() || fullSnapshotEvery <= 0) {
        throw new IllegalArgumentException("training batch size, deadline and period must be > 0");
      }
      this.trainBatchSize = size;
      this.trainDeadline = deadline;
      this.fullEvery = fullSnapshotEvery;
      return this;
    }

    /** Scorer micro-batches across requests; requests wait up to {@code modelWait} for a model. */
    public Builder scoring(int candidates, Duration deadline, Duration modelWait, int parallelism) {
      if (candidates <= 0 || deadline.isNegative() || deadline.isZero() || parallelism <= 0) {
        throw new IllegalArgumentException("scoring batch, deadline and parallelism must be > 0");
      }
      this.scoreBatchCandidates = candidates;
      this.scoreDeadline = deadline;
      this.maxModelWait = nonNegative(modelWait, "model wait");
      this.scorerParallelism = parallelism;
      return this;
    }

    public TinstreamJob build() {
      if (specs != null) {
        specs = specs.withPlainHistory(plainHistory);
      }
      return new TinstreamJob(this);
    }

    private static Duration nonNegative(Duration d, String what) {
      if (d.isNegative()) {
        throw new IllegalArgumentException(what + " must be >= 0, got " + d);
      }
      return d;
    }
  }
}
