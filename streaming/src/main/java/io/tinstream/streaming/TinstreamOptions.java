package io.tinstream.streaming;

import io.tinstream.models.ModelParams;
import io.tinstream.models.layers.FieldEmbeddings;
import io.tinstream.state.TrajectoryPolicy;
import io.tinstream.state.TrajectoryStore;
import io.tinstream.streaming.kafka.KafkaClientProperties;
import io.tinstream.streaming.kafka.SinkDelivery;
import io.tinstream.streaming.kafka.StartingOffsets;
import io.tinstream.streaming.scoring.RequestDeadline;
import io.tinstream.streaming.scoring.ScorerConfig;
import io.tinstream.streaming.trajectory.CandidateCap;
import io.tinstream.streaming.trajectory.FutureSkew;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/** Every setting of the tinstream jobs, typed, with its default. The CLI fills these. */
public final class TinstreamOptions {

  private TinstreamOptions() {}

  public static final ConfigOption<String> BOOTSTRAP_SERVERS =
      ConfigOptions.key("tinstream.kafka.bootstrap-servers")
          .stringType()
          .defaultValue("localhost:9092")
          .withDescription("Kafka bootstrap servers.");

  public static final ConfigOption<String> GROUP_ID =
      ConfigOptions.key("tinstream.kafka.group-id")
          .stringType()
          .defaultValue("tinstream")
          .withDescription("Consumer group of the job's Kafka sources.");

  public static final ConfigOption<String> BEHAVIORS_TOPIC =
      ConfigOptions.key("tinstream.topics.behaviors")
          .stringType()
          .defaultValue("behaviors")
          .withDescription("Topic of BehaviorEvent records (Avro single-object encoding).");

  public static final ConfigOption<String> REQUESTS_TOPIC =
      ConfigOptions.key("tinstream.topics.requests")
          .stringType()
          .defaultValue("ad-requests")
          .withDescription("Topic of AdRequest records; empty = no requests (ingest only).");

  public static final ConfigOption<String> TAXONOMY_TOPIC =
      ConfigOptions.key("tinstream.topics.taxonomy")
          .stringType()
          .defaultValue("taxonomy")
          .withDescription("Compacted topic of TaxonomyEntry records (ignored with a file).");

  public static final ConfigOption<String> PROBE_TOPIC =
      ConfigOptions.key("tinstream.topics.probe-responses")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Topic the searched behaviors per candidate of a probe request go to (a debugging"
                  + " aid that hands out a user's history, so off by default); empty = a probe"
                  + " gets an error response.");

  public static final ConfigOption<String> DEAD_LETTER_TOPIC =
      ConfigOptions.key("tinstream.topics.dead-letters")
          .stringType()
          .defaultValue("dead-letters")
          .withDescription("Topic of DeadLetter records: what the job rejected, and why.");

  public static final ConfigOption<String> SCORES_TOPIC =
      ConfigOptions.key("tinstream.topics.scores")
          .stringType()
          .defaultValue("ad-scores")
          .withDescription("Topic of ScoreResponse records, one per request.");

  public static final ConfigOption<String> MODEL_UPDATES_TOPIC =
      ConfigOptions.key("tinstream.topics.model-updates")
          .stringType()
          .defaultValue("model-updates")
          .withDescription("Topic of ModelUpdate records (full snapshots and deltas).");

  public static final ConfigOption<String> MODEL_VARIANTS =
      ConfigOptions.key("tinstream.models.variants")
          .stringType()
          .defaultValue("tin")
          .withDescription(
              "Comma-separated variants trained side by side and served; the first is the"
                  + " default for requests that name none. Empty = ingest only.");

