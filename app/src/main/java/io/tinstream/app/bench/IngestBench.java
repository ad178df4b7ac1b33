package io.tinstream.app.bench;

import io.tinstream.app.feed.DemoFeed;
import io.tinstream.app.feed.KafkaFeeder;
import io.tinstream.app.report.BenchReport;
import io.tinstream.app.report.BenchReport.Table;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.streaming.JobEnvironment;
import io.tinstream.streaming.JobSettings;
import io.tinstream.streaming.TinstreamJob;
import io.tinstream.streaming.TinstreamOptions;
import io.tinstream.streaming.kafka.DecodeAndValidate;
import io.tinstream.streaming.kafka.EmbeddedKafka;
import io.tinstream.streaming.kafka.KafkaEndpoints;
import io.tinstream.streaming.trajectory.BehaviorOrRequest;
import io.tinstream.streaming.trajectory.BehaviorValidator;
import io.tinstream.streaming.trajectory.FutureSkew;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Ingest throughput of the trajectory job against a plain keyed RocksDB job over the same Kafka
 * topic in one run, plus the layout's bytes per behavior and read/search latency.
 */
public final class IngestBench {

  private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(5);
  private static final int SEARCH_K = 64;
  private static final int SEARCH_REPETITIONS = 200;

  /** Everything measured in one run. */
  public record Result(
      long events,
      int users,
      int parallelism,
      double produceRate,
      double referenceRate,
      double trajectoryRate,
      double bytesPerBehavior,
      List<TrajectoryLayoutBench.SearchLatency> latencies) {

    /** This run's section: the command line, the two jobs' rates, bytes and latencies. */
    void addTo(BenchReport report) {
      report.paragraph(
          String.format(
              Locale.ROOT,
              "Command: `./tinstream bench ingest --events %d --users %d --parallelism %d`"
                  + " (synthetic feed through an in-process Kafka; RocksDB; exactly-once"
                  + " checkpoints every %d s; %d cores).",
              events,
              users,
              parallelism,
              CHECKPOINT_INTERVAL.toSeconds(),
              Runtime.getRuntime().availableProcessors()));
      report.table(
          Table.of("job", "events/s", "ratio to reference")
              .rightAligned(1, 2)
              .row(
                  "reference: decode + keyed RocksDB counter",
                  String.format(Locale.ROOT, "%,.0f", referenceRate),
                  "1.00")
              .row(
                  "trajectory: decode + taxonomy fill + trajectory append (dedup, order,"
                      + " retention, cap)",
                  String.format(Locale.ROOT, "%,.0f", trajectoryRate),
                  String.format(Locale.ROOT, "%.2f", trajectoryRate / referenceRate)));
      report.paragraph(
          String.format(
              Locale.ROOT,
              "Feeding Kafka ran at %,.0f events/s (before the jobs, not overlapping).",
              produceRate));
      report.paragraph(
          String.format(
              Locale.ROOT,
              "Serialized trajectory state: **%.1f bytes per behavior** (v2 chunk layout, 200"
                  + " users x 2,000 behaviors of the synthetic feed; goal <= 16).",
              bytesPerBehavior));
      Table latency =
          Table.of(
                  "trajectory length",
                  "read (deserialize all chunks) p50 / p99 µs",
                  "hierarchical search K=64 p50 / p99 µs")
              .rightAligned();
      for (TrajectoryLayoutBench.SearchLatency l : latencies) {
        latency.row(
            String.format(Locale.ROOT, "%,d", l.length()),
            String.format(Locale.ROOT, "%.0f / %.0f", l.readP50(), l.readP99()),
            String.format(Locale.ROOT, "%.0f / %.0f", l.searchP50(), l.searchP99()));
      }
      report.table(latency);
    }
  }

  private final long events;
  private final int users;
  private final int parallelism;
  private final int[] lengths;
  private final PrintStream log;

  public IngestBench(long events, int users, int parallelism, int[] lengths, PrintStream log) {
    this.events = events;
    this.users = users;
    this.parallelism = parallelism;
    this.lengths = lengths;
    this.log = log;
  }

  public Result run() throws Exception {
    double produceRate;
    double referenceRate;
    double trajectoryRate;
    DemoFeed feed = DemoFeed.synthetic(users, events, 1);
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(parallelism, List.of("behaviors", "dead-letters"));
      log.printf("feeding %,d synthetic events of %,d users into Kafka ...%n", events, users);
      long t0 = System.nanoTime();
      KafkaFeeder feeder = new KafkaFeeder(feed, kafka.bootstrapServers(), "behaviors", 0, 0);
      feeder.run();
      if (feeder.failure() != null) {
        throw new IllegalStateException("feeding Kafka failed", feeder.failure());
      }
      produceRate = events / ((System.nanoTime() - t0) / 1e9);
      log.printf("  %,.0f events/s%n", produceRate);

      log.println("reference job (decode + keyed RocksDB counter) ...");
      referenceRate = events / seconds(referenceJob(kafka));
      log.printf("  %,.0f events/s%n", referenceRate);
      log.println("trajectory job (decode + taxonomy + trajectory state) ...");
      trajectoryRate = events / seconds(trajectoryJob(kafka, feed));
      log.printf("  %,.0f events/s%n", trajectoryRate);
    }
    TrajectoryLayoutBench micro = new TrajectoryLayoutBench();
    log.println("bytes per behavior ...");
    double bytes = micro.bytesPerBehavior(200, 2_000);
    List<TrajectoryLayoutBench.SearchLatency> latencies = new ArrayList<>();
    for (int length : lengths) {
      log.printf("read + search latency at %,d behaviors ...%n", length);
      latencies.add(micro.searchLatency(length, SEARCH_K, SEARCH_REPETITIONS));
    }
    return new Result(
        events, users, parallelism, produceRate, referenceRate, trajectoryRate, bytes, latencies);
  }

  private JobExecutionResult referenceJob(EmbeddedKafka kafka) throws Exception {
    KafkaEndpoints endpoints =
        new KafkaEndpoints(kafka.bootstrapServers(), "bench-reference", "bench-reference");
    StreamExecutionEnvironment env = environment("reference");
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
        .sinkTo(new DiscardingSink<>());
    return env.execute("bench-reference");
  }

  private JobExecutionResult trajectoryJob(EmbeddedKafka kafka, DemoFeed feed) throws Exception {
    Configuration conf =
        BenchJobSettings.base(
            kafka, "trajectory", feed.taxonomy(), CHECKPOINT_INTERVAL, parallelism);
    conf.set(TinstreamOptions.BOUNDED, true);
    conf.set(TinstreamOptions.BEHAVIORS_TOPIC, "behaviors");
    conf.set(TinstreamOptions.DEAD_LETTER_TOPIC, "dead-letters");
    // Ingestion alone: no requests, no models.
    conf.set(TinstreamOptions.REQUESTS_TOPIC, "");
    conf.set(TinstreamOptions.MODEL_VARIANTS, "");
    JobSettings settings = JobSettings.from(conf);
    StreamExecutionEnvironment env = JobEnvironment.submitted(settings);
    TinstreamJob.of(settings).addTo(env);
    return env.execute("bench-trajectory");
  }

  private StreamExecutionEnvironment environment(String name) throws Exception {
    Path checkpoints = Files.createTempDirectory("tinstream-bench-" + name + "-");
    Configuration conf = JobEnvironment.configuration(checkpoints.toUri().toString(), parallelism);
    return JobEnvironment.submitted(conf, CHECKPOINT_INTERVAL);
  }

  private static double seconds(JobExecutionResult result) {
    return result.getNetRuntime() / 1e3;
  }
}
