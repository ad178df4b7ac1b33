package io.tinstream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tinstream.app.feed.DemoFeed;
import io.tinstream.app.feed.KafkaFeeder;
import io.tinstream.app.feed.RequestDriver;
import io.tinstream.app.feed.ServedImpressions;
import io.tinstream.app.monitor.FlinkRestMonitor;
import io.tinstream.app.report.HtmlReport;
import io.tinstream.app.report.ReportTimeline;
import io.tinstream.models.ModelParams;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ProbeResponse;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.streaming.JobEnvironment;
import io.tinstream.streaming.JobMetrics;
import io.tinstream.streaming.JobSettings;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.streaming.TinstreamJob;
import io.tinstream.streaming.TinstreamOptions;
import io.tinstream.streaming.kafka.EmbeddedKafka;
import io.tinstream.streaming.kafka.KafkaClientProperties;
import io.tinstream.streaming.kafka.KafkaClients;
import io.tinstream.streaming.trajectory.TaxonomyFile;
import io.tinstream.streaming.trajectory.TrajectoryFunction;
import io.tinstream.training.data.MovieLensDataset;
import io.tinstream.training.online.ScoreWindow;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Everything in one JVM: an in-process Kafka broker, a Flink local cluster (RocksDB, exactly-once
 * checkpoints, web UI), a feeder of behaviors into Kafka, the ingestion job, and a probe driver,
 * with progress printed until Ctrl-C (or --duration).
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Runs the whole system in this JVM: in-process Kafka (KRaft), a Flink local cluster with RocksDB state, checkpoints and the web UI, the built-in synthetic feed (or a MovieLens replay), the ingestion job and a probe driver. Stop with Ctrl-C.")
public final class DemoCommand implements Callable<Integer> {

  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
  private static final String VERTEX = JobMetrics.TRAJECTORY_OPERATOR;

  @Spec CommandSpec spec;

  @Option(
      names = "--movielens",
      paramLabel = "DIR",
      description =
          "Replay a directory in the ml-latest-small CSV layout instead of the synthetic feed.")
  Path movieLens;

  @Option(names = "--users", description = "Synthetic feed: users (default: ${DEFAULT-VALUE}).")
  int users = 2_000;

  @Option(
      names = "--events",
      description =
          "Synthetic feed: events; 0 = no end, the feed runs as long as the demo (default:"
              + " ${DEFAULT-VALUE}).")
  long events = 0;

