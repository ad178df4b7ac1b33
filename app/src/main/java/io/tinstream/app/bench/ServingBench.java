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
import io.tinstream.streaming.kafka.KafkaClients;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
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

  // The job's own default: scores are at-least-once, so no answer waits for a checkpoint, and a
  // shorter interval would measure checkpoint pauses the job does not have as configured.
  private static final Duration CHECKPOINT_INTERVAL =
      TinstreamOptions.CHECKPOINT_INTERVAL.defaultValue();
  private static final int CANDIDATES = 100;
  private static final String VARIANT = "tin";

  /** Width of the windows the latency and freshness percentiles are reported in. */
  static final Duration WINDOW = Duration.ofSeconds(10);

  /** How long the ad server floods the job for the max-throughput figure. */
  private static final Duration FLOOD = Duration.ofSeconds(30);

  /** One window of a run; {@code startS} counts from the end of the warm-up. */
  public record Window(
      double startS,
      int responses,
      double e2eP50Ms,
      double e2eP99Ms,
      double inJobP50Ms,
      double inJobP99Ms,
      double freshnessBehaviorP99Ms,
      double freshnessModelP99Ms,
      double jobModelFreshnessP99Ms) {}

  /** What one history length measured (one entry of {@code runs} in serving.json). */
  public record Row(
      int history,
      int users,
      int candidates,
      double targetRequestsPerS,
      double measuredS,
      double requestsPerS,
      double maxRequestsPerS,
      double e2eP50Ms,
      double e2eP99Ms,
      double inJobP50Ms,
      double inJobP99Ms,
      double freshnessBehaviorP99Ms,
      double freshnessModelP99Ms,
      double jobModelFreshnessP99Ms,
      double trainSamplesPerS,
      long errors,
      List<Window> windows,
      IngestBench.Checkpoints checkpoints,
      List<FlinkRestMonitor.OperatorCheckpoint> lastCheckpointByOperator) {}

  /** serving.json. */
  public record Result(
      String command,
      int cores,
      double windowS,
      double warmupS,
      double liveBehaviorsPerS,
      List<Row> runs) {}

  private final int users;
  private final double liveRate;
  private final double requestRate;
  private final Duration warmup;
  private final Duration measure;
  private final JobSettingOverrides overrides;
  private final PrintStream log;

  public ServingBench(
      int users,
      double liveRate,
      double requestRate,
      Duration warmup,
      Duration measure,
      JobSettingOverrides overrides,
      PrintStream log) {
    this.overrides = overrides;
    this.users = users;
    this.liveRate = liveRate;
    this.requestRate = requestRate;
    this.warmup = warmup;
    this.measure = measure;
    this.log = log;
  }

  public Row run(int length) throws Exception {
    long preload = (long) users * length;
    long live =
        (long)
            (liveRate * (warmup.toSeconds() + measure.toSeconds() + FLOOD.toSeconds() * 2 + 120));
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
      JobSettings settings = JobSettings.from(overrides.applyTo(conf));
      int port = freePort();
      StreamExecutionEnvironment env = JobEnvironment.local(settings, port);
      TinstreamJob.of(settings).addTo(env);
      JobClient client = env.executeAsync("bench-serving");
      FlinkRestMonitor monitor =
          new FlinkRestMonitor("http://127.0.0.1:" + port, client.getJobID());
      try {
        KafkaFeeder feeder =
            new KafkaFeeder(
                feed, kafka.bootstrapServers(), kafka.clientProperties(), "behaviors", 0, 0);
        // The live behaviors come after the preload, at the live rate: sent on with the preload
        // they were all ingested flat out during the warm-up, and none was live while measuring.
        feeder.holdAfter(preload);
        Thread feeding = new Thread(feeder, "bench-feeder");
        feeding.setDaemon(true);
        feeding.start();
        log.printf("L=%,d: preloading %,d behaviors of %d users ...%n", length, preload, users);
        awaitIngested(monitor, preload, feeder);
        feeder.setRate(liveRate);
        RequestDriver.Snapshot before;
        RequestDriver.Snapshot after;
        WindowedLatencies e2e;
        WindowedLatencies inJob;
        List<double[]> freshness = new ArrayList<>();
        ModelServingFreshness modelServing = new ModelServingFreshness();
        WindowedLatencies modelFreshness;
        double trainedBefore;
        long t0;
        TreeMap<Long, FlinkRestMonitor.Checkpoint> checkpoints = new TreeMap<>();
        try (ModelUpdateWatcher updates =
                new ModelUpdateWatcher(
                    kafka.bootstrapServers(), kafka.clientProperties(), "updates", modelServing);
            RequestDriver driver =
                new RequestDriver(
                    kafka.bootstrapServers(),
                    kafka.clientProperties(),
                    "requests",
                    "scores",
                    feed,
                    feeder,
                    CANDIDATES,
                    requestRate)) {
          driver.start();
          log.printf("  warm-up %d s (not measured) ...%n", warmup.toSeconds());
          Thread.sleep(warmup.toMillis());
          t0 = System.nanoTime();
          long t0Wall = System.currentTimeMillis();
          e2e = new WindowedLatencies(t0, WINDOW);
          modelFreshness = new WindowedLatencies(t0, WINDOW);
          inJob = new WindowedLatencies(t0, WINDOW);
          WindowedLatencies e2eW = e2e;
          WindowedLatencies inJobW = inJob;
          long windows = Math.max(1, measure.toNanos() / WINDOW.toNanos());
          long end = t0 + windows * WINDOW.toNanos();
          // Only requests sent after the warm-up count; both clocks of the send are this JVM's.
          driver.setListener(
              (sent, sentWall, received, response) -> {
                if (response.getError() == null) {
                  modelServing.served(response.getModelVersion(), response.getResponseTime());
                }
                if (sent >= end) {
                  return; // sent after the measured span; its answer only drains
                }
                e2eW.record(sent, (received - sent) / 1e6);
                if (response.getError() == null) {
                  inJobW.record(sent, response.getResponseTime() - sentWall);
                }
              });
          before = driver.snapshot();
          trainedBefore = trained(monitor);
          for (long w = 1; w <= windows; w++) {
            long due = t0 + w * WINDOW.toNanos();
            Thread.sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000));
            freshness.add(freshness(monitor));
            completedSince(monitor, t0Wall, checkpoints);
            RequestDriver.Snapshot s = driver.snapshot();
            log.printf(
                "  %3d s: %,d requests sent, %,d answered, %,d errors, model version %d%n",
                w * WINDOW.toSeconds(), s.sent(), s.answered(), s.errors(), s.lastModelVersion());
          }
          after = driver.snapshot();
          // Answers to the last window's requests still arrive (the checkpoint commits them).
          Thread.sleep(CHECKPOINT_INTERVAL.toMillis() * 3);
          driver.setListener(null);
          modelServing.recordInto(
              modelFreshness, t0Wall, t0Wall + (end - t0) / 1_000_000, t0Wall, t0);
        }
        double trainedRate = (trained(monitor) - trainedBefore) / ((System.nanoTime() - t0) / 1e9);
        double measuredS =
            Math.max(1, measure.toNanos() / WINDOW.toNanos()) * WINDOW.toMillis() / 1e3;
        List<FlinkRestMonitor.OperatorCheckpoint> byOperator =
            checkpoints.isEmpty() ? List.of() : latestByOperator(monitor);
        double throughput = maxRequestRate(kafka, feed, feeder);
        return row(
            length,
            users,
            requestRate,
            // Requests sent in the measured span and answered (by the end of the drain).
            e2e.overall().count() / measuredS,
            throughput,
            trainedRate,
            after.errors() - before.errors(),
            measuredS,
            e2e,
            inJob,
            modelFreshness,
            freshness,
            IngestBench.checkpointStats(checkpoints),
            byOperator);
      } finally {
        client.cancel().get();
      }
    }
  }

  /**
   * What each operator chain wrote to the latest completed checkpoint. Flink keeps the details of
   * only its last few checkpoints, so with short intervals the one asked for can be dropped between
   * two calls: the latest is asked for again.
   */
  private static List<FlinkRestMonitor.OperatorCheckpoint> latestByOperator(
      FlinkRestMonitor monitor) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return monitor.checkpointByOperator(monitor.latestCheckpointId());
      } catch (IOException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  /** Adds the checkpoints completed and triggered since {@code sinceWall} to {@code into}. */
  private static void completedSince(
      FlinkRestMonitor monitor, long sinceWall, TreeMap<Long, FlinkRestMonitor.Checkpoint> into)
      throws Exception {
    for (FlinkRestMonitor.Checkpoint c : monitor.completedInHistory(sinceWall)) {
      into.put(c.id(), c);
    }
  }

  /** Requests per second answered when the ad server sends as fast as the answers come. */
  private double maxRequestRate(EmbeddedKafka kafka, DemoFeed feed, KafkaFeeder feeder)
      throws Exception {
    try (RequestDriver driver =
        new RequestDriver(
            kafka.bootstrapServers(),
            kafka.clientProperties(),
            "requests",
            "scores",
            feed,
            feeder,
            CANDIDATES,
            1_000)) {
      driver.start();
      // Short runs (smoke tests) flood for as long as they measure.
      Duration flood = measure.compareTo(FLOOD) < 0 ? measure : FLOOD;
      Thread.sleep(flood.toMillis());
      RequestDriver.Snapshot first = driver.snapshot();
      long t0 = System.nanoTime();
      Thread.sleep(flood.toMillis());
      RequestDriver.Snapshot second = driver.snapshot();
      return (second.answered() - first.answered()) / ((System.nanoTime() - t0) / 1e9);
    }
  }

  /**
   * The job's freshness p99s now: behavior → scoring (trajectory operator) and model → serving
   * (scorer). These are the job's own histograms, which cover the last {@link
   * JobMetrics#LATENCY_WINDOW_MS} of wall-clock time: read once per window, each figure describes
   * that window.
   */
  private static double[] freshness(FlinkRestMonitor monitor) {
    try {
      double behavior =
          monitor
              .operatorMetrics(
                  JobMetrics.TRAJECTORY_OPERATOR,
                  List.of(JobMetrics.p99(JobMetrics.BEHAVIOR_FRESHNESS_MS)),
                  "max")
              .get(JobMetrics.p99(JobMetrics.BEHAVIOR_FRESHNESS_MS));
      double model =
          monitor
              .operatorMetrics(
                  JobMetrics.SCORER_OPERATOR,
                  List.of(JobMetrics.p99(JobMetrics.MODEL_FRESHNESS_MS)),
                  "max")
              .get(JobMetrics.p99(JobMetrics.MODEL_FRESHNESS_MS));
      return new double[] {behavior, model};
    } catch (java.io.IOException e) {
      return new double[] {Double.NaN, Double.NaN};
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new double[] {Double.NaN, Double.NaN};
    }
  }

  /** Reads the model-updates topic (committed) and notes when each version was created. */
  private static final class ModelUpdateWatcher implements AutoCloseable {
    private final java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    private final Thread thread;

    ModelUpdateWatcher(
        String bootstrap,
        io.tinstream.streaming.kafka.KafkaClientProperties clientProperties,
        String topic,
        ModelServingFreshness into) {
      thread =
          new Thread(
              () -> {
                io.tinstream.schemas.AvroCodec<io.tinstream.schemas.ModelUpdate> codec =
                    io.tinstream.schemas.AvroCodec.modelUpdates();
                try (var consumer = KafkaClients.committedReader(bootstrap, clientProperties)) {
                  consumer.subscribe(List.of(topic));
                  while (!stop.get()) {
                    for (var record : consumer.poll(Duration.ofMillis(200))) {
                      io.tinstream.schemas.ModelUpdate u;
                      try {
                        u = codec.decode(record.value());
                      } catch (io.tinstream.schemas.RecordDecodeException e) {
                        continue; // only the job writes here; a record it cannot read is not ours
                      }
                      if (VARIANT.equals(u.getVariant())) {
                        into.published(u.getVersion(), u.getCreatedAt());
                      }
                    }
                  }
                }
              },
              "bench-model-updates");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join(5_000);
    }
  }

  /** The row of one run from its windowed samples. */
  static Row row(
      int length,
      int users,
      double targetRate,
      double requestsPerS,
      double maxRequestsPerS,
      double trainedPerS,
      long errors,
      double measuredS,
      WindowedLatencies e2e,
      WindowedLatencies inJob,
      WindowedLatencies modelServing,
      List<double[]> freshness,
      IngestBench.Checkpoints checkpoints,
      List<FlinkRestMonitor.OperatorCheckpoint> lastCheckpointByOperator) {
    List<WindowedLatencies.Window> e2eW = e2e.windows();
    List<WindowedLatencies.Window> inJobW = inJob.windows();
    List<WindowedLatencies.Window> modelW = modelServing.windows();
    int n = Math.max(freshness.size(), Math.max(e2eW.size(), inJobW.size()));
    List<Window> windows = new ArrayList<>();
    double behaviorMax = Double.NaN;
    double modelMax = Double.NaN;
    for (int i = 0; i < n; i++) {
      WindowedLatencies.Window a = i < e2eW.size() ? e2eW.get(i) : null;
      WindowedLatencies.Window b = i < inJobW.size() ? inJobW.get(i) : null;
      WindowedLatencies.Window m = i < modelW.size() ? modelW.get(i) : null;
      double[] f = i < freshness.size() ? freshness.get(i) : new double[] {Double.NaN, Double.NaN};
      behaviorMax = nanMax(behaviorMax, f[0]);
      modelMax = nanMax(modelMax, f[1]);
      windows.add(
          new Window(
              i * WINDOW.toMillis() / 1e3,
              a == null ? 0 : a.count(),
              a == null ? Double.NaN : a.p50Ms(),
              a == null ? Double.NaN : a.p99Ms(),
              b == null ? Double.NaN : b.p50Ms(),
              b == null ? Double.NaN : b.p99Ms(),
              f[0],
              m == null ? Double.NaN : m.p99Ms(),
              f[1]));
    }
    WindowedLatencies.Summary all = e2e.overall();
    WindowedLatencies.Summary job = inJob.overall();
    return new Row(
        length,
        users,
        CANDIDATES,
        targetRate,
        measuredS,
        requestsPerS,
        maxRequestsPerS,
        all.p50Ms(),
        all.p99Ms(),
        job.p50Ms(),
        job.p99Ms(),
        behaviorMax,
        modelServing.overall().p99Ms(),
        modelMax,
        trainedPerS,
        errors,
        windows,
        checkpoints,
        List.copyOf(lastCheckpointByOperator));
  }

  private static double nanMax(double a, double b) {
    return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
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

  static String commandLine(
      int[] lengths,
      int users,
      double liveRate,
      double requestRate,
      Duration warmup,
      Duration measure,
      JobSettingOverrides overrides) {
    return String.format(
        Locale.ROOT,
        "./tinstream bench serving --lengths %s --users %d --live-rate %s --request-rate %s"
            + " --warmup %d --seconds %d%s",
        String.join(",", java.util.Arrays.stream(lengths).mapToObj(Integer::toString).toList()),
        users,
        fmt(liveRate),
        fmt(requestRate),
        warmup.toSeconds(),
        measure.toSeconds(),
        overrides.commandLine());
  }

  /** A table cell: {@code format} applied to {@code values}, "n/a" where one was not measured. */
  private static String cell(String format, double... values) {
    for (double v : values) {
      if (Double.isNaN(v)) {
        return "n/a";
      }
    }
    Object[] boxed = java.util.Arrays.stream(values).boxed().toArray();
    return String.format(Locale.ROOT, format, boxed);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  /** The section of several rows: the setup, the overall table, the windows and the goals. */
  static void addTo(BenchReport report, Result result) {
    Row first = result.runs().isEmpty() ? null : result.runs().get(0);
    report.paragraph(
        String.format(
            Locale.ROOT,
            "Command: `%s` (model `%s`, %d candidates per request, %d users preloaded to each"
                + " history length, then live behaviors at %,.0f/s and requests at %s/s; a %.0f s"
                + " warm-up that is not measured, then %.0f s windows; ad-scores at-least-once (the default),"
                + " the other sinks exactly-once with %d s"
                + " checkpoints; everything in one JVM on %d cores).",
            result.command(),
            VARIANT,
            CANDIDATES,
            first == null ? 0 : first.users(),
            result.liveBehaviorsPerS(),
            first == null ? "?" : fmt(first.targetRequestsPerS()),
            result.warmupS(),
            result.windowS(),
            CHECKPOINT_INTERVAL.toSeconds(),
            result.cores()));
    report.paragraph(
        "End to end: request sent → response readable by a read_committed consumer (includes the"
            + " wait for the checkpoint that commits it). In job: request sent → response emitted"
            + " by the scorer (the response's own timestamp; no commit wait). Both are exact"
            + " percentiles over every request sent in the measured span (per window: sent in that"
            + " window). Model → serving: for each version the trainer published in the span (its"
            + " createdAt on the model-updates topic), until a response was first scored by it or"
            + " a newer one (exact per version, resolution = the request interval). Behavior →"
            + " scoring, and the job's own model freshness (trainer → applied in the scorer), are"
            + " the job's histograms (each covers the last 10 s of wall-clock time) read at the"
            + " end of each window; their overall figure is the worst window.");
    Table table =
        Table.of(
                "history",
                "requests/s answered",
                "max requests/s",
                "e2e p50 / p99 ms",
                "in-job p50 / p99 ms",
                "freshness p99 behavior→scoring ms",
                "freshness p99 model→serving ms",
                "job's model freshness p99 ms",
                "training samples/s",
                "errors")
            .rightAligned();
    for (Row r : result.runs()) {
      table.row(
          String.format(Locale.ROOT, "%,d", r.history()),
          cell("%.1f", r.requestsPerS()),
          cell("%.1f", r.maxRequestsPerS()),
          cell("%.0f / %.0f", r.e2eP50Ms(), r.e2eP99Ms()),
          cell("%.0f / %.0f", r.inJobP50Ms(), r.inJobP99Ms()),
          cell("%.0f", r.freshnessBehaviorP99Ms()),
          cell("%.0f", r.freshnessModelP99Ms()),
          cell("%.0f", r.jobModelFreshnessP99Ms()),
          cell("%.0f", r.trainSamplesPerS()),
          String.format(Locale.ROOT, "%,d", r.errors()));
    }
    report.table(table);
    for (Row r : result.runs()) {
      Table windows =
          Table.of(
                  "history " + String.format(Locale.ROOT, "%,d", r.history()) + ": window from s",
                  "responses",
                  "e2e p50 / p99 ms",
                  "in-job p50 / p99 ms",
                  "freshness behavior p99 ms",
                  "freshness model p99 ms",
                  "job's model freshness p99 ms")
              .rightAligned();
      for (Window w : r.windows()) {
        windows.row(
            cell("%.0f", w.startS()),
            String.format(Locale.ROOT, "%,d", w.responses()),
            cell("%.0f / %.0f", w.e2eP50Ms(), w.e2eP99Ms()),
            cell("%.0f / %.0f", w.inJobP50Ms(), w.inJobP99Ms()),
            cell("%.0f", w.freshnessBehaviorP99Ms()),
            cell("%.0f", w.freshnessModelP99Ms()),
            cell("%.0f", w.jobModelFreshnessP99Ms()));
      }
      report.table(windows);
    }
    for (Row r : result.runs()) {
      IngestBench.Checkpoints c = r.checkpoints();
      if (c == null || c.count() == 0) {
        continue;
      }
      report.paragraph(
          String.format(
              Locale.ROOT,
              "History %,d: %d checkpoints completed in the measured span, duration p50 %.0f ms,"
                  + " max %.0f ms; the last one holds %,d bytes, of which %,d were uploaded by it."
                  + " By operator chain (maxima over subtasks):",
              r.history(),
              c.count(),
              c.durationMsP50(),
              c.durationMsMax(),
              c.sizeBytes(),
              c.lastDeltaBytes()));
      Table ops =
          Table.of(
                  "operator chain",
                  "state bytes",
                  "uploaded bytes",
                  "start delay ms",
                  "alignment ms",
                  "sync ms",
                  "async ms")
              .rightAligned(1, 2, 3, 4, 5, 6);
      for (FlinkRestMonitor.OperatorCheckpoint o : r.lastCheckpointByOperator()) {
        ops.row(
            o.operator(),
            String.format(Locale.ROOT, "%,d", o.stateSizeBytes()),
            String.format(Locale.ROOT, "%,d", o.checkpointedSizeBytes()),
            String.valueOf(o.startDelayMsMax()),
            String.valueOf(o.alignmentMsMax()),
            String.valueOf(o.syncMsMax()),
            String.valueOf(o.asyncMsMax()));
      }
      report.table(ops);
    }
    report.paragraph(
        "Goals (p99): ≤ 1 s behavior → scoring, ≤ 1 s training → serving, in job ≤ 20 ms,"
            + " end to end ≤ 50 ms. JSON for scripts:"
            + " `bench/serving.json` next to this file.");
  }
}
