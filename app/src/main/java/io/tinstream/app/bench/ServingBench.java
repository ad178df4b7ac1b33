package io.tinstream.app.bench;

import io.tinstream.app.feed.DemoFeed;
import io.tinstream.app.feed.KafkaFeeder;
import io.tinstream.app.feed.RequestDriver;
import io.tinstream.app.monitor.FlinkRestMonitor;
import io.tinstream.app.report.BenchReport;
import io.tinstream.app.report.BenchReport.Table;
import io.tinstream.streaming.JobEnvironment;
import io.tinstream.streaming.JobMetrics;
import io.tinstream.streaming.JobSettings;
import io.tinstream.streaming.TinstreamJob;
import io.tinstream.streaming.TinstreamOptions;
import io.tinstream.streaming.kafka.EmbeddedKafka;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Serving and training inside the running job, per user-history length: users first get {@code
 * length} behaviors each (the feed's own impressions and clicks train the model meanwhile), then,
 * while behaviors keep streaming at a live rate, the ad server sends requests of 100 candidates at
 * a fixed rate and then as fast as it can. Everything runs in this JVM on this machine's cores.
 */
public final class ServingBench {

  private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
  private static final int CANDIDATES = 100;
  private static final String VARIANT = "tin";

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

  public ServingBench(
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
      Configuration conf =
          BenchJobSettings.base(kafka, "serving", feed.taxonomy(), CHECKPOINT_INTERVAL, 2);
      conf.set(TinstreamOptions.BEHAVIORS_TOPIC, "behaviors");
      conf.set(TinstreamOptions.REQUESTS_TOPIC, "requests");
      conf.set(TinstreamOptions.SCORES_TOPIC, "scores");
      conf.set(TinstreamOptions.MODEL_UPDATES_TOPIC, "updates");
      conf.set(TinstreamOptions.DEAD_LETTER_TOPIC, "dlq");
      conf.set(TinstreamOptions.RETENTION, Duration.ofDays(3650));
      conf.set(TinstreamOptions.SEARCH_K, 64);
      conf.set(TinstreamOptions.MODEL_VARIANTS, VARIANT);
      JobSettings settings = JobSettings.from(conf);
      int port = freePort();
      StreamExecutionEnvironment env = JobEnvironment.local(settings, port);
      TinstreamJob.of(settings).addTo(env);
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
                JobMetrics.SCORER_OPERATOR,
                List.of(
                    JobMetrics.median(JobMetrics.REQUEST_LATENCY_MS),
                    JobMetrics.p99(JobMetrics.REQUEST_LATENCY_MS),
                    JobMetrics.p99(JobMetrics.MODEL_FRESHNESS_MS)),
                "max");
        Map<String, Double> trajectory =
            monitor.operatorMetrics(
                JobMetrics.TRAJECTORY_OPERATOR,
                List.of(JobMetrics.p99(JobMetrics.BEHAVIOR_FRESHNESS_MS)),
                "max");
        double throughput = maxRequestRate(kafka, feed, feeder);
        return new Row(
            length,
            users,
            steady.p50Ms(),
            steady.p99Ms(),
            scorer.get(JobMetrics.median(JobMetrics.REQUEST_LATENCY_MS)),
            scorer.get(JobMetrics.p99(JobMetrics.REQUEST_LATENCY_MS)),
            throughput,
            trainedRate,
            trajectory.get(JobMetrics.p99(JobMetrics.BEHAVIOR_FRESHNESS_MS)),
            scorer.get(JobMetrics.p99(JobMetrics.MODEL_FRESHNESS_MS)));
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
                .operatorMetrics(
                    JobMetrics.TRAJECTORY_OPERATOR, List.of(JobMetrics.BEHAVIORS_APPENDED))
                .get(JobMetrics.BEHAVIORS_APPENDED);
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
    String name = JobMetrics.ofVariant(VARIANT, JobMetrics.TRAINED_SAMPLES);
    return monitor.operatorMetrics(JobMetrics.TRAINER_OPERATOR, List.of(name)).get(name);
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The section of several rows: the setup, the table and the goals. */
  static void addTo(
      BenchReport report,
      List<Row> rows,
      int users,
      double liveRate,
      double requestRate,
      Duration measure) {
    report.paragraph(
        String.format(
            Locale.ROOT,
            "Command: `./tinstream bench serving` (model `tin`, %d candidates per request, %d"
                + " users, live behaviors %,.0f/s and %,.0f requests/s during %d s, exactly-once"
                + " sinks with 1 s checkpoints, everything in one JVM on"
                + " %d cores). End-to-end latency is send → response readable by a read_committed"
                + " consumer, so it includes waiting for the checkpoint that commits it; in-job"
                + " latency is request at the trajectory operator → response emitted by the"
                + " scorer.",
            CANDIDATES,
            users,
            liveRate,
            requestRate,
            measure.toSeconds(),
            Runtime.getRuntime().availableProcessors()));
    Table table =
        Table.of(
                "history length",
                "e2e p50 / p99 ms",
                "in-job p50 / p99 ms",
                "requests/s (100 cand.)",
                "training samples/s",
                "freshness p99 behavior→scoring ms",
                "freshness p99 training→serving ms")
            .rightAligned();
    for (Row r : rows) {
      table.row(
          String.format(Locale.ROOT, "%,d", r.length()),
          String.format(Locale.ROOT, "%.0f / %.0f", r.e2eP50(), r.e2eP99()),
          String.format(Locale.ROOT, "%.0f / %.0f", r.inJobP50(), r.inJobP99()),
          String.format(Locale.ROOT, "%.1f", r.requestsPerSecond()),
          String.format(Locale.ROOT, "%.0f", r.trainSamplesPerSecond()),
          String.format(Locale.ROOT, "%.0f", r.behaviorFreshnessP99()),
          String.format(Locale.ROOT, "%.0f", r.modelFreshnessP99()));
    }
    report.table(table);
    report.paragraph("Goals: ≤ 1 s behavior → scoring, ≤ 5 s training → serving.");
  }
}