  @Option(names = "--seed", description = "Synthetic feed: seed (default: ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(
      names = "--rate",
      description =
          "Events per second fed into Kafka; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
  double rate = 20_000;

  @Option(
      names = "--bad-every",
      description =
          "Slip a malformed record in after every N events to show the dead-letter path; 0 = never (default: ${DEFAULT-VALUE}).")
  long badEvery = 50_000;

  @Option(names = "--parallelism", description = "Job parallelism (default: ${DEFAULT-VALUE}).")
  int parallelism = 2;

  @Option(names = "--web-ui-port", description = "Flink web UI port (default: ${DEFAULT-VALUE}).")
  int webUiPort = 8081;

  @Option(
      names = "--prometheus-port",
      description =
          "Port of the Prometheus endpoint (Flink's reporter: every Flink and tinstream metric at"
              + " /metrics); 0 = off (default: ${DEFAULT-VALUE}).")
  int prometheusPort = 9249;

  @Option(
      names = "--duration",
      description =
          "Stop after this many seconds; 0 = run until Ctrl-C (default: ${DEFAULT-VALUE}).")
  long durationSeconds = 0;

  @Option(
      names = "--checkpoint-interval",
      description = "Checkpoint interval in seconds (default: ${DEFAULT-VALUE}).")
  long checkpointSeconds = 2;

  @Option(
      names = "--retention-days",
      description =
          "Trajectory retention relative to a user's newest behavior (default: 3 years; MovieLens spans 22).")
  Long retentionDays;

  @Option(
      names = "--search-k",
      description = "Behaviors searched per candidate (default: ${DEFAULT-VALUE}).")
  int searchK = 64;

  @Option(
      names = "--models",
      split = ",",
      description =
          "Variants trained online and served, the first is the default; 'none' = ingest only"
              + " (default: ${DEFAULT-VALUE}).")
  List<String> models = List.of("tin");

  @Option(
      names = "--request-rate",
      description = "Ad requests per second from the demo's ad server (default: ${DEFAULT-VALUE}).")
  double requestRate = 10;

  @Option(
      names = "--served-share",
      description =
          "Share of the feed's impressions whose ad is scored first (one candidate), so the job"
              + " can join the served score with the click: the served AUC (default:"
              + " ${DEFAULT-VALUE}).")
  double servedShare = 0.01;

  @Option(
      names = "--candidates",
      description = "Candidates per ad request (default: ${DEFAULT-VALUE}).")
  int candidates = 100;

  @Option(
      names = "-D",
      paramLabel = "KEY=VALUE",
      description =
          "A tinstream.* setting of the job, as for 'job' (over the flags above); the table of"
              + " settings in force is printed at start.")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(
      names = "--json",
      description =
          "For scripts: one JSON object per progress interval on stdout (the same figures as the"
              + " progress lines), the start-up and stop messages on stderr.")
  boolean json;

  @Option(
      names = "--show-config",
      description = "Print the table of every setting in force before the job starts.")
  boolean showConfiguration;

  @Option(
      names = "--report-dir",
      paramLabel = "DIR",
      description =
          "Where the report of the run (report.html with charts over time) is written at the end"
              + " (default: ${DEFAULT-VALUE}).")
  Path reportDir = Path.of("tinstream-report");

  /** Every progress interval's figures, for the report written at the end. */
  private final ReportTimeline timeline = new ReportTimeline();

  /** Start-up and stop messages. */
  private PrintStream out = System.out;

  /** The progress lines: nowhere in JSON mode. */
  private PrintStream progress = System.out;

  /** The figures of the current progress interval, for JSON mode. */
  private final Map<String, Object> figures = new LinkedHashMap<>();

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The variants the job trains and serves (from the settings in force). */
  private List<String> served = List.of();

  @Override
  public Integer call() throws Exception {
    validate();
    if (json) {
      out = System.err;
      progress = new PrintStream(OutputStream.nullOutputStream());
    }
    DemoFeed feed = loadFeed();
    Path workDir = Files.createTempDirectory("tinstream-demo-");
    AtomicBoolean stopRequested = new AtomicBoolean();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stopRequested.set(true);
              try {
                stopped.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      run(feed, workDir, stopRequested);
    } finally {
      writeReport(feed);
      stopped.countDown();
      deleteQuietly(workDir);
    }
    return 0;
  }

  private void run(DemoFeed feed, Path workDir, AtomicBoolean stopRequested) throws Exception {
    out.println("tinstream demo: " + feed.description());
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      JobSettings settings = settings(kafka, feed, workDir);
      String behaviors = settings.get(TinstreamOptions.BEHAVIORS_TOPIC);
      String requests = settings.get(TinstreamOptions.REQUESTS_TOPIC);
      String probes = settings.get(TinstreamOptions.PROBE_TOPIC);
      String deadLetters = settings.get(TinstreamOptions.DEAD_LETTER_TOPIC);
      String taxonomyTopic = settings.get(TinstreamOptions.TAXONOMY_TOPIC);
      String scores = settings.get(TinstreamOptions.SCORES_TOPIC);
      String updates = settings.get(TinstreamOptions.MODEL_UPDATES_TOPIC);
      kafka.createTopics(
          settings.parallelism(),
          List.of(behaviors, requests, probes, deadLetters, scores, updates));
      kafka.createCompactedTopics(1, List.of(taxonomyTopic));
      // The demo's own clients connect as the job does: with the same client properties.
      KafkaClientProperties kafkaClient = settings.kafkaClientProperties();
      publishTaxonomy(kafka, kafkaClient, taxonomyTopic, feed.taxonomy());
      out.printf(
          "  kafka:   in-process broker (KRaft) at %s; topics %s, %s, %s, %s, %s, %s, %s"
              + " (compacted)%n",
          kafka.bootstrapServers(),
          behaviors,
          requests,
          scores,
          updates,
          probes,
          deadLetters,
          taxonomyTopic);
      // The table of every setting is the job command's opening; here it would fill a screen
      // above the progress lines, so it is printed only when asked for.
      if (showConfiguration) {
        ConfigurationTable.print(out, settings);
      }
      require(
          candidates <= settings.candidateCap().requests(),
          "--candidates "
              + candidates
              + " is over "
              + TinstreamOptions.MAX_CANDIDATES.key()
              + " = "
              + settings.candidateCap().requests());

      served = settings.models().map(ModelSpecs::variants).orElse(List.of());
      boolean serving = !served.isEmpty();
      TinstreamJob job = TinstreamJob.of(settings);
      job.verifyKafka();
      StreamExecutionEnvironment env = JobEnvironment.local(settings, webUiPort);
      job.addTo(env);
      JobClient client = env.executeAsync("tinstream");
      String webUi = "http://127.0.0.1:" + webUiPort;
      out.println(
          "  flink:   local cluster, RocksDB state, exactly-once checkpoints every "
              + checkpointSeconds
              + " s; web UI "
              + webUi
              + " (job "
              + client.getJobID()
              + ")"
              + (settings.prometheusPort() > 0
                  ? "; prometheus http://127.0.0.1:" + settings.prometheusPort() + "/metrics"
                  : ""));
      out.println(
          "  models:  "
              + (serving
                  ? String.join(", ", served)
                      + String.format(
                          " trained online; %.0f requests/s of %d candidates",
                          requestRate, candidates)
                  : "none (ingest only)")
              + "; stop with Ctrl-C"
              + (durationSeconds > 0 ? " (or after " + durationSeconds + " s)" : "")
              + (showConfiguration ? "" : "; --show-config prints the settings in force"));
      out.println();

      KafkaFeeder feeder =
          new KafkaFeeder(feed, kafka.bootstrapServers(), kafkaClient, behaviors, rate, badEvery);
      feed.recordCeiling(settings.aucWindow().newWindow());
      if (serving && servedShare > 0) {
        feeder.askBeforeImpressions(
            requests, new ServedImpressions(servedShare, served, feed::candidatesOf));
      }
      Thread feederThread = new Thread(feeder, "demo-feeder");
      feederThread.setDaemon(true);
      feederThread.start();
      FlinkRestMonitor monitor = new FlinkRestMonitor(webUi, client.getJobID());
      RequestDriver driver =
          serving
              ? new RequestDriver(
                  kafka.bootstrapServers(),
                  kafkaClient,
                  requests,
                  scores,
                  feed,
                  feeder,
                  candidates,
                  requestRate)
              : null;
      try (ProbeDriver prober =
          new ProbeDriver(kafka.bootstrapServers(), kafkaClient, requests, probes, feed, feeder)) {
        if (driver != null) {
          // Every configured variant gets traffic, lrea (served from per-user entries) included.
          driver.rotateVariants(served);
          driver.start();
        }
        loop(stopRequested, client, feed, feeder, monitor, prober, driver);
      } finally {
        if (driver != null) {
          driver.close();
        }
        feeder.stop();
        out.println();
        out.print("stopping: cancelling the job, closing Kafka ... ");
        out.flush();
        // Cancelling fails the checkpoint in flight, if any, with a warning and a stack trace
        // that describe the stop itself; checkpoint failures before the stop still print.
        Configurator.setLevel(
            "org.apache.flink.runtime.checkpoint.CheckpointFailureManager", Level.ERROR);
        client.cancel().get(30, TimeUnit.SECONDS);
      }
    }
    out.println("stopped cleanly.");
  }

