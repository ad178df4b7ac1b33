package io.tinstream.streaming;

import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.DeadLetter;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.ProbeResponse;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TrainingExample;
import io.tinstream.state.LreaRefreshPolicy;
import io.tinstream.streaming.kafka.DecodeAndValidate;
import io.tinstream.streaming.kafka.EventTimeAssigner;
import io.tinstream.streaming.kafka.KafkaAccessCheck;
import io.tinstream.streaming.kafka.KafkaEndpoints;
import io.tinstream.streaming.kafka.RawRecord;
import io.tinstream.streaming.restore.RestoreGuard;
import io.tinstream.streaming.restore.RestoreSensitiveSettings;
import io.tinstream.streaming.scoring.MicroBatchScorer;
import io.tinstream.streaming.scoring.ScoreResponses;
import io.tinstream.streaming.scoring.ScorerConfig;
import io.tinstream.streaming.scoring.ScorerKeys;
import io.tinstream.streaming.scoring.ScoringWork;
import io.tinstream.streaming.scoring.ScoringWorkTypeInfo;
import io.tinstream.streaming.served.ServedAuc;
import io.tinstream.streaming.served.ServedEvent;
import io.tinstream.streaming.served.ServedOutcome;
import io.tinstream.streaming.served.ServedScoreJoin;
import io.tinstream.streaming.training.OnlineTrainerFunction;
import io.tinstream.streaming.trajectory.AdRequestValidator;
import io.tinstream.streaming.trajectory.BehaviorOrRequest;
import io.tinstream.streaming.trajectory.BehaviorValidator;
import io.tinstream.streaming.trajectory.CandidateCap;
import io.tinstream.streaming.trajectory.FutureSkew;
import io.tinstream.streaming.trajectory.LreaServing;
import io.tinstream.streaming.trajectory.ModelUpdateValidator;
import io.tinstream.streaming.trajectory.SnapshotFollower;
import io.tinstream.streaming.trajectory.TaxonomyLookup;
import io.tinstream.streaming.trajectory.TaxonomyOrModelSnapshot;
import io.tinstream.streaming.trajectory.TaxonomyValidator;
import io.tinstream.streaming.trajectory.TrajectoryFunction;
import io.tinstream.streaming.trajectory.UserHeadServing;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * The tinstream job. Behaviors and ad requests from Kafka → decode and validate (rejects to the
 * dead-letter sink), with event time assigned per partition in the sources → keyBy(user) → {@link
 * TrajectoryFunction} with the broadcast taxonomy. From there: training examples → {@link
 * OnlineTrainerFunction} → model updates (to the updates sink, and broadcast to the scorer inside
 * the job); scoring tasks → {@link MicroBatchScorer} → score responses. Without models configured
 * it only ingests (and answers probes). Sources and sinks are the Kafka topics the settings name; a
 * topic set to the empty string is not wired (no requests: ingest only; no probe topic: probes are
 * not answered).
 *
 * <p>Deviation from the architecture picture, on purpose: model updates reach the scorer through an
 * in-job broadcast rather than a round trip through the model-updates topic, which would add a
 * checkpoint interval of read_committed delay to training → serving freshness. The topic still gets
 * every update for scorers outside the job.
 */
public final class TinstreamJob {

  public static final String TRAJECTORY_UID = "trajectory";

  /** The operator that keeps the settings a restore must not change (see {@link RestoreGuard}). */
  public static final String RESTORE_GUARD_UID = "restore-guard";

  /** Fixed so the scorer's batching keys map one to each subtask (see {@link ScorerKeys}). */
  static final int SCORER_MAX_PARALLELISM = 128;

  /** How long past the attribution window a served request's scores wait for its labels. */
  static final long SERVED_RETAIN_MARGIN_MS = 10 * 60_000L;

  private final JobSettings settings;
  private final KafkaEndpoints kafka;
  private final ModelSpecs specs;

  private TinstreamJob(JobSettings settings) {
    this.settings = settings;
    this.kafka = settings.kafka();
    this.specs = settings.models().orElse(null);
  }

  /**
   * The job of {@code settings} ({@link JobSettings#from}: every setting checked there, an error
   * names the setting); this is the only way the pipeline is built.
   */
  public static TinstreamJob of(JobSettings settings) {
    return new TinstreamJob(settings);
  }

  public JobSettings settings() {
    return settings;
  }

