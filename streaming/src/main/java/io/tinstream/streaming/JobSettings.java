package io.tinstream.streaming;

import static io.tinstream.streaming.TinstreamOptions.*;

import io.tinstream.models.ModelParams;
import io.tinstream.models.TfDevice;
import io.tinstream.models.embedding.IdRowPolicy;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.state.TrajectoryPolicy;
import io.tinstream.streaming.kafka.KafkaAccessCheck;
import io.tinstream.streaming.kafka.KafkaClientProperties;
import io.tinstream.streaming.kafka.KafkaEndpoints;
import io.tinstream.streaming.kafka.SinkDelivery;
import io.tinstream.streaming.kafka.StartingOffsets;
import io.tinstream.streaming.kafka.TransactionWindow;
import io.tinstream.streaming.scoring.RequestDeadline;
import io.tinstream.streaming.scoring.ScorerConfig;
import io.tinstream.streaming.training.TrainerConfig;
import io.tinstream.streaming.trajectory.CandidateCap;
import io.tinstream.streaming.trajectory.FutureSkew;
import io.tinstream.streaming.trajectory.TaxonomyFile;
import io.tinstream.streaming.trajectory.TrajectoryConfig;
import io.tinstream.training.features.HistorySelector;
import io.tinstream.training.features.VariantHistories;
import io.tinstream.training.online.ScoreWindow;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Every setting of the job, read from a {@link Configuration} of {@link TinstreamOptions} and
 * checked here, once, with an error that names the setting. The job, the demo, the benchmarks and
 * the integration tests all get their job through this (see {@link TinstreamJob}).
 */
public final class JobSettings {

  /** At most this many labelled scores per online AUC window, whatever its length in time. */
  static final int AUC_WINDOW_CAPACITY = 50_000;

  /**
   * The highest candidate cap accepted: its score response is 400 KB, far within a Kafka record,
   * and one request's scoring work stays a small part of a micro-batch's memory.
   */
  static final int MAX_CANDIDATES_LIMIT = 100_000;

  private final Configuration conf;
  private final TrajectoryConfig trajectory;
  private final TrainerConfig trainer;
  private final ScorerConfig scorer;
  private final ModelSpecs models;
  private final List<TaxonomyEntry> taxonomyFile;
  private final HistorySelector plainHistory;
  private final KafkaClientProperties kafkaClient;