  private void loop(
      AtomicBoolean stopRequested,
      JobClient client,
      DemoFeed feed,
      KafkaFeeder feeder,
      FlinkRestMonitor monitor,
      ProbeDriver prober,
      RequestDriver driver)
      throws Exception {
    long start = System.nanoTime();
    long lastTick = start;
    double lastIngested = 0;
    long lastSent = 0;
    int tick = 0;
    while (!stopRequested.get()) {
      long elapsedSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      if (durationSeconds > 0 && elapsedSeconds >= durationSeconds) {
        break;
      }
      Thread.sleep(Math.min(PROGRESS_EVERY.toMillis(), 500));
      if (System.nanoTime() - lastTick < PROGRESS_EVERY.toNanos()) {
        continue;
      }
      if (client.getJobStatus().get().isGloballyTerminalState()) {
        throw new IllegalStateException("the job ended: " + client.getJobStatus().get());
      }
      if (feeder.failure() != null) {
        throw new IllegalStateException("the feeder failed", feeder.failure());
      }
      long now = System.nanoTime();
      double seconds = (now - lastTick) / 1e9;
      Map<String, Double> m;
      Map<String, Double> decode;
      long checkpointBytes;
      try {
        m =
            monitor.operatorMetrics(
                VERTEX,
                List.of(
                    JobMetrics.BEHAVIORS_APPENDED,
                    JobMetrics.BEHAVIORS_DUPLICATE,
                    JobMetrics.BEHAVIORS_EXPIRED,
                    JobMetrics.USERS,
                    JobMetrics.PROBES_ANSWERED));
        decode =
            monitor.operatorMetrics(JobMetrics.DECODE_OPERATORS, List.of(JobMetrics.DEAD_LETTERS));
        checkpointBytes = monitor.latestCheckpointBytes();
      } catch (IOException e) {
        progress.println("  (metrics not available yet: " + e.getMessage() + ")");
        lastTick = now;
        continue;
      }
      figures.clear();
      double ingested =
          m.get(JobMetrics.BEHAVIORS_APPENDED)
              + m.get(JobMetrics.BEHAVIORS_DUPLICATE)
              + m.get(JobMetrics.BEHAVIORS_EXPIRED);
      figures.put("elapsed_s", elapsedSeconds);
      figures.put("fed", feeder.sent());
      figures.put("fed_per_s", (feeder.sent() - lastSent) / seconds);
      figures.put("feed_done", feeder.isDone());
      figures.put("ingested", ingested);
      figures.put("ingested_per_s", (ingested - lastIngested) / seconds);
      figures.put("users", m.get(JobMetrics.USERS));
      figures.put("dead_letters", decode.get(JobMetrics.DEAD_LETTERS));
      figures.put("checkpoint_bytes", checkpointBytes);
      progress.printf(
          "[%4ds] fed %,d (%,.0f/s)%s | ingested %,.0f (%,.0f/s) | users %,.0f | dead letters %,.0f | state %s%n",
          elapsedSeconds,
          feeder.sent(),
          (feeder.sent() - lastSent) / seconds,
          feeder.isDone() ? " done" : "",
          ingested,
          (ingested - lastIngested) / seconds,
          m.get(JobMetrics.USERS),
          decode.get(JobMetrics.DEAD_LETTERS),
          checkpointBytes < 0
              ? "(no checkpoint yet)"
              : String.format("%.1f MB at last checkpoint", checkpointBytes / 1e6));
      if (driver != null) {
        printServing(monitor, driver, feed);
      }
      if (tick++ % 4 == 1) {
        prober.probeOnce(progress);
      }
      timeline.record(figures);
      if (json) {
        System.out.println(JSON.writeValueAsString(figures));
        System.out.flush();
      }
      lastTick = now;
      lastIngested = ingested;
      lastSent = feeder.sent();
    }
  }