  /**
   * Connects to the job's Kafka cluster once with its client properties, before the job is started:
   * refused credentials fail here with an error naming authentication, a silent cluster after
   * tinstream.kafka.connect-timeout.
   *
   * @throws IllegalStateException when the cluster cannot be used, and why
   */
  public void verifyKafka() {
    KafkaAccessCheck.verify(
        kafka.bootstrapServers(), kafka.clientProperties(), settings.kafkaConnectTimeout());
  }

  /** Adds the pipeline to {@code env}. */
  public void addTo(StreamExecutionEnvironment env) {
    build(env);
  }

  /**
   * Adds the pipeline to {@code env} and returns the trajectory operator, whose side outputs a test
   * may read beyond what the settings sink.
   */
  SingleOutputStreamOperator<ScoringWork> build(StreamExecutionEnvironment env) {
    // The floor of this job's trainer runs: its trainer starts a fresh run no earlier, and its
    // per-user serving adopts no snapshot of a run before it (a previous run's, on the topic).
    long runStartedAt = System.currentTimeMillis();
    Duration outOfOrderness = settings.outOfOrderness();
    FutureSkew skew = settings.maxFutureSkew();
    SerializableFunction<BehaviorEvent, Optional<String>> validBehavior =
        e -> BehaviorValidator.check(e, skew, System.currentTimeMillis());
    // Event time is assigned in the source, so each Kafka partition has its own watermark and the
    // source emits their minimum: one partition running ahead cannot close the attribution
    // windows of impressions still to come from another.
    SingleOutputStreamOperator<BehaviorOrRequest> events =
        env.fromSource(
                source(TinstreamOptions.BEHAVIORS_TOPIC),
                eventTime(
                    outOfOrderness,
                    EventTimeAssigner.supplier(
                        AvroCodec::behaviorEvents,
                        validBehavior,
                        e -> e.getEventTime().toEpochMilli())),
                "behaviors")
            .uid("behaviors-source")
            .process(
                new DecodeAndValidate<>(
                    AvroCodec::behaviorEvents,
                    validBehavior,
                    (BehaviorEvent e, long at) -> BehaviorOrRequest.of(e, at)),
                TypeInformation.of(BehaviorOrRequest.class))
            .name("decode-behaviors")
            .uid("decode-behaviors");
    DataStream<DeadLetter> deadLetters = events.getSideOutput(DecodeAndValidate.DEAD_LETTERS);
    DataStream<BehaviorOrRequest> inputs = events;
    DataStream<ScoreResponse> rejectedRequests = null;
    DataStream<BehaviorOrRequest> acceptedRequests = null;

    if (settings.topic(TinstreamOptions.REQUESTS_TOPIC).isPresent()) {
      CandidateCap cap = settings.candidateCap();
      boolean probesOn = settings.topic(TinstreamOptions.PROBE_TOPIC).isPresent();
      SerializableFunction<AdRequest, Optional<String>> validRequest =
          r ->
              AdRequestValidator.probeRefused(r, probesOn)
                  .or(() -> AdRequestValidator.check(r, skew, System.currentTimeMillis(), cap));
      // Requests carry wall-clock time; they must not hold back (or rush) the behaviors' event
      // time, so they are idle for watermarking whenever they pause, and a far-future request
      // never counts.
      SingleOutputStreamOperator<BehaviorOrRequest> requests =
          env.fromSource(
                  source(TinstreamOptions.REQUESTS_TOPIC),
                  eventTime(
                      outOfOrderness,
                      EventTimeAssigner.supplier(
                          AvroCodec::adRequests,
                          validRequest,
                          r -> r.getRequestTime().toEpochMilli())),
                  "ad-requests")
              .uid("requests-source")
              .process(
                  new DecodeAndValidate<>(
                      AvroCodec::adRequests,
                      validRequest,
                      (AdRequest r, long at) -> BehaviorOrRequest.of(r, at),
                      ScoreResponses::invalidRequest),
                  TypeInformation.of(BehaviorOrRequest.class))
              .name("decode-requests")
              .uid("decode-requests");
      deadLetters = deadLetters.union(requests.getSideOutput(DecodeAndValidate.DEAD_LETTERS));
      rejectedRequests = requests.getSideOutput(DecodeAndValidate.REJECTION_ANSWERS);
      inputs = inputs.union(requests);
      acceptedRequests = requests;
    }

    BroadcastInputs broadcast = broadcastInputs(env, deadLetters);
    deadLetters = broadcast.deadLetters();
    LreaServing lrea =
        specs != null && specs.hasLrea()
            ? new LreaServing(
                specs, settings.lreaRebuildAfter(), LreaRefreshPolicy.DEFAULT_COALESCE_MS)
            : null;
    UserHeadServing heads =
        specs != null && specs.hasTdSasRec()
            ? new UserHeadServing(specs, settings.lreaRebuildAfter())
            : null;
    SingleOutputStreamOperator<ScoringWork> trajectory =
        inputs
            .keyBy(BehaviorOrRequest::userId, TypeInformation.of(Long.class))
            .connect(broadcast.stream())
            .process(
                new TrajectoryFunction(
                    settings.trajectory(),
                    settings.histories(),
                    preloadedTaxonomy(),
                    lrea,
                    heads,
                    runStartedAt,
                    settings.requestDeadline()),
                ScoringWorkTypeInfo.INSTANCE)
            .name(JobMetrics.TRAJECTORY_OPERATOR)
            .uid(TRAJECTORY_UID);

    // Examples go to their topic whether or not this job trains on them (an offline trainer may).
    settings
        .topic(TinstreamOptions.EXAMPLES_TOPIC)
        .ifPresent(
            topic ->
                trajectory
                    .getSideOutput(TrajectoryFunction.EXAMPLES)
                    .sinkTo(
                        kafka.avroSink(
                            topic, AvroCodec::trainingExamples, TrainingExample::getExampleId))
                    .name("example-sink")
                    .uid("example-sink"));
    settings
        .topic(TinstreamOptions.PROBE_TOPIC)
        .ifPresent(
            topic ->
                trajectory
                    .getSideOutput(TrajectoryFunction.PROBES)
                    .sinkTo(
                        kafka.avroSink(
                            topic, AvroCodec::probeResponses, ProbeResponse::getRequestId))
                    .name("probe-sink")
                    .uid("probe-sink"));
    if (specs != null) {
      DataStream<ScoreResponse> scores = trainAndScore(trajectory, runStartedAt);
      if (lrea != null || heads != null) {
        scores = scores.union(trajectory.getSideOutput(TrajectoryFunction.KEYED_STATE_SCORES));
      }
      if (rejectedRequests != null) {
        scores = scores.union(rejectedRequests);
      }
      if (acceptedRequests != null && settings.servedMaxCandidates() > 0) {
        servedAuc(acceptedRequests, scores, trajectory.getSideOutput(TrajectoryFunction.EXAMPLES));
      }
      // At-least-once by default: a response is worth little once the checkpoint interval has
      // passed, and each carries request id, variant and model version for the reader to dedupe.
      scores
          .sinkTo(
              kafka.avroSink(
                  settings.get(TinstreamOptions.SCORES_TOPIC),
                  AvroCodec::scoreResponses,
                  ScoreResponse::getRequestId,
                  settings.scoreDelivery()))
          .name("score-sink")
          .uid("score-sink");
    }
    deadLetters
        .sinkTo(sink(TinstreamOptions.DEAD_LETTER_TOPIC, AvroCodec::deadLetters, d -> null))
        .name("dead-letter-sink")
        .uid("dead-letter-sink");
    return trajectory;
  }