  private JobSettings(Configuration conf) {
    this.conf = new Configuration(conf);
    require(!conf.get(BOOTSTRAP_SERVERS).isBlank(), BOOTSTRAP_SERVERS, "must not be empty");
    this.kafkaClient = KafkaClientProperties.fromSettings(conf.toMap());
    require(
        conf.get(KAFKA_CONNECT_TIMEOUT).toMillis() > 0,
        KAFKA_CONNECT_TIMEOUT,
        "must be > 0, got " + conf.get(KAFKA_CONNECT_TIMEOUT));
    for (ConfigOption<String> topic :
        List.of(BEHAVIORS_TOPIC, DEAD_LETTER_TOPIC, MODEL_UPDATES_TOPIC)) {
      require(!conf.get(topic).isBlank(), topic, "must not be empty");
    }
    positive(SEARCH_K);
    positive(MAX_BEHAVIORS);
    positive(CHUNK_SIZE);
    require(conf.get(CACHE_ROWS) >= 0, CACHE_ROWS, "must be >= 0, got " + conf.get(CACHE_ROWS));
    positive(MAX_PENDING_IMPRESSIONS);
    positive(TRAIN_BATCH_SIZE);
    positive(FULL_SNAPSHOT_EVERY);
    positive(SCORE_BATCH_CANDIDATES);
    positive(MAX_WAITING_FOR_MODEL);
    positive(PARALLELISM);
    positive(LREA_MAX_LENGTH);
    positive(LREA_RANK);
    positive(LREA_REBUILD_AFTER);
    positive(RESTART_MAX_FAILURES);
    require(
        conf.get(CHECKPOINT_TOLERABLE_FAILURES) >= 0,
        CHECKPOINT_TOLERABLE_FAILURES,
        "must be >= 0, got " + conf.get(CHECKPOINT_TOLERABLE_FAILURES));
    for (ConfigOption<Duration> d :
        List.of(
            RETENTION,
            ATTRIBUTION_WINDOW,
            TRAIN_BATCH_DEADLINE,
            SCORE_BATCH_DEADLINE,
            MAX_MODEL_WAIT,
            REQUEST_DEADLINE,
            MAX_FUTURE_SKEW,
            AUC_WINDOW,
            CHECKPOINT_INTERVAL,
            CHECKPOINT_TIMEOUT,
            TRANSACTION_TIMEOUT,
            RESTART_FAILURE_INTERVAL)) {
      require(conf.get(d).toMillis() > 0, d, "must be > 0, got " + conf.get(d));
    }
    for (ConfigOption<Duration> d :
        List.of(TAXONOMY_WAIT, OUT_OF_ORDERNESS, PUBLISH_EVERY, RESTART_DELAY)) {
      require(!conf.get(d).isNegative(), d, "must be >= 0, got " + conf.get(d));
    }
    requireTransactionsOutliveCheckpoints();
    positive(SOFT_SEARCH_WINDOW);
    positive(AUC_MIN_PER_CLASS);
    require(
        conf.get(PROMETHEUS_PORT) >= 0 && conf.get(PROMETHEUS_PORT) < 65536,
        PROMETHEUS_PORT,
        "must be in 0..65535, got " + conf.get(PROMETHEUS_PORT));
    require(
        2L * conf.get(AUC_MIN_PER_CLASS) <= AUC_WINDOW_CAPACITY,
        AUC_MIN_PER_CLASS,
        "must be at most " + AUC_WINDOW_CAPACITY / 2 + ", got " + conf.get(AUC_MIN_PER_CLASS));
    require(
        conf.get(SERVED_MAX_CANDIDATES) >= 0,
        SERVED_MAX_CANDIDATES,
        "must be >= 0, got " + conf.get(SERVED_MAX_CANDIDATES));
    int maxCandidates = conf.get(MAX_CANDIDATES);
    require(
        maxCandidates > 0 && maxCandidates <= MAX_CANDIDATES_LIMIT,
        MAX_CANDIDATES,
        "must be in [1, " + MAX_CANDIDATES_LIMIT + "], got " + maxCandidates);
    for (ConfigOption<Integer> threads : List.of(TF_INTRA_OP_THREADS, TF_INTER_OP_THREADS)) {
      int value = conf.get(threads);
      require(value >= 0, threads, "must be >= 0 (0 = TF default), got " + value);
    }
    TfDevice tfDevice;
    try {
      tfDevice = TfDevice.parse(conf.get(TF_DEVICE));
    } catch (IllegalArgumentException e) {
      throw invalid(TF_DEVICE, e.getMessage());
    }
    try {
      conf.get(STARTING_OFFSETS);
    } catch (IllegalArgumentException e) {
      throw invalid(
          STARTING_OFFSETS,
          "expected one of "
              + Arrays.toString(StartingOffsets.values())
              + ", got '"
              + conf.toMap().get(STARTING_OFFSETS.key())
              + "'");
    }
    try {
      conf.get(SCORE_DELIVERY);
    } catch (IllegalArgumentException e) {
      throw invalid(
          SCORE_DELIVERY,
          "expected one of "
              + Arrays.toString(SinkDelivery.values())
              + ", got '"
              + conf.toMap().get(SCORE_DELIVERY.key())
              + "'");
    }
    try {
      this.plainHistory = HistorySelector.parse(conf.get(SEARCH_MODE), conf.get(SEARCH_K));
    } catch (IllegalArgumentException e) {
      throw invalid(SEARCH_MODE, e.getMessage());
    }
    this.trajectory =
        new TrajectoryConfig(
            conf.get(RETENTION).toMillis(),
            conf.get(MAX_BEHAVIORS),
            conf.get(CHUNK_SIZE),
            conf.get(CACHE_ROWS),
            conf.get(TAXONOMY_WAIT).toMillis(),
            conf.get(ATTRIBUTION_WINDOW).toMillis(),
            conf.get(MAX_PENDING_IMPRESSIONS),
            !variants(conf).isEmpty() || !conf.get(EXAMPLES_TOPIC).isBlank());
    this.trainer =
        new TrainerConfig(
            conf.get(TRAIN_BATCH_SIZE),
            conf.get(TRAIN_BATCH_DEADLINE).toMillis(),
            conf.get(FULL_SNAPSHOT_EVERY),
            aucWindow(conf),
            conf.get(PUBLISH_EVERY).toMillis());
    this.scorer =
        new ScorerConfig(
            conf.get(SCORE_BATCH_CANDIDATES),
            conf.get(SCORE_BATCH_DEADLINE).toMillis(),
            conf.get(MAX_MODEL_WAIT).toMillis(),
            conf.getOptional(SCORER_PARALLELISM).orElse(conf.get(PARALLELISM)),
            conf.get(MAX_WAITING_FOR_MODEL),
            requestDeadline());
    require(scorer.parallelism() > 0, SCORER_PARALLELISM, "must be > 0");
    List<String> variants = variants(conf);
    if (variants.isEmpty()) {
      this.models = null;
    } else {
      require(!conf.get(SCORES_TOPIC).isBlank(), SCORES_TOPIC, "models need a score topic");
      require(!conf.get(REQUESTS_TOPIC).isBlank(), REQUESTS_TOPIC, "models need a request topic");
      try {
        this.models =
            ModelSpecs.of(
                    variants,
                    conf.get(SEARCH_K),
                    conf.get(LREA_MAX_LENGTH),
                    conf.get(LREA_RANK),
                    conf.get(MODEL_SEED))
                .withSoftSearchWindow(conf.get(SOFT_SEARCH_WINDOW))
                .withIdRows(idRowPolicy(conf))
                .withTableRows(tableRows(conf))
                .withPlainHistory(plainHistory)
                .withTfSession(
                    tfDevice, conf.get(TF_INTRA_OP_THREADS), conf.get(TF_INTER_OP_THREADS));
      } catch (IllegalArgumentException e) {
        throw invalid(MODEL_VARIANTS, e.getMessage());
      }
    }
    try {
      this.taxonomyFile =
          conf.getOptional(TAXONOMY_FILE)
              .map(file -> TaxonomyFile.read(Path.of(file)))
              .orElse(List.of());
    } catch (IllegalArgumentException e) {
      throw invalid(TAXONOMY_FILE, e.getMessage());
    }
    require(
        !conf.get(TAXONOMY_TOPIC).isBlank() || conf.getOptional(TAXONOMY_FILE).isPresent(),
        TAXONOMY_TOPIC,
        "a taxonomy is required: a topic, or a file (" + TAXONOMY_FILE.key() + ")");
  }