  private void printServing(FlinkRestMonitor monitor, RequestDriver driver, DemoFeed feed)
      throws Exception {
    RequestDriver.Snapshot requests = driver.snapshot();
    feed.ceiling()
        .ifPresent(
            c -> {
              ScoreWindow.Figures f = c.figures(System.currentTimeMillis());
              figures.put("ceiling_auc", finite(f.auc()));
              progress.printf(
                  "       feed ceiling AUC %.3f (true click probabilities of %,d impressions)%n",
                  f.auc(), f.samples());
            });
    for (String variant : served) {
      String prefix = JobMetrics.ofVariant(variant, "");
      Map<String, Double> trainer =
          monitor.operatorMetrics(
              JobMetrics.TRAINER_OPERATOR,
              List.of(
                  prefix + JobMetrics.ONLINE_AUC,
                  prefix + JobMetrics.ONLINE_SAMPLES,
                  prefix + JobMetrics.MODEL_VERSION,
                  prefix + JobMetrics.TRAINED_SAMPLES,
                  JobMetrics.ofIdRows(variant, ITEM, JobMetrics.ID_LIVE_ROWS),
                  JobMetrics.ofIdRows(variant, ITEM, JobMetrics.ID_ADMISSIONS),
                  JobMetrics.ofIdRows(variant, ITEM, JobMetrics.ID_EVICTIONS),
                  JobMetrics.ofIdRows(variant, ITEM, JobMetrics.ID_REFUSED_FULL)),
              "max");
      Map<String, Double> servedAuc =
          monitor.operatorMetrics(
              JobMetrics.SERVED_AUC_OPERATOR,
              List.of(prefix + JobMetrics.SERVED_AUC, prefix + JobMetrics.SERVED_SAMPLES),
              "max");
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("progressive_auc", finite(trainer.get(prefix + JobMetrics.ONLINE_AUC)));
      v.put("progressive_samples", orZero(trainer.get(prefix + JobMetrics.ONLINE_SAMPLES)));
      v.put("served_auc", finite(servedAuc.get(prefix + JobMetrics.SERVED_AUC)));
      v.put("served_samples", orZero(servedAuc.get(prefix + JobMetrics.SERVED_SAMPLES)));
      v.put("model_version", trainer.get(prefix + JobMetrics.MODEL_VERSION));
      v.put("trained", trainer.get(prefix + JobMetrics.TRAINED_SAMPLES));
      Map<String, Object> items = new LinkedHashMap<>();
      for (String metric :
          List.of(
              JobMetrics.ID_LIVE_ROWS,
              JobMetrics.ID_ADMISSIONS,
              JobMetrics.ID_EVICTIONS,
              JobMetrics.ID_REFUSED_FULL)) {
        items.put(metric, orZero(trainer.get(JobMetrics.ofIdRows(variant, ITEM, metric))));
      }
      v.put("item_id_rows", items);
      figures.put("variant." + variant, v);
      progress.printf(
          "       %-9s progressive AUC %.3f (%,.0f) | served AUC %.3f (%,.0f) | v%.0f, %,.0f"
              + " trained%n",
          variant,
          trainer.get(prefix + JobMetrics.ONLINE_AUC),
          orZero(trainer.get(prefix + JobMetrics.ONLINE_SAMPLES)),
          servedAuc.get(prefix + JobMetrics.SERVED_AUC),
          orZero(servedAuc.get(prefix + JobMetrics.SERVED_SAMPLES)),
          trainer.get(prefix + JobMetrics.MODEL_VERSION),
          trainer.get(prefix + JobMetrics.TRAINED_SAMPLES));
      progress.printf(
          "       %-9s item ids: %,.0f rows held, %,.0f admitted, %,.0f expired, %,.0f refused"
              + " for want of a free row%n",
          "",
          items.get(JobMetrics.ID_LIVE_ROWS),
          items.get(JobMetrics.ID_ADMISSIONS),
          items.get(JobMetrics.ID_EVICTIONS),
          items.get(JobMetrics.ID_REFUSED_FULL));
    }
    Map<String, Double> trajectory =
        monitor.operatorMetrics(
            VERTEX, List.of(JobMetrics.p99(JobMetrics.BEHAVIOR_FRESHNESS_MS)), "max");
    Map<String, Double> scorer =
        monitor.operatorMetrics(
            JobMetrics.SCORER_OPERATOR,
            List.of(
                JobMetrics.median(JobMetrics.REQUEST_LATENCY_MS),
                JobMetrics.p99(JobMetrics.REQUEST_LATENCY_MS),
                JobMetrics.p99(JobMetrics.MODEL_FRESHNESS_MS)),
            "max");
    if (served.contains(ModelSpecs.LREA_VARIANT)) {
      printPerUserServing(
          monitor, ModelSpecs.LREA_VARIANT, "per-user entries", JobMetrics.LREA_SERVING);
    }
    if (served.contains(ModelSpecs.TD_SASREC_VARIANT)) {
      printPerUserServing(
          monitor, ModelSpecs.TD_SASREC_VARIANT, "cached user heads", JobMetrics.HEAD_SERVING);
    }
    figures.put("requests_sent", requests.sent());
    figures.put("requests_answered", requests.answered());
    figures.put("request_errors", requests.errors());
    figures.put("e2e_p50_ms", finite(requests.p50Ms()));
    figures.put("e2e_p99_ms", finite(requests.p99Ms()));
    figures.put(
        "in_job_p50_ms", finite(scorer.get(JobMetrics.median(JobMetrics.REQUEST_LATENCY_MS))));
    figures.put("in_job_p99_ms", finite(scorer.get(JobMetrics.p99(JobMetrics.REQUEST_LATENCY_MS))));
    figures.put(
        "freshness_behavior_p99_ms",
        finite(trajectory.get(JobMetrics.p99(JobMetrics.BEHAVIOR_FRESHNESS_MS))));
    figures.put(
        "freshness_model_p99_ms",
        finite(scorer.get(JobMetrics.p99(JobMetrics.MODEL_FRESHNESS_MS))));
    progress.printf(
        "       requests %,d sent, %,d answered (%,d errors), serving v%d | latency p50 %.0f ms,"
            + " p99 %.0f ms end-to-end (committed), in-job p50 %.0f / p99 %.0f ms | freshness"
            + " p99: behavior→scoring %.0f ms, training→serving %.0f ms%n",
        requests.sent(),
        requests.answered(),
        requests.errors(),
        requests.lastModelVersion(),
        requests.p50Ms(),
        requests.p99Ms(),
        scorer.get(JobMetrics.median(JobMetrics.REQUEST_LATENCY_MS)),
        scorer.get(JobMetrics.p99(JobMetrics.REQUEST_LATENCY_MS)),
        trajectory.get(JobMetrics.p99(JobMetrics.BEHAVIOR_FRESHNESS_MS)),
        scorer.get(JobMetrics.p99(JobMetrics.MODEL_FRESHNESS_MS)));
  }