  /**
   * Joins the scores served for small requests with their impressions' labels and reports the
   * served AUC per variant (see {@link ServedScoreJoin}).
   */
  private void servedAuc(
      DataStream<BehaviorOrRequest> requests,
      DataStream<ScoreResponse> scores,
      DataStream<TrainingExample> examples) {
    int maxCandidates = settings.servedMaxCandidates();
    TypeInformation<ServedEvent> type = TypeInformation.of(ServedEvent.class);
    DataStream<ServedEvent> asked =
        requests
            .flatMap(
                (BehaviorOrRequest r, Collector<ServedEvent> out) -> {
                  if (r.request != null
                      && r.request.getCandidates().size() <= maxCandidates
                      && !TrajectoryFunction.PROBE_VARIANT.equals(r.request.getModelVariant())) {
                    out.collect(ServedEvent.candidates(r.request));
                  }
                },
                type)
            .name("served-candidates")
            .uid("served-candidates");
    DataStream<ServedEvent> answered =
        scores
            .flatMap(
                (ScoreResponse r, Collector<ServedEvent> out) -> {
                  if (r.getError() == null && r.getScores().size() <= maxCandidates) {
                    out.collect(ServedEvent.scores(r));
                  }
                },
                type)
            .name("served-scores")
            .uid("served-scores");
    DataStream<ServedEvent> labelled =
        examples
            .flatMap(
                (TrainingExample e, Collector<ServedEvent> out) -> {
                  if (e.getRequestId() != null) {
                    out.collect(ServedEvent.outcome(e));
                  }
                },
                type)
            .name("served-labels")
            .uid("served-labels");
    // Kept past the attribution window (event time) by a margin of processing time for the lag
    // between the request and its impressions' labels.
    long retainMs = settings.trajectory().attributionWindowMs() + SERVED_RETAIN_MARGIN_MS;
    asked
        .union(answered, labelled)
        .keyBy(e -> e.requestId, TypeInformation.of(String.class))
        .process(new ServedScoreJoin(retainMs), TypeInformation.of(ServedOutcome.class))
        .name(JobMetrics.SERVED_JOIN_OPERATOR)
        .uid("served-score-join")
        .process(new ServedAuc(specs.variants(), settings.aucWindow()), Types.VOID)
        .name(JobMetrics.SERVED_AUC_OPERATOR)
        .uid("served-auc")
        .setParallelism(1)
        .sinkTo(new DiscardingSink<>())
        .name("served-auc-end")
        .uid("served-auc-end")
        .setParallelism(1);
  }

