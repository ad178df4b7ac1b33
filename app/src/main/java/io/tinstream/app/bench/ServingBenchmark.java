package io.tinstream.app.bench;

import io.tinstream.app.feed.DemoFeed;
import io.tinstream.app.feed.KafkaFeeder;
import io.tinstream.app.feed.RequestDriver;
import io.tinstream.app.monitor.FlinkRestMonitor;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.state.TrajectoryPolicy;
import io.tinstream.streaming.JobEnvironment;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.streaming.TinstreamJob;
import io.tinstream.streaming.kafka.EmbeddedKafka;
import io.tinstream.streaming.kafka.KafkaEndpoints;
import io.tinstream.training.features.HistorySelector;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Serving and training inside the running job, per user-history length: users first get {@code
 * length} behaviors each (the feed's own impressions and clicks train the model meanwhile), then,
 * while behaviors keep streaming at a live rate, the ad server sends requests of 100 candidates at
 * a fixed rate and then as fast as it can. Everything runs in this JVM on this machine's cores.
 */
public final class ServingBenchmark {

  private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
  private static final int CANDIDATES = 100;
  private static final String VARIANT = "tin";

  /**
   * The synthetic users here act once a minute; with the default weekly buckets every append would
   * rewrite a chunk of up to 10,000 behaviors. Hourly buckets keep chunks near 60.
   */
  private static final Duration BUCKET_WIDTH = Duration.ofHours(1);

  /** What one history length measured. */
  public record Row(
      int length,
      int users,
      double e2eP50,
      double e2eP99,
      double inJobP50,
      double inJobP99,
      double requestsPerSecond,
      double trainSamplesPerSecond,
      double behaviorFreshnessP99,
      double modelFreshnessP99) {}

  private final int users;
  private final double liveRate;
  private final double requestRate;
  private final Duration measure;
  private final PrintStream log;

  public ServingBenchmark(
      int users, double liveRate, double requestRate, Duration measure, PrintStream log) {
    this.users = users;
    this.liveRate = liveRate;
    this.requestRate = requestRate;
    this.measure = measure;
    this.log = log;
  }

  public Row run(int length) throws Exception {
    long preload = (long) users * length;
    long live = (long) (liveRate * (measure.toSeconds() * 3 + 120));
    DemoFeed feed = DemoFeed.synthetic(users, preload + live, 3);
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(2, List.of("behaviors", "requests", "scores", "updates", "dlq"));
      KafkaEndpoints endpoints =
          new KafkaEndpoints(kafka.bootstrapServers(), "bench-serving", "bench-serving");
      TinstreamJob job =
          TinstreamJob.builder()
              .behaviors(endpoints.rawSource("behaviors", false))
              .requests(endpoints.rawSource("requests", false))
              .deadLetters(endpoints.avroSink("dlq", AvroCodec::deadLetters, d -> null))
              .taxonomy(feed.taxonomy())
              .policy(
                  TrajectoryPolicy.builder()
                      .retention(Duration.ofDays(3650))
                      .bucketWidth(BUCKET_WIDTH)
                      .build())
              .search(new HistorySelector(HistorySelector.Kind.HIERARCHICAL_SEARCH, 64))
              .models(
                  ModelSpecs.of(List.of(VARIANT), 64, 1),
                  endpoints.avroSink(
                      "scores", AvroCodec::scoreResponses, ScoreResponse::getRequestId),
                  endpoints.avroSink("updates", AvroCodec::modelUpdates, ModelUpdate::getVariant))
              .build();
      int port = freePort();
      StreamExecutionEnvironment env =
          JobEnvironment.local(
              JobEnvironment.configuration(
                  Files.createTempDirectory("tinstream-bench-serving-").toUri().toString(), 2),
              port,
              CHECKPOINT_INTERVAL);
      job.build(env);
      JobClient client = env.executeAsync("bench-serving");
      FlinkRestMonitor monitor =
          new FlinkRestMonitor("http://127.0.0.1:" + port, client.getJobID());
      try {
        KafkaFeeder feeder = new KafkaFeeder(feed, kafka.bootstrapServers(), "behaviors", 0, 0);
        Thread feeding = new Thread(feeder, "bench-feeder");
        feeding.setDaemon(true);
        feeding.start();
        log.printf("L=%,d: preloading %,d behaviors of %d users ...%n", length, preload, users);
        awaitIngested(monitor, preload, feeder);
        feeder.setRate(liveRate);
        double trainedBefore = trained(monitor);
        long t0 = System.nanoTime();
        RequestDriver.Snapshot steady;
        try (RequestDriver driver =
            new RequestDriver(
                kafka.bootstrapServers(),
                "requests",
                "scores",
                feed,
                feeder,
                CANDIDATES,
                requestRate)) {
          driver.start();
          Thread.sleep(measure.toMillis());
          steady = driver.snapshot();
          log.printf(
              "  steady: %,d requests sent, %,d answered, %,d of them errors, last version %d%n",
              steady.sent(), steady.answered(), steady.errors(), steady.lastModelVersion());
        }
        double trainedRate = (trained(monitor) - trainedBefore) / ((System.nanoTime() - t0) / 1e9);
        Map<String, Double> scorer =
            monitor.operatorMetrics(
                "scorer",
                List.of("requestLatencyMs_median", "requestLatencyMs_p99", "modelFreshnessMs_p99"),
                "max");
        Map<String, Double> trajectory =
            monitor.operatorMetrics("trajectory", List.of("behaviorFreshnessMs_p99"), "max");
        double throughput = maxRequestRate(kafka, feed, feeder);
        return new Row(
            length,
            users,
            steady.p50Ms(),
            steady.p99Ms(),
            scorer.get("requestLatencyMs_median"),
            scorer.get("requestLatencyMs_p99"),
            throughput,
            trainedRate,
            trajectory.get("behaviorFreshnessMs_p99"),
            scorer.get("modelFreshnessMs_p99"));
      } finally {
        client.cancel().get();
      }
    }
  }

  /** Requests per second answered when the ad server sends as fast as the answers come. */
  private double maxRequestRate(EmbeddedKafka kafka, DemoFeed feed, KafkaFeeder feeder)
      throws Exception {
    try (RequestDriver driver =
        new RequestDriver(
            kafka.bootstrapServers(), "requests", "scores", feed, feeder, CANDIDATES, 1_000)) {
      driver.start();
      Thread.sleep(measure.toMillis());
      RequestDriver.Snapshot first = driver.snapshot();
      long t0 = System.nanoTime();
      Thread.sleep(measure.toMillis());
      RequestDriver.Snapshot second = driver.snapshot();
      return (second.answered() - first.answered()) / ((System.nanoTime() - t0) / 1e9);
    }
  }

  private void awaitIngested(FlinkRestMonitor monitor, long preload, KafkaFeeder feeder)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (System.nanoTime() < deadline) {
      Thread.sleep(2_000);
      if (feeder.failure() != null) {
        throw new IllegalStateException("feeding Kafka failed", feeder.failure());
      }
      double appended;
      try {
        appended =
            monitor
                .operatorMetrics("trajectory", List.of("behaviorsAppended"))
                .get("behaviorsAppended");
      } catch (java.io.IOException e) {
        continue;
      }
      log.printf("  %,.0f behaviors in state, %,.0f trained%n", appended, trained(monitor));
      if (appended >= preload && trained(monitor) > 0) {
        return;
      }
    }
    throw new IllegalStateException("preload did not finish within 10 minutes");
  }

  private static double trained(FlinkRestMonitor monitor) throws Exception {
    String name = "variant." + VARIANT + ".trainedSamples";
    return monitor.operatorMetrics("online-trainer", List.of(name)).get(name);
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The markdown table of several rows. */
  public static String markdown(
      List<Row> rows, int users, double liveRate, double requestRate, Duration measure) {
    StringBuilder md = new StringBuilder();
    md.append(
        String.format(
            "Command: `./tinstream bench-serving` (model `tin`, %d candidates per request, %d users,"
                + " live behaviors %,.0f/s and %,.0f requests/s during %d s, exactly-once sinks with"
                + " 1 s checkpoints, hourly trajectory buckets, everything in one JVM on %d cores). End-to-end latency is send"
                + " → response readable by a read_committed consumer, so it includes waiting for the"
                + " checkpoint that commits it; in-job latency is request at the trajectory operator"
                + " → response emitted by the scorer.%n%n",
            CANDIDATES,
            users,
            liveRate,
            requestRate,
            measure.toSeconds(),
            Runtime.getRuntime().availableProcessors()));
    md.append(
        "| history length | e2e p50 / p99 ms | in-job p50 / p99 ms | requests/s (100 cand.) |"
            + " training samples/s | freshness p99 behavior→scoring ms | freshness p99"
            + " training→serving ms |\n|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Row r : rows) {
      md.append(
          String.format(
              "| %,d | %.0f / %.0f | %.0f / %.0f | %.1f | %.0f | %.0f | %.0f |%n",
              r.length(),
              r.e2eP50(),
              r.e2eP99(),
              r.inJobP50(),
              r.inJobP99(),
              r.requestsPerSecond(),
              r.trainSamplesPerSecond(),
              r.behaviorFreshnessP99(),
              r.modelFreshnessP99()));
    }
    md.append("\nGoals: ≤ 1 s behavior → scoring, ≤ 5 s training → serving.\n");
    return md.toString();
  }
}