  /**
   * Writes the report of the intervals recorded, also after a failure or Ctrl-C; a report that
   * cannot be written is said so, without hiding why the demo ended.
   */
  private void writeReport(DemoFeed feed) {
    if (timeline.isEmpty()) {
      out.println("report: none, the demo ended before its first progress interval");
      return;
    }
    try {
      Path html = HtmlReport.write(reportDir, "tinstream demo, " + feed.description(), timeline);
      out.println("report: " + html);
    } catch (RuntimeException e) {
      out.println("report: could not be written to " + reportDir.toAbsolutePath() + ": " + e);
    }
  }

  /**
   * The job's settings: the demo's flags as tinstream.* settings, then the -D settings over them,
   * checked like {@code job}'s (same table, same errors).
   */
  private JobSettings settings(EmbeddedKafka kafka, DemoFeed feed, Path workDir)
      throws IOException {
    Path taxonomyFile = workDir.resolve("taxonomy.csv");
    TaxonomyFile.write(taxonomyFile, feed.taxonomy());
    Map<String, String> values = new LinkedHashMap<>();
    values.put(TinstreamOptions.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers());
    values.put(TinstreamOptions.GROUP_ID.key(), "tinstream-demo");
    values.put(
        TinstreamOptions.CHECKPOINT_DIR.key(), workDir.resolve("checkpoints").toUri().toString());
    values.put(TinstreamOptions.CHECKPOINT_INTERVAL.key(), checkpointSeconds + " s");
    values.put(TinstreamOptions.PARALLELISM.key(), String.valueOf(parallelism));
    values.put(TinstreamOptions.SEARCH_K.key(), String.valueOf(searchK));
    values.put(TinstreamOptions.MODEL_VARIANTS.key(), String.join(",", variants()));
    values.put(TinstreamOptions.MODEL_SEED.key(), String.valueOf(seed));
    values.put(TinstreamOptions.TAXONOMY_FILE.key(), taxonomyFile.toString());
    values.put(TinstreamOptions.PROMETHEUS_PORT.key(), String.valueOf(prometheusPort));
    // The demo's probe driver shows what the search picks; a deployment turns probes on itself.
    values.put(TinstreamOptions.PROBE_TOPIC.key(), "probe-responses");
    // The feed gives each user a behavior a minute of event time over 10,000 items, so an item
    // goes unseen for 15 min now and then (a few percent of them at a time): the demo shows ids
    // expiring and their rows handed to others. A deployment keeps the default (never) or sets
    // its own.
    values.put(TinstreamOptions.ID_EXPIRY.key(), "15 min");
    if (retentionDays != null) {
      values.put(TinstreamOptions.RETENTION.key(), retentionDays + " d");
    }
    values.putAll(overrides);
    return JobCommand.parse(spec, values);
  }