  private static Map<ModelParams.Field, Integer> tableRows(Configuration conf) {
    Map<ModelParams.Field, Integer> rows = new EnumMap<>(ModelParams.Field.class);
    TABLE_ROWS.forEach(
        (field, option) -> {
          require(conf.get(option) >= 2, option, "must be >= 2 (row 0 is reserved)");
          rows.put(field, conf.get(option));
        });
    return rows;
  }

  private static IdRowPolicy idRowPolicy(Configuration conf) {
    try {
      return new IdRowPolicy(
          IdRowPolicy.Mode.parse(conf.get(ID_ROWS)),
          conf.get(ID_ADMISSION_COUNT),
          conf.get(ID_EXPIRY).toMillis());
    } catch (IllegalArgumentException e) {
      throw invalid(ID_ROWS, e.getMessage());
    }
  }

  /**
   * An exactly-once sink's transaction must still be open when its checkpoint commits it, after a
   * failure too: refused here, at build time, rather than found as lost records after a restart.
   */
  private void requireTransactionsOutliveCheckpoints() {
    require(
        conf.get(EXPECTED_DOWNTIME).compareTo(conf.get(RESTART_DELAY)) >= 0,
        EXPECTED_DOWNTIME,
        "must be at least "
            + RESTART_DELAY.key()
            + " ("
            + format(conf.get(RESTART_DELAY))
            + "): a restart waits that long before recovery, got "
            + format(conf.get(EXPECTED_DOWNTIME)));
    TransactionWindow window = transactionWindow();
    require(
        window.holds(),
        TRANSACTION_TIMEOUT,
        "must exceed "
            + CHECKPOINT_INTERVAL.key()
            + " + "
            + CHECKPOINT_TIMEOUT.key()
            + " + "
            + EXPECTED_DOWNTIME.key()
            + " ("
            + format(window.checkpointInterval())
            + " + "
            + format(window.checkpointTimeout())
            + " + "
            + format(window.expectedDowntime())
            + " = "
            + format(window.longestOpen())
            + "), or the broker may abort a transaction before its checkpoint commits it; got "
            + format(window.transactionTimeout()));
  }

