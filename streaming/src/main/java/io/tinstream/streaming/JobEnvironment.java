package io.tinstream.streaming;

import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The Flink settings every tinstream job runs with: RocksDB keyed state, exactly-once checkpoints,
 * a bounded failure-rate restart strategy, and no silent Kryo fallback for record types.
 */
public final class JobEnvironment {

  private JobEnvironment() {}

  /**
   * The base configuration: RocksDB, checkpoints under {@code checkpointUri}, restarts and
   * checkpoint failures bounded by the defaults of {@link TinstreamOptions}.
   */
  public static Configuration configuration(String checkpointUri, int parallelism) {
    Configuration conf = base(checkpointUri, parallelism);
    recovery(
        conf,
        TinstreamOptions.RESTART_MAX_FAILURES.defaultValue(),
        TinstreamOptions.RESTART_FAILURE_INTERVAL.defaultValue(),
        TinstreamOptions.RESTART_DELAY.defaultValue(),
        TinstreamOptions.CHECKPOINT_TOLERABLE_FAILURES.defaultValue(),
        TinstreamOptions.CHECKPOINT_TIMEOUT.defaultValue());
    return conf;
  }

  /**
   * The configuration of the job of {@code settings}. Its operators all carry a uid: one without
   * fails the build, since an auto-generated id changes with the graph and a savepoint's state
   * would then not restore into the next build.
   */
  public static Configuration configuration(JobSettings settings) {
    Configuration conf = base(settings.checkpointDir(), settings.parallelism());
    conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
    recovery(
        conf,
        settings.restartMaxFailures(),
        settings.restartFailureInterval(),
        settings.restartDelay(),
        settings.tolerableCheckpointFailures(),
        settings.checkpointTimeout());
    return conf;
  }

  /**
   * Bad records are dead-lettered and never fail a task, so a failure is the infrastructure's (a
   * lost TaskManager, a broker away): worth a few restarts. One that comes back on every restart
   * would loop forever under Flink's default strategy; past the rate the job fails and says so.
   */
  private static void recovery(
      Configuration conf,
      int maxFailures,
      Duration interval,
      Duration delay,
      int tolerableCheckpointFailures,
      Duration checkpointTimeout) {
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "failure-rate");
    conf.set(
        RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_MAX_FAILURES_PER_INTERVAL,
        maxFailures);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_FAILURE_RATE_INTERVAL, interval);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_DELAY, delay);
    conf.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, tolerableCheckpointFailures);
    // The sinks' transaction timeout is checked against this one (JobSettings): Flink's own
    // default (10 min) would equal theirs and leave no room for a restart.
    conf.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, checkpointTimeout);
  }

  private static Configuration base(String checkpointUri, int parallelism) {
    Configuration conf = new Configuration();
    conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointUri);
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    // Timers on the heap, keyed state in RocksDB: every impression registers its window's timer,
    // and RocksDB timers cost a state write and a sorted-set update each (a tenth of the trajectory
    // operator's time in a profile). Timers are few per user (the pending-impression cap bounds
    // them) and are still checkpointed with the keyed state.
    conf.set(
        RocksDBOptions.TIMER_SERVICE_FACTORY,
        EmbeddedRocksDBStateBackend.PriorityQueueStateType.HEAP);
    // A network buffer waits at most this long for more records before it is sent: Flink's
    // 100 ms default would be paid at each of the two shuffles between an ad request and its score.
    conf.set(ExecutionOptions.BUFFER_TIMEOUT, Duration.ofMillis(5));
    // Records and state are Avro or POJOs; a Kryo fallback would be a silent slow path.
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    conf.setString("parallelism.default", String.valueOf(parallelism));
    return conf;
  }

  /** A local cluster in this JVM for the job of {@code settings}, web UI on {@code webUiPort}. */
  public static StreamExecutionEnvironment local(JobSettings settings, int webUiPort) {
    Configuration conf = configuration(settings);
    if (settings.prometheusPort() > 0) {
      withPrometheus(conf, settings.prometheusPort());
    }
    return local(conf, webUiPort, settings.checkpointInterval());
  }

  /** Adds Flink's Prometheus reporter, serving every metric on {@code port}, to {@code conf}. */
  public static Configuration withPrometheus(Configuration conf, int port) {
    conf.setString(
        "metrics.reporter.prom.factory.class",
        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    conf.setString("metrics.reporter.prom.port", String.valueOf(port));
    return conf;
  }

  /** The environment of a cluster submission for the job of {@code settings}. */
  public static StreamExecutionEnvironment submitted(JobSettings settings) {
    return submitted(configuration(settings), settings.checkpointInterval());
  }

  /** A local cluster in this JVM, with the web UI on {@code webUiPort} (0 = any free port). */
  public static StreamExecutionEnvironment local(
      Configuration conf, int webUiPort, Duration checkpointInterval) {
    Configuration local = new Configuration(conf);
    local.set(RestOptions.PORT, webUiPort);
    local.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    local.set(RestOptions.ADDRESS, "127.0.0.1");
    // The web UI and the demo's progress lines read metrics through REST; refresh them often.
    local.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(2));
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(local);
    configure(env, conf, checkpointInterval);
    return env;
  }

  /** The environment of a cluster submission ({@code flink run}), or local when run directly. */
  public static StreamExecutionEnvironment submitted(
      Configuration conf, Duration checkpointInterval) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    configure(env, conf, checkpointInterval);
    return env;
  }

  private static void configure(
      StreamExecutionEnvironment env, Configuration conf, Duration checkpointInterval) {
    env.enableCheckpointing(checkpointInterval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
    env.setParallelism(Integer.parseInt(conf.getString("parallelism.default", "2")));
  }
}