  private static final ModelParams.Field ITEM = ModelParams.Field.ITEM;

  /** One line for a variant the trajectory operator answers from per-user state. */
  private void printPerUserServing(
      FlinkRestMonitor monitor, String variant, String from, JobMetrics.PerUserServing names)
      throws Exception {
    String p = JobMetrics.ofVariant(variant, "");
    List<String> counters = new ArrayList<>();
    counters.add(p + names.responses());
    counters.add(p + names.rebuiltMissing());
    counters.add(p + names.rebuiltStaleModel());
    counters.add(p + names.rebuiltStaleTrajectory());
    if (names.timerRebuilds() != null) {
      counters.add(p + names.timerRebuilds());
    }
    Map<String, Double> m = monitor.operatorMetrics(VERTEX, counters);
    m.putAll(monitor.operatorMetrics(VERTEX, List.of(p + names.replicaVersion()), "max"));
    figures.put(variant + "_per_user_answered", m.get(p + names.responses()));
    progress.printf(
        "       %s from %s: %,.0f answered at v%.0f | built at request %,.0f (new user) + %,.0f"
            + " (new model) + %,.0f (new behaviors)%s%n",
        variant,
        from,
        m.get(p + names.responses()),
        m.get(p + names.replicaVersion()),
        m.get(p + names.rebuiltMissing()),
        m.get(p + names.rebuiltStaleModel()),
        m.get(p + names.rebuiltStaleTrajectory()),
        names.timerRebuilds() == null
            ? ""
            : String.format(", by timer %,.0f", m.get(p + names.timerRebuilds())));
  }