  private KafkaSource<RawRecord> source(ConfigOption<String> topic) {
    return kafka.rawSource(settings.get(topic), settings.bounded());
  }

  private <T extends SpecificRecordBase> KafkaSink<T> sink(
      ConfigOption<String> topic,
      SerializableSupplier<AvroCodec<T>> codec,
      SerializableFunction<T, String> key) {
    return kafka.avroSink(settings.get(topic), codec, key);
  }

  /**
   * The trajectory operator's broadcast input: the taxonomy, with the lrea model's full snapshots
   * when lrea is served; and the dead letters including those of the topics read for it.
   */
  private record BroadcastInputs(
      BroadcastStream<TaxonomyOrModelSnapshot> stream, DataStream<DeadLetter> deadLetters) {}

  private BroadcastInputs broadcastInputs(
      StreamExecutionEnvironment env, DataStream<DeadLetter> deadLetters) {
    // The file's edges travel in the function (see TrajectoryFunction), so no behavior races
    // them; the topic's edges add to and override them. Without a topic the file's edges are
    // broadcast too, which keeps one code path and puts them in checkpoints.
    DataStream<TaxonomyEntry> taxonomy;
    if (settings.topic(TinstreamOptions.TAXONOMY_TOPIC).isPresent()) {
      SingleOutputStreamOperator<TaxonomyEntry> decodedTaxonomy =
          decoded(
              env,
              source(TinstreamOptions.TAXONOMY_TOPIC),
              "taxonomy",
              AvroCodec::taxonomyEntries,
              TaxonomyEntry.class,
              TaxonomyValidator::check);
      deadLetters =
          deadLetters.union(decodedTaxonomy.getSideOutput(DecodeAndValidate.DEAD_LETTERS));
      taxonomy = decodedTaxonomy;
    } else {
      taxonomy =
          env.fromData(settings.taxonomyFile(), AvroTypeInfo.of(TaxonomyEntry.class))
              .name("taxonomy-file")
              .uid("taxonomy-file-source");
    }
    DataStream<TaxonomyOrModelSnapshot> broadcast =
        taxonomy
            .map(TaxonomyOrModelSnapshot::of, TypeInformation.of(TaxonomyOrModelSnapshot.class))
            .name("taxonomy")
            .uid("taxonomy");
    if (specs != null && !specs.servedFromKeyedState().isEmpty()) {
      List<String> served = specs.servedFromKeyedState();
      SingleOutputStreamOperator<ModelUpdate> snapshots =
          decoded(
              env,
              // Never bounded: the trajectory operator follows the trainer's snapshots as long
              // as it runs.
              kafka.rawSource(settings.get(TinstreamOptions.MODEL_UPDATES_TOPIC), false),
              "lrea-models",
              AvroCodec::modelUpdates,
              ModelUpdate.class,
              new ModelUpdateValidator(specs, served));
      deadLetters = deadLetters.union(snapshots.getSideOutput(DecodeAndValidate.DEAD_LETTERS));
      // Only full snapshots of the variants served from keyed state: their replicas move once per
      // full snapshot, and with them every user's state (see ModelReplica).
      broadcast =
          broadcast.union(
              snapshots
                  .filter(u -> SnapshotFollower.follows(u, served))
                  .name("lrea-full-snapshots")
                  .uid("lrea-full-snapshots")
                  .map(
                      TaxonomyOrModelSnapshot::of,
                      TypeInformation.of(TaxonomyOrModelSnapshot.class))
                  .name("lrea-models")
                  .uid("lrea-models"));
    }
    // Neither is in event time: they must never hold back, nor move, the behaviors' watermark.
    return new BroadcastInputs(
        broadcast
            .transform(
                "broadcast-timeless",
                broadcast.getType(),
                new WithoutEventTime<TaxonomyOrModelSnapshot>())
            .uid("broadcast-timeless")
            .broadcast(TrajectoryFunction.TAXONOMY, SnapshotFollower.SNAPSHOTS),
        deadLetters);
  }