  public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
      ConfigOptions.key("tinstream.kafka.transactional-id-prefix")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Prefix of the exactly-once sinks' transactional ids (default: the group id); jobs"
                  + " running at the same time against one cluster need different prefixes.");

  public static final ConfigOption<StartingOffsets> STARTING_OFFSETS =
      ConfigOptions.key("tinstream.kafka.starting-offsets")
          .enumType(StartingOffsets.class)
          .defaultValue(StartingOffsets.COMMITTED)
          .withDescription(
              "Where the sources start when the job starts without a checkpoint (a restore always"
                  + " resumes from the checkpoint): committed (the group's offsets, committed at"
                  + " every completed checkpoint; earliest where the group has none), earliest"
                  + " (replay everything) or latest (only what is written from now on).");

  public static final ConfigOption<Boolean> BOUNDED =
      ConfigOptions.key("tinstream.kafka.bounded")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Read the input topics up to their latest offsets at start, then finish (replays,"
                  + " benchmarks); false = run forever.");

  /**
   * Not an option itself: every setting {@code tinstream.kafka.properties.<name>} is the Kafka
   * client property {@code <name>} of every client (see {@link KafkaClientProperties}).
   */
  public static final String KAFKA_PROPERTIES_PREFIX = KafkaClientProperties.PREFIX;

  public static final ConfigOption<Duration> KAFKA_CONNECT_TIMEOUT =
      ConfigOptions.key("tinstream.kafka.connect-timeout")
          .durationType()
          .defaultValue(Duration.ofSeconds(60))
          .withDescription(
              "How long the check before the job starts waits for Kafka to answer (connect,"
                  + " authenticate, describe the cluster): refused credentials fail at once,"
                  + " an unreachable or silent cluster after this long. Client properties go in"
                  + " tinstream.kafka.properties.<kafka property> (security.protocol,"
                  + " sasl.mechanism, sasl.jaas.config, ssl.*), for every Kafka client of the"
                  + " job and the tools; secret values are masked wherever settings print.");

  public static final ConfigOption<String> EXAMPLES_TOPIC =
      ConfigOptions.key("tinstream.topics.training-examples")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Topic every labelled TrainingExample is also written to (replays, audits);"
                  + " empty = not written.");

  public static final ConfigOption<Long> MODEL_SEED =
      ConfigOptions.key("tinstream.models.seed")
          .longType()
          .defaultValue(1L)
          .withDescription("Seed of the models' initial weights.");

  public static final ConfigOption<String> ID_ROWS =
      ConfigOptions.key("tinstream.models.id-rows")
          .stringType()
          .defaultValue("collisionless")
          .withDescription(
              "How ids become embedding rows: 'collisionless' (each admitted id owns a row; others"
                  + " use the reserved row) or 'hashed' (ids may share rows). Checkpoints written"
                  + " before collisionless rows existed restore only with 'hashed'.");

  public static final ConfigOption<Integer> ID_ADMISSION_COUNT =
      ConfigOptions.key("tinstream.models.id-admission-count")
          .intType()
          .defaultValue(1)
          .withDescription(
              "Times an id must be trained on (count-min sketch estimate) before it gets a row of"
                  + " its own; 1 admits on first sight.");

  public static final ConfigOption<Duration> ID_EXPIRY =
      ConfigOptions.key("tinstream.models.id-expiry")
          .durationType()
          .defaultValue(Duration.ZERO)
          .withDescription(
              "An id not trained on for this long (event time) loses its row, which is"
                  + " reinitialized before another id gets it; 0 never expires.");

  /** {@code tinstream.models.rows.<field>}: rows of each field's embedding table, every variant. */
  public static final Map<ModelParams.Field, ConfigOption<Integer>> TABLE_ROWS = tableRows();

  private static Map<ModelParams.Field, ConfigOption<Integer>> tableRows() {
    Map<ModelParams.Field, ConfigOption<Integer>> rows = new EnumMap<>(ModelParams.Field.class);
    for (ModelParams.Field f : ModelParams.Field.values()) {
      rows.put(
          f,
          ConfigOptions.key("tinstream.models.rows." + f.key())
              .intType()
              .defaultValue(FieldEmbeddings.Settings.DEFAULT.rows().get(f))
              .withDescription(
                  "Rows of the "
                      + f.key()
                      + " embedding table of every variant, row 0 reserved (at most rows - 1 ids"
                      + " hold a row at once); a restore must keep it."));
    }
    return Collections.unmodifiableMap(rows);
  }

  public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
      ConfigOptions.key("tinstream.event-time.out-of-orderness")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription(
              "How late in event time a behavior may arrive and still count as in time.");

  public static final ConfigOption<Duration> MAX_FUTURE_SKEW =
      ConfigOptions.key(FutureSkew.KEY)
          .durationType()
          .defaultValue(FutureSkew.DEFAULT)
          .withDescription(
              "How far ahead of processing time a behavior's or request's time may be; further"
                  + " ahead is a clock bug: dead-lettered, and never moves the watermark or a"
                  + " user's retention horizon.");

  public static final ConfigOption<Duration> ATTRIBUTION_WINDOW =
      ConfigOptions.key("tinstream.labels.attribution-window")
          .durationType()
          .defaultValue(Duration.ofMinutes(30))
          .withDescription("How long (event time) an impression waits for its click.");

  public static final ConfigOption<Integer> MAX_PENDING_IMPRESSIONS =
      ConfigOptions.key("tinstream.labels.max-pending")
          .intType()
          .defaultValue(10_000)
          .withDescription(
              "Impressions per user waiting for a label; more are counted and dropped.");

  public static final ConfigOption<Integer> TRAIN_BATCH_SIZE =
      ConfigOptions.key("tinstream.training.batch-size")
          .intType()
          .defaultValue(256)
          .withDescription("Examples per online training micro-batch.");

  public static final ConfigOption<Duration> TRAIN_BATCH_DEADLINE =
      ConfigOptions.key("tinstream.training.batch-deadline")
          .durationType()
          .defaultValue(Duration.ofSeconds(1))
          .withDescription("A partly filled training micro-batch is trained after this long.");

  public static final ConfigOption<Integer> FULL_SNAPSHOT_EVERY =
      ConfigOptions.key("tinstream.training.full-snapshot-every")
          .intType()
          .defaultValue(20)
          .withDescription("Versions between full model snapshots; deltas in between.");

  public static final ConfigOption<Duration> PUBLISH_EVERY =
      ConfigOptions.key("tinstream.training.publish-every")
          .durationType()
          .defaultValue(Duration.ofSeconds(1))
          .withDescription("The trainer publishes a model version at most this often.");

  public static final ConfigOption<Duration> AUC_WINDOW =
      ConfigOptions.key("tinstream.metrics.auc-window")
          .durationType()
          .defaultValue(Duration.ofSeconds(60))
          .withDescription(
              "Online AUC / LogLoss (progressive and served) are computed over the labelled scores"
                  + " of this last stretch of time.");

  public static final ConfigOption<Integer> AUC_MIN_PER_CLASS =
      ConfigOptions.key("tinstream.metrics.auc-min-per-class")
          .intType()
          .defaultValue(100)
          .withDescription(
              "An online AUC / LogLoss is reported (not NaN) only once its window holds this many"
                  + " clicks and as many non-clicks.");

  public static final ConfigOption<Integer> SERVED_MAX_CANDIDATES =
      ConfigOptions.key("tinstream.metrics.served-max-candidates")
          .intType()
          .defaultValue(10)
          .withDescription(
              "The scores of requests with at most this many candidates are kept until the"
                  + " attribution window of their impressions closes, to join them with the"
                  + " labels (served AUC); 0 = none. Larger requests are not kept: an ad server"
                  + " shows a few of many candidates, and keeping every score of large requests"
                  + " costs state for impressions that never come.");

  public static final ConfigOption<Integer> PROMETHEUS_PORT =
      ConfigOptions.key("tinstream.metrics.prometheus-port")
          .intType()
          .defaultValue(0)
          .withDescription(
              "A local cluster (the demo, 'job' run without a cluster) serves every Flink and"
                  + " tinstream metric on http://<host>:<port>/metrics with Flink's Prometheus"
                  + " reporter; 0 = off. On a cluster, configure metrics.reporter.* in its own"
                  + " configuration.");

  public static final ConfigOption<Integer> MAX_CANDIDATES =
      ConfigOptions.key(CandidateCap.KEY)
          .intType()
          .defaultValue(CandidateCap.DEFAULT)
          .withDescription(
              "Candidates one ad request may carry; a request with more gets an error response"
                  + " (and a dead letter) naming this cap, so no answer can outgrow a Kafka"
                  + " record. Probes are capped the same, or lower where the searched behaviors"
                  + " of that many candidates (tinstream.search.k each) would not fit one record.");

  public static final ConfigOption<Integer> SCORE_BATCH_CANDIDATES =
      ConfigOptions.key("tinstream.scoring.batch-candidates")
          .intType()
          .defaultValue(100)
          .withDescription(
              "Candidates per scoring micro-batch (across requests): a request of at least this"
                  + " many, arriving while nothing waits, is scored at once on its own; smaller"
                  + " ones wait for others up to tinstream.scoring.batch-deadline.");

  public static final ConfigOption<Duration> SCORE_BATCH_DEADLINE =
      ConfigOptions.key("tinstream.scoring.batch-deadline")
          .durationType()
          .defaultValue(Duration.ofMillis(20))
          .withDescription("A partly filled scoring micro-batch is scored after this long.");

  public static final ConfigOption<Duration> MAX_MODEL_WAIT =
      ConfigOptions.key("tinstream.scoring.max-model-wait")
          .durationType()
          .defaultValue(Duration.ofSeconds(60))
          .withDescription(
              "Requests wait this long for a variant's first model version, then get an error.");

  // Bounds on what waits for an answer: requests waiting for a first model, and request age.
  public static final ConfigOption<Integer> MAX_WAITING_FOR_MODEL =
      ConfigOptions.key(ScorerConfig.MAX_WAITING_FOR_MODEL_KEY)
          .intType()
          .defaultValue(ScorerConfig.DEFAULT_MAX_WAITING_FOR_MODEL)
          .withDescription(
              "Requests of one variant a scorer subtask holds while the variant has no model yet"
                  + " (see tinstream.scoring.max-model-wait); one more is answered at once with a"
                  + " 'queue full' error response naming this setting.");

  public static final ConfigOption<Duration> REQUEST_DEADLINE =
      ConfigOptions.key(RequestDeadline.KEY)
          .durationType()
          .defaultValue(RequestDeadline.DEFAULT)
          .withDescription(
              "A request older than this when it would be scored (by the scorer or, for lrea and"
                  + " td-sasrec, from per-user state) is answered with a 'timed out' error response"
                  + " instead of a stale score. The age counts from the request's Kafka record"
                  + " timestamp (when it was produced), not its request time (the user's event-time"
                  + " clock), so a backlog in Kafka counts; it also bounds the wait for a first"
                  + " model.");

  public static final ConfigOption<Integer> SCORER_PARALLELISM =
      ConfigOptions.key("tinstream.scoring.parallelism")
          .intType()
          .noDefaultValue()
          .withDescription("Scorer subtasks (default: the job's parallelism).");

  public static final ConfigOption<SinkDelivery> SCORE_DELIVERY =
      ConfigOptions.key("tinstream.scoring.delivery")
          .enumType(SinkDelivery.class)
          .defaultValue(SinkDelivery.AT_LEAST_ONCE)
          .withDescription(
              "Delivery of the score topic: at-least-once (a response is readable as soon as it is"
                  + " written; after a restart a request may be answered again, so readers dedupe"
                  + " on requestId + modelVariant, the modelVersion saying which model answered) or"
                  + " exactly-once (transactional: readable only when the next checkpoint"
                  + " commits). Model updates, training examples and dead letters are always"
                  + " exactly-once.");

  public static final ConfigOption<String> TAXONOMY_FILE =
      ConfigOptions.key("tinstream.taxonomy.file")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "CSV taxonomy (kind,child,parent); when unset the taxonomy topic is read.");

  public static final ConfigOption<Duration> TAXONOMY_WAIT =
      ConfigOptions.key("tinstream.taxonomy.wait")
          .durationType()
          .defaultValue(Duration.ofSeconds(30))
          .withDescription(
              "At the first start, how long behaviors that need the taxonomy wait for its first"
                  + " edge before they are stored as they are.");

  public static final ConfigOption<Duration> RETENTION =
      ConfigOptions.key("tinstream.trajectory.retention")
          .durationType()
          .defaultValue(Duration.ofMillis(TrajectoryPolicy.DEFAULT_RETENTION_MS))
          .withDescription(
              "Behaviors older than this, relative to the user's newest, are dropped.");

  public static final ConfigOption<Integer> CHUNK_SIZE =
      ConfigOptions.key("tinstream.trajectory.chunk-size")
          .intType()
          .defaultValue(TrajectoryPolicy.DEFAULT_CHUNK_SIZE)
          .withDescription(
              "Behaviors the open segment of a trajectory collects before it is sealed into an"
                  + " immutable chunk. May change between runs.");

  public static final ConfigOption<Long> CACHE_ROWS =
      ConfigOptions.key("tinstream.trajectory.cache-rows")
          .longType()
          .defaultValue(TrajectoryStore.DEFAULT_CACHE_ROWS)
          .withDescription(
              "Behaviors of decoded trajectories each trajectory subtask keeps in heap (about 100"
                  + " bytes each), least recently used users first out; 0 decodes every"
                  + " trajectory from state on each use.");

  public static final ConfigOption<Integer> MAX_BEHAVIORS =
      ConfigOptions.key("tinstream.trajectory.max-behaviors")
          .intType()
          .defaultValue(TrajectoryPolicy.DEFAULT_MAX_BEHAVIORS)
          .withDescription("Per-user cap; the oldest behaviors go first.");

  public static final ConfigOption<String> SEARCH_MODE =
      ConfigOptions.key("tinstream.search.mode")
          .stringType()
          .defaultValue("hierarchical")
          .withDescription(
              "The job's plain history selection: what probes are answered with and what"
                  + " variants without a need of their own (tin, din, ...) are fed: hierarchical,"
                  + " sim, stratified or latest.");

  public static final ConfigOption<Integer> LREA_MAX_LENGTH =
      ConfigOptions.key("tinstream.lrea.max-length")
          .intType()
          .defaultValue(1000)
          .withDescription(
              "Latest behaviors the lrea variant compresses per user (its L); training examples"
                  + " carry that many when lrea is configured.");

  public static final ConfigOption<Integer> LREA_RANK =
      ConfigOptions.key("tinstream.lrea.rank")
          .intType()
          .defaultValue(32)
          .withDescription("LREA rank r: the per-user entry is 2*d*r floats.");

  public static final ConfigOption<Integer> LREA_REBUILD_AFTER =
      ConfigOptions.key("tinstream.lrea.rebuild-after")
          .intType()
          .defaultValue(64)
          .withDescription(
              "New behaviors after which a user's LREA entry is rebuilt (coalesced per second).");

  public static final ConfigOption<Integer> SEARCH_K =
      ConfigOptions.key("tinstream.search.k")
          .intType()
          .defaultValue(64)
          .withDescription("Behaviors kept per candidate by the search stage.");

  public static final ConfigOption<Integer> SOFT_SEARCH_WINDOW =
      ConfigOptions.key("tinstream.search.soft-search-window")
          .intType()
          .defaultValue(256)
          .withDescription(
              "Latest behaviors fed to soft-search variants (dare, dare-half, twin), which keep"
                  + " their own top K of them, online as in offline evaluation.");

  public static final ConfigOption<Integer> PARALLELISM =
      ConfigOptions.key("tinstream.parallelism")
          .intType()
          .defaultValue(2)
          .withDescription("Parallelism of the job.");

  public static final ConfigOption<String> CHECKPOINT_DIR =
      ConfigOptions.key("tinstream.checkpoint-dir")
          .stringType()
          .defaultValue("file:///tmp/tinstream-checkpoints")
          .withDescription("Where checkpoints go (a URI the cluster's file systems understand).");

  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
      ConfigOptions.key("tinstream.checkpoint-interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(5))
          .withDescription(
              "Exactly-once checkpoint interval; outputs become visible to read_committed"
                  + " readers at each checkpoint.");

  public static final ConfigOption<Integer> RESTART_MAX_FAILURES =
      ConfigOptions.key("tinstream.restart.max-failures")
          .intType()
          .defaultValue(3)
          .withDescription(
              "Restarts allowed within tinstream.restart.failure-interval; the failure after"
                  + " them fails the job for good (Flink's failure-rate restart strategy): a"
                  + " failure that comes back on every restart stops the job rather than looping.");

  public static final ConfigOption<Duration> RESTART_FAILURE_INTERVAL =
      ConfigOptions.key("tinstream.restart.failure-interval")
          .durationType()
          .defaultValue(Duration.ofMinutes(5))
          .withDescription("The interval tinstream.restart.max-failures is counted over.");

  public static final ConfigOption<Duration> RESTART_DELAY =
      ConfigOptions.key("tinstream.restart.delay")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription("How long the job waits after a failure before it restarts.");

  public static final ConfigOption<Integer> CHECKPOINT_TOLERABLE_FAILURES =
      ConfigOptions.key("tinstream.checkpoint-tolerable-failures")
          .intType()
          .defaultValue(3)
          .withDescription(
              "Consecutive failed checkpoints tolerated before the job fails over: a slow or"
                  + " briefly unavailable checkpoint store does not restart the job at once.");

  // A transaction of an exactly-once sink stays open from one checkpoint until the next one
  // commits, and across a failure until the restored job commits it: its timeout must cover the
  // interval, a checkpoint's timeout and the downtime (checked by JobSettings).

  public static final ConfigOption<Duration> CHECKPOINT_TIMEOUT =
      ConfigOptions.key("tinstream.checkpoint-timeout")
          .durationType()
          .defaultValue(Duration.ofMinutes(3))
          .withDescription(
              "A checkpoint not complete after this long fails (and counts against"
                  + " tinstream.checkpoint-tolerable-failures).");

  public static final ConfigOption<Duration> EXPECTED_DOWNTIME =
      ConfigOptions.key("tinstream.expected-downtime")
          .durationType()
          .defaultValue(Duration.ofMinutes(5))
          .withDescription(
              "The longest the job is expected to be down before it recovers (restart delay"
                  + " included, so at least tinstream.restart.delay): the sinks' transactions"
                  + " pre-committed before a failure must still be open when the restored job"
                  + " commits them.");

  public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
      ConfigOptions.key("tinstream.kafka.transaction-timeout")
          .durationType()
          .defaultValue(Duration.ofMinutes(10))
          .withDescription(
              "transaction.timeout.ms of the exactly-once sinks. Must exceed"
                  + " tinstream.checkpoint-interval + tinstream.checkpoint-timeout +"
                  + " tinstream.expected-downtime (else the broker may abort a transaction whose"
                  + " checkpoint completed, losing its records), and be at most the brokers'"
                  + " transaction.max.timeout.ms (15 min by default).");

  public static final ConfigOption<String> TF_DEVICE =
      ConfigOptions.key("tinstream.tf.device")
          .stringType()
          .defaultValue("cpu")
          .withDescription(
              "Where the trainer's and scorer's TF graphs are placed: 'cpu' or 'gpu:N'. Sessions"
                  + " use soft placement, so 'gpu:N' runs on the CPU where that GPU (or the GPU"
                  + " native build, Maven profile 'gpu') is absent.");

  public static final ConfigOption<Integer> TF_INTRA_OP_THREADS =
      ConfigOptions.key("tinstream.tf.intra-op-threads")
          .intType()
          .defaultValue(ModelSpecs.DEFAULT_THREADS)
          .withDescription(
              "Threads of each TF session's intra-op pool (per trainer and scorer instance);"
                  + " 0 = TF default (all cores). Keep it small where Flink shares the cores.");

  public static final ConfigOption<Integer> TF_INTER_OP_THREADS =
      ConfigOptions.key("tinstream.tf.inter-op-threads")
          .intType()
          .defaultValue(1)
          .withDescription(
              "Threads of each TF session's inter-op pool; 0 = TF default (all cores).");

  /** Every option above, to reject unknown keys. */
  public static List<ConfigOption<?>> all() {
    List<ConfigOption<?>> all =
        new ArrayList<>(
            List.of(
                BOOTSTRAP_SERVERS,
                GROUP_ID,
                TRANSACTIONAL_ID_PREFIX,
                STARTING_OFFSETS,
                BOUNDED,
                KAFKA_CONNECT_TIMEOUT,
                BEHAVIORS_TOPIC,
                REQUESTS_TOPIC,
                TAXONOMY_TOPIC,
                PROBE_TOPIC,
                DEAD_LETTER_TOPIC,
                TAXONOMY_FILE,
                TAXONOMY_WAIT,
                RETENTION,
                CHUNK_SIZE,
                CACHE_ROWS,
                MAX_BEHAVIORS,
                SEARCH_MODE,
                SEARCH_K,
                SOFT_SEARCH_WINDOW,
                LREA_MAX_LENGTH,
                LREA_RANK,
                LREA_REBUILD_AFTER,
                PARALLELISM,
                CHECKPOINT_INTERVAL,
                CHECKPOINT_DIR,
                CHECKPOINT_TOLERABLE_FAILURES,
                CHECKPOINT_TIMEOUT,
                EXPECTED_DOWNTIME,
                TRANSACTION_TIMEOUT,
                RESTART_MAX_FAILURES,
                RESTART_FAILURE_INTERVAL,
                RESTART_DELAY,
                SCORES_TOPIC,
                MODEL_UPDATES_TOPIC,
                EXAMPLES_TOPIC,
                MODEL_VARIANTS,
                MODEL_SEED,
                ID_ROWS,
                ID_ADMISSION_COUNT,
                ID_EXPIRY,
                OUT_OF_ORDERNESS,
                MAX_FUTURE_SKEW,
                ATTRIBUTION_WINDOW,
                MAX_PENDING_IMPRESSIONS,
                TRAIN_BATCH_SIZE,
                TRAIN_BATCH_DEADLINE,
                FULL_SNAPSHOT_EVERY,
                PUBLISH_EVERY,
                AUC_WINDOW,
                AUC_MIN_PER_CLASS,
                SERVED_MAX_CANDIDATES,
                PROMETHEUS_PORT,
                MAX_CANDIDATES,
                SCORE_BATCH_CANDIDATES,
                SCORE_BATCH_DEADLINE,
                MAX_MODEL_WAIT,
                MAX_WAITING_FOR_MODEL,
                REQUEST_DEADLINE,
                SCORER_PARALLELISM,
                SCORE_DELIVERY,
                TF_DEVICE,
                TF_INTRA_OP_THREADS,
                TF_INTER_OP_THREADS));
    all.addAll(TABLE_ROWS.values());
    return all;
  }

  /**
   * A configuration from {@code key=value} pairs, checked: unknown keys and values that do not
   * parse are errors naming the key, never silently ignored. Keys with {@link
   * #KAFKA_PROPERTIES_PREFIX} are Kafka client properties, checked by {@link
   * KafkaClientProperties}; their values are never echoed, they may be secrets.
   */
  public static Configuration fromMap(Map<String, String> values) {
    Map<String, ConfigOption<?>> known = new HashMap<>();
    all().forEach(o -> known.put(o.key(), o));
    Configuration conf = new Configuration();
    KafkaClientProperties.fromSettings(values);
    for (Map.Entry<String, String> e : values.entrySet()) {
      if (e.getKey().startsWith(KAFKA_PROPERTIES_PREFIX)) {
        conf.setString(e.getKey(), e.getValue());
        continue;
      }
      ConfigOption<?> option = known.get(e.getKey());
      if (option == null) {
        throw new IllegalArgumentException(
            "unknown option '"
                + e.getKey()
                + "'; known: "
                + String.join(", ", known.keySet())
                + ", and Kafka client properties as "
                + KAFKA_PROPERTIES_PREFIX
                + "<name>");
      }
      conf.setString(e.getKey(), e.getValue());
      try {
        conf.get(option);
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(
            "invalid value '" + e.getValue() + "' for " + e.getKey() + ": " + ex.getMessage(), ex);
      }
    }
    return conf;
  }
}