  private List<String> variants() {
    return models.stream()
        .map(String::trim)
        .filter(m -> !m.isEmpty() && !m.equals("none"))
        .toList();
  }

  private void validate() {
    if (movieLens != null
        && !(Files.isDirectory(movieLens)
            && Files.isRegularFile(movieLens.resolve("ratings.csv")))) {
      throw new ParameterException(
          spec.commandLine(),
          "--movielens "
              + movieLens
              + ": not a directory with ratings.csv (the ml-latest-small layout)");
    }
    require(users > 0, "--users must be > 0");
    require(events >= 0, "--events must be >= 0");
    require(servedShare >= 0 && servedShare <= 1, "--served-share must be in [0, 1]");
    require(rate >= 0, "--rate must be >= 0");
    require(badEvery >= 0, "--bad-every must be >= 0");
    require(parallelism > 0, "--parallelism must be > 0");
    require(durationSeconds >= 0, "--duration must be >= 0");
    require(checkpointSeconds > 0, "--checkpoint-interval must be > 0");
    require(searchK > 0, "--search-k must be > 0");
    require(requestRate > 0, "--request-rate must be > 0");
    require(candidates > 0, "--candidates must be > 0");
    for (String variant : variants()) {
      require(
          io.tinstream.models.ModelRegistry.names().contains(variant),
          "--models: unknown variant '"
              + variant
              + "', known: "
              + io.tinstream.models.ModelRegistry.names());
    }
    require(retentionDays == null || retentionDays > 0, "--retention-days must be > 0");
    require(webUiPort > 0 && webUiPort < 65536, "--web-ui-port must be in 1..65535");
    requireFree(webUiPort, "--web-ui-port");
    require(prometheusPort >= 0 && prometheusPort < 65536, "--prometheus-port must be in 0..65535");
    if (prometheusPort > 0) {
      requireFree(prometheusPort, "--prometheus-port");
    }
  }