  /**
   * A topic of {@code type} records, decoded and checked by {@code validator}: those that do not
   * decode or validate go to the dead letters side output.
   */
  private static <T extends SpecificRecordBase> SingleOutputStreamOperator<T> decoded(
      StreamExecutionEnvironment env,
      Source<RawRecord, ?, ?> source,
      String name,
      SerializableSupplier<AvroCodec<T>> codec,
      Class<T> type,
      SerializableFunction<T, Optional<String>> validator) {
    return env.fromSource(source, WatermarkStrategy.noWatermarks(), name)
        .uid(name + "-source")
        .process(new DecodeAndValidate<T, T>(codec, validator, (r, at) -> r), AvroTypeInfo.of(type))
        .name("decode-" + name)
        .uid("decode-" + name);
  }

  private DataStream<ScoreResponse> trainAndScore(
      SingleOutputStreamOperator<ScoringWork> tasks, long runStartedAt) {
    DataStream<TrainingExample> examples = tasks.getSideOutput(TrajectoryFunction.EXAMPLES);
    SingleOutputStreamOperator<ModelUpdate> updates =
        examples
            .keyBy(e -> OnlineTrainerFunction.KEY, TypeInformation.of(Integer.class))
            .process(
                new OnlineTrainerFunction(specs, settings.trainer(), runStartedAt),
                AvroTypeInfo.of(ModelUpdate.class))
            .name(JobMetrics.TRAINER_OPERATOR)
            .uid("online-trainer")
            .setParallelism(1)
            .setMaxParallelism(1)
            // Chained to the trainer, so a restore that would import weights of another shape is
            // refused, naming the setting, before the trainer reads its state.
            .map(
                new RestoreGuard<>(RestoreSensitiveSettings.of(specs)),
                AvroTypeInfo.of(ModelUpdate.class))
            .name(RESTORE_GUARD_UID)
            .uid(RESTORE_GUARD_UID)
            .setParallelism(1)
            .setMaxParallelism(1);
    updates
        .sinkTo(
            sink(
                TinstreamOptions.MODEL_UPDATES_TOPIC,
                AvroCodec::modelUpdates,
                ModelUpdate::getVariant))
        .name("model-update-sink")
        .uid("model-update-sink")
        // One writer, like the trainer: two would each write the same variant's partition from
        // their own transaction, so a delta could land on the topic before its base.
        .setParallelism(1);
    ScorerConfig scorer = settings.scorer();
    return tasks
        .keyBy(scorerKeys(scorer.parallelism()), TypeInformation.of(Integer.class))
        .connect(updates.broadcast(MicroBatchScorer.MODELS))
        .process(new MicroBatchScorer(specs, scorer), AvroTypeInfo.of(ScoreResponse.class))
        .name(JobMetrics.SCORER_OPERATOR)
        .uid("scorer")
        .setParallelism(scorer.parallelism())
        .setMaxParallelism(SCORER_MAX_PARALLELISM);
  }

  /**
   * How scoring work is keyed onto a scorer of {@code parallelism} subtasks: one key per subtask,
   * so each subtask batches and scores (small integer keys can all land on one subtask).
   */
  static KeySelector<ScoringWork, Integer> scorerKeys(int parallelism) {
    return new ScorerKeys(parallelism, SCORER_MAX_PARALLELISM);
  }

  private static WatermarkStrategy<RawRecord> eventTime(
      Duration outOfOrderness, TimestampAssignerSupplier<RawRecord> assigner) {
    // Idleness: a partition (of either topic) that pauses stops holding the others back.
    return WatermarkStrategy.<RawRecord>forBoundedOutOfOrderness(outOfOrderness)
        .withTimestampAssigner(assigner)
        .withIdleness(Duration.ofSeconds(5));
  }

  private Map<String, Long> preloadedTaxonomy() {
    Map<String, Long> edges = new HashMap<>();
    for (TaxonomyEntry e : settings.taxonomyFile()) {
      edges.put(TaxonomyLookup.key(e.getKind(), e.getChild()), e.getParent());
    }
    return edges;
  }
}
