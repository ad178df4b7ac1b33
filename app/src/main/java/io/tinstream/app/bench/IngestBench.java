package io.tinstream.app.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tinstream.app.feed.DemoFeed;
import io.tinstream.app.feed.KafkaFeeder;
import io.tinstream.app.feed.RequestDriver;
import io.tinstream.app.monitor.FlinkRestMonitor;
import io.tinstream.app.report.BenchReport;
import io.tinstream.app.report.BenchReport.Table;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.streaming.JobEnvironment;
import io.tinstream.streaming.JobMetrics;
import io.tinstream.streaming.JobSettings;
import io.tinstream.streaming.TinstreamJob;
import io.tinstream.streaming.TinstreamOptions;
import io.tinstream.streaming.kafka.DecodeAndValidate;
import io.tinstream.streaming.kafka.EmbeddedKafka;
import io.tinstream.streaming.kafka.KafkaEndpoints;
import io.tinstream.streaming.trajectory.BehaviorOrRequest;
import io.tinstream.streaming.trajectory.BehaviorValidator;
import io.tinstream.streaming.trajectory.FutureSkew;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Ingest at the mission's scale: few users with long trajectories. {@code users} users each grow to
 * {@code behaviorsPerUser} behaviors (the synthetic feed's users act about once a minute, so 10^4
 * behaviors span about a week of event time), read by the trajectory job and, in the same run, by a
 * plain keyed RocksDB job (decode + one counter per user) as the reference. Progress is sampled
 * every {@value #SAMPLE_MILLIS} ms, so the rate over the first and the last 10% of the events shows
 * whether an append gets dearer as the trajectory grows (it must not: appends are meant to be O(1)
 * in the trajectory length). Checkpoints (duration, size) come from Flink's REST API, bytes per
 * behavior from the last checkpoint's full state size.
 *
 * <p>The full-job section runs the whole job (ingest, label join, online training, scoring) on the
 * same kind of users: first the preload to {@code behaviorsPerUser} each, then live behaviors at a
 * fixed rate and 100-candidate requests at a fixed rate, and reports what it sustained.
 */
public final class IngestBench {

  static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(5);
  static final long SAMPLE_MILLIS = 100;

  /** Share of the events over which the start and end rates are taken. */
  static final double EDGE = 0.10;

  private static final int SEARCH_K = 64;
  private static final int SEARCH_REPETITIONS = 200;
  private static final int CANDIDATES = 100;
  private static final String VARIANT = "tin";
  private static final Duration FULL_WARMUP = Duration.ofSeconds(10);

  /** How long after the preload the full job may take to catch up with the live feed. */
  private static final Duration CATCH_UP = Duration.ofSeconds(60);

  // Generous: before appends are O(1) in the trajectory length, 10^4 behaviors per user take
  // hours; a deadline that cuts a full run short wastes it.
  private static final Duration JOB_DEADLINE = Duration.ofHours(4);

  /** What to run. */
  public record Settings(
      int users,
      int behaviorsPerUser,
      int parallelism,
      boolean fullJob,
      double fullRequestRate,
      double fullLiveRate,
      Duration fullMeasure,
      int[] lengths) {

    long events() {
      return (long) users * behaviorsPerUser;
    }
  }

  // ---- what docs/bench/ingest.json holds (snake_case names) ----

  /** The whole result; {@code long} and {@code full_job} are what scripts read. */
  public record Result(
      @JsonProperty("long") LongRun longRun,
      FullJob fullJob,
      double bytesPerBehavior,
      Checkpoints checkpoint,
      Layout layout,
      int cores) {}

  /** Trajectory job and reference job over the same long-trajectory feed. */
  public record LongRun(
      int users,
      int behaviorsPerUser,
      long events,
      int parallelism,
      double eventTimeDays,
      double produceEventsPerS,
      double eventsPerS,
      double startEventsPerS,
      double endEventsPerS,
      double referenceEventsPerS,
      double referenceStartEventsPerS,
      double referenceEndEventsPerS,
      double rocksdbSstBytesPerBehavior) {}

  /** The trajectory job's checkpoints during the long run. */
  public record Checkpoints(
      int count, double durationMsP50, double durationMsMax, long sizeBytes, long lastDeltaBytes) {}

  /** Whole job at users of {@code behaviorsPerUser}; null when not run. */
  public record FullJob(
      int users,
      int behaviorsPerUser,
      int parallelism,
      String variant,
      int candidates,
      double targetRequestsPerS,
      double targetEventsPerS,
      double seconds,
      double preloadEventsPerS,
      double eventsPerS,
      double requestsPerS,
      long requestsAnswered,
      long errorResponses,
      double e2eP99Ms) {}

  /** The layout micro-benchmark: serialized bytes and read/search latency by length. */
  public record Layout(
      double bytesPerBehavior, List<TrajectoryLayoutBench.SearchLatency> latencies) {}

  private final Settings settings;
  private final PrintStream log;

  public IngestBench(Settings settings, PrintStream log) {
    this.settings = settings;
    this.log = log;
  }

  public Result run() throws Exception {
    long events = settings.events();
    LongRun longRun;
    Checkpoints checkpoints;
    double bytesPerBehavior;
    DemoFeed feed = DemoFeed.synthetic(settings.users(), events, 1);
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(settings.parallelism(), List.of("behaviors", "dead-letters"));
      log.printf(
          "feeding %,d synthetic events of %,d users (%,d behaviors each) into Kafka ...%n",
          events, settings.users(), settings.behaviorsPerUser());
      long t0 = System.nanoTime();
      KafkaFeeder feeder =
          new KafkaFeeder(
              feed, kafka.bootstrapServers(), kafka.clientProperties(), "behaviors", 0, 0);
      feeder.run();
      if (feeder.failure() != null) {
        throw new IllegalStateException("feeding Kafka failed", feeder.failure());
      }
      double produceRate = events / ((System.nanoTime() - t0) / 1e9);
      log.printf("  %,.0f events/s%n", produceRate);

      log.println("reference job (decode + keyed RocksDB counter) ...");
      JobRun reference =
          runToEnd(
              referenceJob(kafka),
              "bench-reference",
              () -> InProcessMetrics.counterSum("count-per-user", CountPerUser.EVENTS_COUNTED),
              () -> Double.NaN);
      log.printf(
          "  %,.0f events/s%n", reference.timeline.rateBetween(0, reference.timeline.events()));

      log.println("trajectory job (decode + taxonomy + trajectory state) ...");
      JobRun trajectory =
          runToEnd(
              trajectoryJob(kafka, feed),
              "bench-trajectory",
              IngestBench::trajectoryProcessed,
              () ->
                  InProcessMetrics.gaugeSum(
                      JobMetrics.TRAJECTORY_OPERATOR, "total-sst-files-size"));
      RateTimeline t = trajectory.timeline;
      log.printf(
          "  %,.0f events/s (first 10%%: %,.0f/s, last 10%%: %,.0f/s)%n",
          t.rateBetween(0, t.events()), t.startRate(events, EDGE), t.endRate(events, EDGE));
      checkpoints = checkpointStats(trajectory.checkpoints);
      long held = trajectory.held();
      // The last checkpoint holds what was appended by its trigger, not by the end of the run.
      long heldAtCheckpoint =
          trajectory.checkpoints.isEmpty()
              ? held
              : trajectory.heldAt(
                  trajectory.checkpoints.lastEntry().getValue().triggerTimeMillis());
      bytesPerBehavior =
          checkpoints.sizeBytes() > 0
              ? (double) checkpoints.sizeBytes() / Math.max(1, heldAtCheckpoint)
              : Double.NaN;
      longRun =
          new LongRun(
              settings.users(),
              settings.behaviorsPerUser(),
              events,
              settings.parallelism(),
              settings.behaviorsPerUser() * 60_000.0 / Duration.ofDays(1).toMillis(),
              produceRate,
              t.rateBetween(0, t.events()),
              t.startRate(events, EDGE),
              t.endRate(events, EDGE),
              reference.timeline.rateBetween(0, reference.timeline.events()),
              reference.timeline.startRate(events, EDGE),
              reference.timeline.endRate(events, EDGE),
              trajectory.lastGauge / Math.max(1, held));
    }
    FullJob full = settings.fullJob() ? fullJob() : null;
    TrajectoryLayoutBench micro = new TrajectoryLayoutBench();
    log.println("layout: bytes per behavior ...");
    double layoutBytes = micro.bytesPerBehavior(200, 2_000);
    List<TrajectoryLayoutBench.SearchLatency> latencies = new ArrayList<>();
    for (int length : settings.lengths()) {
      log.printf("layout: read + search latency at %,d behaviors ...%n", length);
      latencies.add(micro.searchLatency(length, SEARCH_K, SEARCH_REPETITIONS));
    }
    return new Result(
        longRun,
        full,
        bytesPerBehavior,
        checkpoints,
        new Layout(layoutBytes, latencies),
        Runtime.getRuntime().availableProcessors());
  }

  // Counted by the trajectory operator once per behavior it handled, whatever it decided.
  private static long trajectoryProcessed() {
    return InProcessMetrics.counterSum(
            JobMetrics.TRAJECTORY_OPERATOR, JobMetrics.BEHAVIORS_APPENDED)
        + InProcessMetrics.counterSum(
            JobMetrics.TRAJECTORY_OPERATOR, JobMetrics.BEHAVIORS_DUPLICATE)
        + InProcessMetrics.counterSum(JobMetrics.TRAJECTORY_OPERATOR, JobMetrics.BEHAVIORS_EXPIRED);
  }

  /** A started job, its REST monitor, and the samples taken until it finished. */
  private static final class JobRun {
    final RateTimeline timeline = new RateTimeline();
    final TreeMap<Long, FlinkRestMonitor.Checkpoint> checkpoints = new TreeMap<>();
    double lastGauge = Double.NaN;
    long appended;
    long evicted;

    /** Behaviors in the trajectory state at the last sample (0 for jobs without one). */
    long held() {
      return Math.max(0, appended - evicted);
    }

    // Wall-clock millis → behaviors held, sampled.
    final TreeMap<Long, Long> heldOverTime = new TreeMap<>();

    /** Behaviors held at the last sample at or before {@code wallMillis}. */
    long heldAt(long wallMillis) {
      var at = heldOverTime.floorEntry(wallMillis);
      return at == null ? held() : at.getValue();
    }
  }

  private record Started(JobClient client, FlinkRestMonitor monitor) {}

  private JobRun runToEnd(
      Started job, String name, LongSupplier processed, java.util.function.DoubleSupplier gauge)
      throws Exception {
    JobRun run = new JobRun();
    long start = System.nanoTime();
    long deadline = start + JOB_DEADLINE.toNanos();
    long nextCheckpointPoll = 0;
    var result = job.client().getJobExecutionResult();
    while (!result.isDone()) {
      if (System.nanoTime() > deadline) {
        job.client().cancel().get();
        throw new IllegalStateException(name + " did not finish within " + JOB_DEADLINE);
      }
      long now = System.nanoTime();
      long count = processed.getAsLong();
      // A finishing job unregisters its metrics: a count that drops is the end, not progress.
      if (count >= run.timeline.events()) {
        run.timeline.add((now - start) / 1e9, count);
      }
      double g = gauge.getAsDouble();
      if (g > 0) {
        run.lastGauge = g;
      }
      long appended =
          InProcessMetrics.counterSum(
              JobMetrics.TRAJECTORY_OPERATOR, JobMetrics.BEHAVIORS_APPENDED);
      if (appended > 0) {
        run.appended = appended;
        // Expired behaviors are refused on arrival (never appended); evicted ones left state.
        run.evicted =
            InProcessMetrics.counterSum(
                JobMetrics.TRAJECTORY_OPERATOR, JobMetrics.BEHAVIORS_EVICTED);
        run.heldOverTime.put(System.currentTimeMillis(), run.held());
      }
      if (now >= nextCheckpointPoll) {
        pollCheckpoints(job.monitor(), run);
        nextCheckpointPoll = now + TimeUnit.SECONDS.toNanos(1);
      }
      try {
        result.get(SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // keep sampling
      }
    }
    result.get();
    return run;
  }

  private static void pollCheckpoints(FlinkRestMonitor monitor, JobRun run) {
    try {
      for (FlinkRestMonitor.Checkpoint c : monitor.completedInHistory(Long.MIN_VALUE)) {
        run.checkpoints.put(c.id(), c);
      }
    } catch (IOException e) {
      // The REST endpoint comes up with the job and goes with it; the next poll tries again.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static Checkpoints checkpointStats(TreeMap<Long, FlinkRestMonitor.Checkpoint> completed) {
    if (completed.isEmpty()) {
      return new Checkpoints(0, Double.NaN, Double.NaN, -1, -1);
    }
    double[] durations =
        completed.values().stream()
            .mapToDouble(FlinkRestMonitor.Checkpoint::durationMs)
            .sorted()
            .toArray();
    FlinkRestMonitor.Checkpoint last = completed.lastEntry().getValue();
    return new Checkpoints(
        durations.length,
        WindowedLatencies.percentile(durations, 0.50),
        durations[durations.length - 1],
        last.stateSizeBytes(),
        last.checkpointedSizeBytes());
  }

  private Started referenceJob(EmbeddedKafka kafka) throws Exception {
    KafkaEndpoints endpoints =
        new KafkaEndpoints(
            kafka.bootstrapServers(),
            "bench-reference",
            "bench-reference",
            io.tinstream.streaming.kafka.StartingOffsets.COMMITTED,
            TinstreamOptions.TRANSACTION_TIMEOUT.defaultValue(),
            kafka.clientProperties());
    Path checkpoints = Files.createTempDirectory("tinstream-bench-reference-");
    Configuration conf =
        JobEnvironment.configuration(checkpoints.toUri().toString(), settings.parallelism());
    InProcessMetrics.enable(conf);
    int port = freePort();
    StreamExecutionEnvironment env = JobEnvironment.local(conf, port, CHECKPOINT_INTERVAL);
    env.fromSource(
            endpoints.rawSource("behaviors", true), WatermarkStrategy.noWatermarks(), "behaviors")
        .process(
            new DecodeAndValidate<>(
                AvroCodec::behaviorEvents,
                e ->
                    BehaviorValidator.check(
                        e, FutureSkew.of(FutureSkew.DEFAULT), System.currentTimeMillis()),
                BehaviorOrRequest::of),
            TypeInformation.of(BehaviorOrRequest.class))
        .keyBy(BehaviorOrRequest::userId, TypeInformation.of(Long.class))
        .process(new CountPerUser(), TypeInformation.of(Long.class))
        .name("count-per-user")
        .sinkTo(new DiscardingSink<>());
    JobClient client = env.executeAsync("bench-reference");
    return new Started(client, new FlinkRestMonitor("http://127.0.0.1:" + port, client.getJobID()));
  }

  private Started trajectoryJob(EmbeddedKafka kafka, DemoFeed feed) throws Exception {
    Configuration conf =
        BenchJobSettings.base(
            kafka, "trajectory", feed.taxonomy(), CHECKPOINT_INTERVAL, settings.parallelism());
    conf.set(TinstreamOptions.BOUNDED, true);
    conf.set(TinstreamOptions.BEHAVIORS_TOPIC, "behaviors");
    conf.set(TinstreamOptions.DEAD_LETTER_TOPIC, "dead-letters");
    // Ingestion alone: no requests, no models.
    conf.set(TinstreamOptions.REQUESTS_TOPIC, "");
    conf.set(TinstreamOptions.MODEL_VARIANTS, "");
    JobSettings job = JobSettings.from(conf);
    return start(job, "bench-trajectory");
  }

  /** The job of {@code job} on a local cluster with REST and the in-process metrics. */
  private static Started start(JobSettings job, String name) throws Exception {
    Configuration flink = JobEnvironment.configuration(job.checkpointDir(), job.parallelism());
    InProcessMetrics.enable(flink);
    // The RocksDB size of the trajectory state, read next to the checkpoint size.
    flink.setString("state.backend.rocksdb.metrics.total-sst-files-size", "true");
    int port = freePort();
    StreamExecutionEnvironment env = JobEnvironment.local(flink, port, job.checkpointInterval());
    TinstreamJob.of(job).addTo(env);
    JobClient client = env.executeAsync(name);
    return new Started(client, new FlinkRestMonitor("http://127.0.0.1:" + port, client.getJobID()));
  }

  /**
   * The whole job: preload to {@code behaviorsPerUser} per user (as fast as it goes, training on
   * the feed's impressions and clicks meanwhile), then live behaviors and requests at fixed rates;
   * after a short unmeasured warm-up, what it processed and answered per second.
   */
  private FullJob fullJob() throws Exception {
    long preload = settings.events();
    double seconds = settings.fullMeasure().toMillis() / 1e3;
    long live = (long) (settings.fullLiveRate() * (seconds + FULL_WARMUP.toSeconds() + 120));
    DemoFeed feed = DemoFeed.synthetic(settings.users(), preload + live, 2);
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(
          settings.parallelism(), List.of("behaviors", "requests", "scores", "updates", "dlq"));
      Configuration conf =
          BenchJobSettings.base(
              kafka, "full", feed.taxonomy(), CHECKPOINT_INTERVAL, settings.parallelism());
      conf.set(TinstreamOptions.BEHAVIORS_TOPIC, "behaviors");
      conf.set(TinstreamOptions.REQUESTS_TOPIC, "requests");
      conf.set(TinstreamOptions.SCORES_TOPIC, "scores");
      conf.set(TinstreamOptions.MODEL_UPDATES_TOPIC, "updates");
      conf.set(TinstreamOptions.DEAD_LETTER_TOPIC, "dlq");
      conf.set(TinstreamOptions.MODEL_VARIANTS, VARIANT);
      Started job = start(JobSettings.from(conf), "bench-full-job");
      try {
        KafkaFeeder feeder =
            new KafkaFeeder(
                feed, kafka.bootstrapServers(), kafka.clientProperties(), "behaviors", 0, 0);
        Thread feeding = new Thread(feeder, "bench-feeder");
        feeding.setDaemon(true);
        feeding.start();
        log.printf(
            "full job: preloading %,d behaviors (%,d users x %,d) ...%n",
            preload, settings.users(), settings.behaviorsPerUser());
        RateTimeline preloadTimeline = new RateTimeline();
        long t0 = System.nanoTime();
        long deadline = t0 + JOB_DEADLINE.toNanos();
        boolean throttled = false;
        long caughtUpBy = 0;
        long nextLog = 0;
        while (true) {
          if (feeder.failure() != null) {
            throw new IllegalStateException("feeding Kafka failed", feeder.failure());
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("full job: preload did not finish in " + JOB_DEADLINE);
          }
          if (!throttled && feeder.sent() >= preload) {
            // From here on the feed is live: a fixed rate, not the backlog.
            feeder.setRate(settings.fullLiveRate());
            throttled = true;
          }
          long processed = trajectoryProcessed();
          preloadTimeline.add((System.nanoTime() - t0) / 1e9, processed);
          long lag = feeder.sent() - processed;
          if (System.nanoTime() > nextLog) {
            log.printf("  %,d behaviors processed, %,d behind the feed%n", processed, lag);
            nextLog = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
          }
          if (throttled && processed >= preload && caughtUpBy == 0) {
            caughtUpBy = System.nanoTime() + CATCH_UP.toNanos();
          }
          if (caughtUpBy != 0 && lag < Math.max(1_000, 2 * settings.fullLiveRate())) {
            break;
          }
          if (caughtUpBy != 0 && System.nanoTime() > caughtUpBy) {
            // It does not keep up with the live rate: measure what it sustains anyway.
            log.printf(
                "  still %,d behind the feed %d s after the preload%n", lag, CATCH_UP.toSeconds());
            break;
          }
          Thread.sleep(SAMPLE_MILLIS);
        }
        double preloadRate = preloadTimeline.rateBetween(0, preload);
        log.printf("  preload: %,.0f events/s%n", preloadRate);

        long start;
        long end;
        long processedBefore;
        long processedAfter;
        RequestDriver.Snapshot before;
        RequestDriver.Snapshot after;
        WindowedLatencies e2e;
        try (RequestDriver driver =
            new RequestDriver(
                kafka.bootstrapServers(),
                kafka.clientProperties(),
                "requests",
                "scores",
                feed,
                feeder,
                CANDIDATES,
                settings.fullRequestRate())) {
          driver.start();
          Thread.sleep(FULL_WARMUP.toMillis());
          start = System.nanoTime();
          end = start + settings.fullMeasure().toNanos();
          e2e = new WindowedLatencies(start, Duration.ofSeconds(10));
          WindowedLatencies measured = e2e;
          long endAt = end;
          driver.setListener(
              (sent, sentWall, received, r) -> {
                if (sent < endAt) {
                  measured.record(sent, (received - sent) / 1e6);
                }
              });
          before = driver.snapshot();
          processedBefore = trajectoryProcessed();
          Thread.sleep(settings.fullMeasure().toMillis());
          after = driver.snapshot();
          processedAfter = trajectoryProcessed();
          log.printf(
              "  measured %,.0f s: %,d behaviors processed, %,d behind the feed at the end%n",
              settings.fullMeasure().toMillis() / 1e3,
              processedAfter - processedBefore,
              feeder.sent() - processedAfter);
          // Answers to the last requests still arrive at the next checkpoints' commits.
          Thread.sleep(CHECKPOINT_INTERVAL.toMillis() * 3);
          driver.setListener(null);
        }
        double elapsed = (end - start) / 1e9;
        FullJob full =
            new FullJob(
                settings.users(),
                settings.behaviorsPerUser(),
                settings.parallelism(),
                VARIANT,
                CANDIDATES,
                settings.fullRequestRate(),
                settings.fullLiveRate(),
                elapsed,
                preloadRate,
                (processedAfter - processedBefore) / elapsed,
                // Requests sent in the measured span and answered (by the end of the drain).
                e2e.overall().count() / elapsed,
                e2e.overall().count(),
                after.errors() - before.errors(),
                e2e.overall().p99Ms());
        log.printf(
            "  sustained: %,.0f events/s, %,.1f requests/s answered (%,d errors), e2e p99 %,.0f ms%n",
            full.eventsPerS(), full.requestsPerS(), full.errorResponses(), full.e2eP99Ms());
        feeder.stop();
        return full;
      } finally {
        job.client().cancel().get();
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  // ---- the markdown section ----

  static String commandLine(Settings s) {
    StringBuilder cmd =
        new StringBuilder("./tinstream bench ingest")
            .append(" --users ")
            .append(s.users())
            .append(" --behaviors-per-user ")
            .append(s.behaviorsPerUser())
            .append(" --parallelism ")
            .append(s.parallelism());
    if (s.fullJob()) {
      cmd.append(
          String.format(
              Locale.ROOT,
              " --full-request-rate %s --full-live-rate %s --full-seconds %d",
              trim(s.fullRequestRate()),
              trim(s.fullLiveRate()),
              s.fullMeasure().toSeconds()));
    } else {
      cmd.append(" --no-full-job");
    }
    cmd.append(" --lengths ")
        .append(String.join(",", Arrays.stream(s.lengths()).mapToObj(Integer::toString).toList()));
    return cmd.toString();
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  static void addTo(BenchReport report, Settings s, Result r) {
    LongRun l = r.longRun();
    report.paragraph(
        String.format(
            Locale.ROOT,
            "Command: `%s` (synthetic feed through an in-process Kafka: %,d users x %,d behaviors"
                + " = %,d events, about one behavior a minute per user, so %.1f days of event time;"
                + " RocksDB, incremental exactly-once checkpoints every %d s; %d cores; progress"
                + " sampled every %d ms from the jobs' own counters). Rates run from the first"
                + " record processed to the last; start and end are the first and last 10%% of the"
                + " events, i.e. trajectories near 0 and near %,d behaviors.",
            commandLine(s),
            l.users(),
            l.behaviorsPerUser(),
            l.events(),
            l.eventTimeDays(),
            CHECKPOINT_INTERVAL.toSeconds(),
            r.cores(),
            SAMPLE_MILLIS,
            l.behaviorsPerUser()));
    report.table(
        Table.of("job", "events/s", "first 10% events/s", "last 10% events/s", "last / first")
            .rightAligned(1, 2, 3, 4)
            .row(
                "reference: decode + keyed RocksDB counter",
                num(l.referenceEventsPerS()),
                num(l.referenceStartEventsPerS()),
                num(l.referenceEndEventsPerS()),
                ratio(l.referenceEndEventsPerS(), l.referenceStartEventsPerS()))
            .row(
                "trajectory: decode + taxonomy fill + trajectory append (dedup, order,"
                    + " retention, cap)",
                num(l.eventsPerS()),
                num(l.startEventsPerS()),
                num(l.endEventsPerS()),
                ratio(l.endEventsPerS(), l.startEventsPerS())));
    Checkpoints c = r.checkpoint();
    report.paragraph(
        String.format(
            Locale.ROOT,
            "Trajectory state: **%s bytes per behavior** (last checkpoint's full state, %s bytes,"
                + " over the behaviors held when it was triggered; RocksDB SST files: %s bytes per"
                + " behavior)."
                + " Checkpoints of the trajectory job: %d completed, duration p50 %s ms, max %s ms,"
                + " last incremental upload %s bytes. Feeding Kafka ran at %s events/s (before the"
                + " jobs, not overlapping).",
            dec(r.bytesPerBehavior()),
            c.sizeBytes() < 0 ? "n/a" : String.format(Locale.ROOT, "%,d", c.sizeBytes()),
            dec(l.rocksdbSstBytesPerBehavior()),
            c.count(),
            num(c.durationMsP50()),
            num(c.durationMsMax()),
            c.lastDeltaBytes() < 0 ? "n/a" : String.format(Locale.ROOT, "%,d", c.lastDeltaBytes()),
            num(l.produceEventsPerS())));
    FullJob f = r.fullJob();
    if (f != null) {
      report.paragraph(
          String.format(
              Locale.ROOT,
              "Full job (ingest + label join + online training of `%s` + scoring, parallelism %d):"
                  + " preload to %,d behaviors per user at **%s events/s**; then, with live"
                  + " behaviors at %s/s and requests of %d candidates at %s/s, over %.0f s after"
                  + " a %d s warm-up: **%s events/s and %s requests/s sustained** (%,d answered,"
                  + " %,d errors, end-to-end p99 %s ms).",
              f.variant(),
              f.parallelism(),
              f.behaviorsPerUser(),
              num(f.preloadEventsPerS()),
              num(f.targetEventsPerS()),
              f.candidates(),
              num(f.targetRequestsPerS()),
              f.seconds(),
              FULL_WARMUP.toSeconds(),
              num(f.eventsPerS()),
              dec(f.requestsPerS()),
              f.requestsAnswered(),
              f.errorResponses(),
              num(f.e2eP99Ms())));
    }
    report.paragraph(
        String.format(
            Locale.ROOT,
            "Layout micro-benchmark (no Flink): %s serialized bytes per behavior (200 users x"
                + " 2,000 behaviors).",
            dec(r.layout().bytesPerBehavior())));
    Table latency =
        Table.of(
                "trajectory length",
                "read (deserialize all chunks) p50 / p99 µs",
                "hierarchical search K=64 p50 / p99 µs")
            .rightAligned();
    for (TrajectoryLayoutBench.SearchLatency x : r.layout().latencies()) {
      latency.row(
          String.format(Locale.ROOT, "%,d", x.length()),
          String.format(Locale.ROOT, "%.0f / %.0f", x.readP50(), x.readP99()),
          String.format(Locale.ROOT, "%.0f / %.0f", x.searchP50(), x.searchP99()));
    }
    report.table(latency);
    report.paragraph("JSON for scripts: `bench/ingest.json` next to this file.");
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String dec(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,.1f", v);
  }

  private static String ratio(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) || b == 0
        ? "n/a"
        : String.format(Locale.ROOT, "%.2f", a / b);
  }
}