  private void requireFree(int port, String flag) {
    try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      probe.setReuseAddress(true);
    } catch (IOException e) {
      throw new ParameterException(
          spec.commandLine(), "port " + port + " is in use: choose another with " + flag);
    }
  }

  private void require(boolean ok, String message) {
    if (!ok) {
      throw new ParameterException(spec.commandLine(), message);
    }
  }

  private DemoFeed loadFeed() {
    if (movieLens == null) {
      return DemoFeed.synthetic(users, events == 0 ? Long.MAX_VALUE : events, seed);
    }
    try {
      return DemoFeed.movieLens(MovieLensDataset.load(movieLens));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--movielens: " + e.getMessage());
    }
  }

  private static void publishTaxonomy(
      EmbeddedKafka kafka,
      KafkaClientProperties client,
      String topic,
      List<TaxonomyEntry> entries) {
    AvroCodec<TaxonomyEntry> codec = AvroCodec.taxonomyEntries();
    try (KafkaProducer<byte[], byte[]> producer =
        KafkaClients.producer(kafka.bootstrapServers(), client)) {
      List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sends =
          new ArrayList<>();
      for (TaxonomyEntry e : entries) {
        byte[] key = (e.getKind() + ":" + e.getChild()).getBytes(StandardCharsets.UTF_8);
        sends.add(KafkaClients.send(producer, topic, key, codec.encode(e)));
      }
      KafkaClients.awaitAll(sends);
    }
  }

  /** JSON has no NaN: a figure not known yet is null. */
  private static Double finite(Double value) {
    return value == null || !Double.isFinite(value) ? null : value;
  }

  private static double orZero(Double value) {
    return value == null || value.isNaN() ? 0 : value;
  }

  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      // A leftover temp directory is not worth failing the shutdown for.
    }
  }

  /** Sends a probe for a recently active user and prints what the search stage returned. */
  static final class ProbeDriver implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String requestsTopic;
    private final DemoFeed feed;
    private final KafkaFeeder feeder;
    private final SplittableRandom random = new SplittableRandom(7);
    private final AvroCodec<AdRequest> requests = AvroCodec.adRequests();
    private final AvroCodec<ProbeResponse> responses = AvroCodec.probeResponses();
    private final Map<String, ItemFields> candidates = new java.util.HashMap<>();
    private int sent;

    ProbeDriver(
        String bootstrap,
        KafkaClientProperties clientProperties,
        String requestsTopic,
        String probesTopic,
        DemoFeed feed,
        KafkaFeeder feeder) {
      this.producer = KafkaClients.producer(bootstrap, clientProperties);
      this.consumer = KafkaClients.committedReader(bootstrap, clientProperties);
      this.consumer.subscribe(List.of(probesTopic));
      this.requestsTopic = requestsTopic;
      this.feed = feed;
      this.feeder = feeder;
    }

    /** Sends one probe; prints every probe response that has arrived since the last call. */
    void probeOnce(PrintStream out) throws Exception {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
        print(out, responses.decode(r.value()));
      }
      BehaviorEvent recent = feeder.recentEvent(random.nextInt(1 << 20));
      if (recent == null) {
        return;
      }
      long user = recent.getUserId();
      // Half the probes ask about the item the user just touched, half about a random one.
      ItemFields candidate =
          random.nextBoolean()
              ? feed.probeItems().get(random.nextInt(feed.probeItems().size()))
              : feed.itemLike(recent.getItem());
      String requestId = "demo-probe-" + sent++;
      candidates.put(requestId, candidate);
      AdRequest request =
          AdRequest.newBuilder()
              .setRequestId(requestId)
              .setModelVariant(TrajectoryFunction.PROBE_VARIANT)
              .setUserId(user)
              .setRequestTime(Instant.ofEpochMilli(recent.getEventTime().toEpochMilli() + 1))
              .setCandidates(List.of(candidate))
              .build();
      KafkaClients.awaitAll(
          List.of(
              KafkaClients.send(
                  producer,
                  requestsTopic,
                  Long.toString(user).getBytes(StandardCharsets.UTF_8),
                  requests.encode(request))));
    }

    private void print(PrintStream out, ProbeResponse response) {
      ItemFields candidate = candidates.remove(response.getRequestId());
      BehaviorSequence searched = response.getPerCandidate().get(0);
      out.printf(
          "       probe %s: user %d holds %,d behaviors; search kept %d for a candidate of L3 %s:"
              + " %d same L3, %d same L2, %d same L1%n",
          response.getRequestId(),
          response.getUserId(),
          response.getTrajectoryLength(),
          searched.getItemIds().size(),
          candidate == null ? "?" : candidate.getCategoryL3(),
          matches(searched.getCategoryL3(), candidate == null ? null : candidate.getCategoryL3()),
          matches(searched.getCategoryL2(), candidate == null ? null : candidate.getCategoryL2()),
          matches(searched.getCategoryL1(), candidate == null ? null : candidate.getCategoryL1()));
    }

    private static long matches(List<Integer> categories, Integer wanted) {
      return wanted == null ? 0 : categories.stream().filter(wanted::equals).count();
    }

    @Override
    public void close() {
      producer.close();
      consumer.close();
    }
  }
}