  /** The sinks' transaction timeout with the checkpoint timing it must cover. */
  public TransactionWindow transactionWindow() {
    return new TransactionWindow(
        conf.get(CHECKPOINT_INTERVAL),
        conf.get(CHECKPOINT_TIMEOUT),
        conf.get(EXPECTED_DOWNTIME),
        conf.get(TRANSACTION_TIMEOUT));
  }

  /** The settings of {@code conf}, checked; unset options take their defaults. */
  public static JobSettings from(Configuration conf) {
    return new JobSettings(conf);
  }

  /** From {@code key=value} pairs of {@link TinstreamOptions}; unknown keys are errors. */
  public static JobSettings from(Map<String, String> values) {
    return from(TinstreamOptions.fromMap(values));
  }

  /** Every option with the value in force (set or default), in {@link TinstreamOptions} order. */
  public List<Map.Entry<String, String>> table() {
    List<Map.Entry<String, String>> rows = new ArrayList<>();
    for (ConfigOption<?> option : TinstreamOptions.all()) {
      Optional<?> value = conf.getOptional(option);
      Object shown = value.isPresent() ? value.get() : option.defaultValue();
      if (option == TRANSACTIONAL_ID_PREFIX && shown == null) {
        shown = transactionalIdPrefix();
      } else if (option == SCORER_PARALLELISM && shown == null) {
        shown = scorer.parallelism();
      }
      rows.add(Map.entry(option.key(), shown == null ? "" : format(shown)));
    }
    // Secret values (sasl.jaas.config, ssl.*.password, ...) show as a mask, never in the clear.
    rows.addAll(kafkaClient.maskedSettings().entrySet());
    return rows;
  }

  private static String format(Object value) {
    if (value instanceof Duration d) {
      return org.apache.flink.util.TimeUtils.formatWithHighestUnit(d);
    }
    return String.valueOf(value);
  }

  public <T> T get(ConfigOption<T> option) {
    return conf.get(option);
  }

  /** The Kafka cluster and the identities the job uses on it. */
  public KafkaEndpoints kafka() {
    return new KafkaEndpoints(
        conf.get(BOOTSTRAP_SERVERS),
        conf.get(GROUP_ID),
        transactionalIdPrefix(),
        conf.get(STARTING_OFFSETS),
        conf.get(TRANSACTION_TIMEOUT),
        kafkaClient);
  }

  /**
   * The Kafka client properties ({@code tinstream.kafka.properties.*}) every client gets: the job's
   * sources and sinks, and the tools that feed or read the job's topics.
   */
  public KafkaClientProperties kafkaClientProperties() {
    return kafkaClient;
  }

  /** How long the check before the start waits for Kafka ({@link KafkaAccessCheck}). */
  public Duration kafkaConnectTimeout() {
    return conf.get(KAFKA_CONNECT_TIMEOUT);
  }

  private String transactionalIdPrefix() {
    return conf.getOptional(TRANSACTIONAL_ID_PREFIX).orElse(conf.get(GROUP_ID));
  }

  public boolean bounded() {
    return conf.get(BOUNDED);
  }

  /** A topic setting, or empty when the topic is switched off (an empty name). */
  public Optional<String> topic(ConfigOption<String> topic) {
    String name = conf.get(topic).trim();
    return name.isEmpty() ? Optional.empty() : Optional.of(name);
  }

  public TrajectoryConfig trajectory() {
    return trajectory;
  }

  public TrajectoryPolicy policy() {
    return trajectory.policy();
  }

  /**
   * Which behaviors each variant is fed, and what probes are answered with (the plain selection of
   * {@code tinstream.search.mode} and {@code .k}).
   */
  public VariantHistories histories() {
    return models != null ? models.histories() : VariantHistories.probesOnly(plainHistory);
  }

  /** The window online AUC / LogLoss are computed over (progressive and served). */
  public ScoreWindow.Spec aucWindow() {
    return aucWindow(conf);
  }

  /** The port a local cluster serves Prometheus metrics on; 0 = off. */
  public int prometheusPort() {
    return conf.get(PROMETHEUS_PORT);
  }

  /** Requests with at most this many candidates have their served scores joined with labels. */
  public int servedMaxCandidates() {
    return conf.get(SERVED_MAX_CANDIDATES);
  }

  /**
   * The most candidates per request, and per probe: a probe answers with up to {@code
   * tinstream.search.k} behaviors per candidate (no more than a trajectory holds), and the whole
   * answer must fit the largest record the sinks write.
   */
  public CandidateCap candidateCap() {
    return CandidateCap.of(
        conf.get(MAX_CANDIDATES),
        Math.min(conf.get(SEARCH_K), conf.get(MAX_BEHAVIORS)),
        KafkaEndpoints.MAX_RECORD_BYTES);
  }

  private static ScoreWindow.Spec aucWindow(Configuration conf) {
    return new ScoreWindow.Spec(
        conf.get(AUC_WINDOW).toMillis(), conf.get(AUC_MIN_PER_CLASS), AUC_WINDOW_CAPACITY);
  }

  public TrainerConfig trainer() {
    return trainer;
  }

  public ScorerConfig scorer() {
    return scorer;
  }

  /** How the score topic is written (the job's other sinks are always exactly-once). */
  public SinkDelivery scoreDelivery() {
    return conf.get(SCORE_DELIVERY);
  }

  /** The variants trained and served, or empty when the job only ingests. */
  public Optional<ModelSpecs> models() {
    return Optional.ofNullable(models);
  }

  public int lreaRebuildAfter() {
    return conf.get(LREA_REBUILD_AFTER);
  }

  public Duration outOfOrderness() {
    return conf.get(OUT_OF_ORDERNESS);
  }

  /** How far ahead of processing time an event or request time may be (checked > 0). */
  public FutureSkew maxFutureSkew() {
    return FutureSkew.of(conf.get(MAX_FUTURE_SKEW));
  }

  /** How old a request may be when it would be scored (checked > 0). */
  public RequestDeadline requestDeadline() {
    return RequestDeadline.of(conf.get(REQUEST_DEADLINE));
  }

  /** The edges of the taxonomy file, if one is set; known to every behavior from the start. */
  public List<TaxonomyEntry> taxonomyFile() {
    return taxonomyFile;
  }

  public int parallelism() {
    return conf.get(PARALLELISM);
  }

  public String checkpointDir() {
    return conf.get(CHECKPOINT_DIR);
  }

  public Duration checkpointInterval() {
    return conf.get(CHECKPOINT_INTERVAL);
  }

  /** A checkpoint not complete after this long fails. */
  public Duration checkpointTimeout() {
    return conf.get(CHECKPOINT_TIMEOUT);
  }

  /** Failed checkpoints in a row the job tolerates before it fails over. */
  public int tolerableCheckpointFailures() {
    return conf.get(CHECKPOINT_TOLERABLE_FAILURES);
  }

  /** Restarts allowed within {@link #restartFailureInterval()}; the next failure is final. */
  public int restartMaxFailures() {
    return conf.get(RESTART_MAX_FAILURES);
  }

  public Duration restartFailureInterval() {
    return conf.get(RESTART_FAILURE_INTERVAL);
  }

  public Duration restartDelay() {
    return conf.get(RESTART_DELAY);
  }

  static List<String> variants(Configuration conf) {
    return Arrays.stream(conf.get(MODEL_VARIANTS).split(","))
        .map(String::trim)
        .filter(v -> !v.isEmpty() && !v.equals("none"))
        .toList();
  }

  private void positive(ConfigOption<Integer> option) {
    int value = conf.get(option);
    require(value > 0, option, "must be > 0, got " + value);
  }

  private static void require(boolean ok, ConfigOption<?> option, String message) {
    if (!ok) {
      throw invalid(option, message);
    }
  }

  private static IllegalArgumentException invalid(ConfigOption<?> option, String message) {
    return new IllegalArgumentException(option.key() + ": " + message);
  }
}
