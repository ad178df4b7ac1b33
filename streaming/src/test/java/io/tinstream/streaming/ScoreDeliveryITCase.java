package io.tinstream.streaming;

import static io.tinstream.streaming.TestItems.item;
import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TaxonomyKind;
import io.tinstream.streaming.kafka.EmbeddedKafkaExtension;
import io.tinstream.streaming.kafka.KafkaClients;
import io.tinstream.streaming.kafka.SinkDelivery;
import io.tinstream.streaming.trajectory.TaxonomyFile;
import io.tinstream.streaming.trajectory.TrajectoryFunction;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job with a model, as an ad server and a metrics scraper see it. Delivery of the score
 * topic with a checkpoint interval far longer than the test: at-least-once responses are readable
 * by a read_committed consumer within seconds; exactly-once ones are written (a read_uncommitted
 * consumer sees them) but stay invisible to read_committed until a checkpoint. And the job's
 * metrics, as Prometheus scrapes them from Flink's own reporter.
 */
class ScoreDeliveryITCase {

  private static final Duration DEADLINE = Duration.ofSeconds(120);

  /** No checkpoint completes while a test runs. */
  private static final Duration CHECKPOINT_INTERVAL = Duration.ofMinutes(10);

  private static final long USER = 1;
  private static final long T = 1_700_000_000_000L;

  private static final int PROMETHEUS_PORT = freePort();

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(1)
              .setConfiguration(JobEnvironment.withPrometheus(new Configuration(), PROMETHEUS_PORT))
              .build());

  @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

  @Test
  void atLeastOnceResponsesAreReadableBeforeAnyCheckpoint(@TempDir Path dir) throws Exception {
    try (RunningJob job = start(SinkDelivery.AT_LEAST_ONCE, dir)) {
      long sent = System.nanoTime();
      job.request("r-alo");
      List<ScoreResponse> read = job.read(committedReader(), "r-alo", DEADLINE);

      assertThat(read).as("read_committed, no checkpoint yet").hasSize(1);
      assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(CHECKPOINT_INTERVAL);
      ScoreResponse r = read.get(0);
      assertThat(r.getRequestId()).isEqualTo("r-alo");
      assertThat(r.getModelVariant()).isEqualTo("tin");
    }
  }

  @Test
  void exactlyOnceResponsesWaitForTheCheckpoint(@TempDir Path dir) throws Exception {
    try (RunningJob job = start(SinkDelivery.EXACTLY_ONCE, dir)) {
      job.request("r-eo");
      assertThat(job.read(uncommittedReader(), "r-eo", DEADLINE))
          .as("written, in an open transaction")
          .hasSize(1);

      assertThat(job.read(committedReader(), "r-eo", Duration.ofSeconds(3)))
          .as("read_committed before the first checkpoint")
          .isEmpty();
    }
  }

  @Test
  void aProbeGetsAnErrorResponseWhileNoProbeTopicIsSet(@TempDir Path dir) throws Exception {
    try (RunningJob job = start(SinkDelivery.AT_LEAST_ONCE, dir)) {
      job.request("r-probe", TrajectoryFunction.PROBE_VARIANT);
      List<ScoreResponse> read = job.read(committedReader(), "r-probe", DEADLINE);

      assertThat(read).as("answers to a probe, probes off by default").hasSize(1);
      assertThat(read.get(0).getScores()).isEmpty();
      assertThat(read.get(0).getError().toString())
          .contains("probes are off")
          .contains(TinstreamOptions.PROBE_TOPIC.key());
    }
  }

  @Test
  void everyTinstreamMetricIsScrapedByPrometheus(@TempDir Path dir) throws Exception {
    List<String> names =
        List.of(
            JobMetrics.BEHAVIORS_APPENDED,
            JobMetrics.USERS,
            JobMetrics.TRAJECTORY_CACHE_HITS,
            JobMetrics.BEHAVIOR_FRESHNESS_MS,
            JobMetrics.IMPRESSIONS,
            JobMetrics.POSITIVES,
            JobMetrics.LATE_CLICKS,
            JobMetrics.TRAINING_EXAMPLES,
            JobMetrics.DEAD_LETTERS,
            JobMetrics.RESPONSES,
            JobMetrics.ERROR_RESPONSES,
            JobMetrics.REQUEST_LATENCY_MS,
            JobMetrics.MODEL_FRESHNESS_MS,
            JobMetrics.TIMED_OUT_RESPONSES,
            JobMetrics.QUEUE_FULL_RESPONSES,
            JobMetrics.BUFFERED_REQUESTS,
            JobMetrics.BUFFERED_CANDIDATES,
            JobMetrics.WAITING_FOR_MODEL,
            JobMetrics.ONLINE_AUC,
            JobMetrics.ONLINE_LOG_LOSS,
            JobMetrics.ONLINE_SAMPLES,
            JobMetrics.MODEL_VERSION,
            JobMetrics.SKIPPED_BATCHES,
            JobMetrics.SERVED_AUC,
            JobMetrics.SERVED_SAMPLES,
            JobMetrics.SERVED_JOINED);
    try (RunningJob job = start(SinkDelivery.AT_LEAST_ONCE, dir)) {
      job.request("r-prom");
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest scrape =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PROMETHEUS_PORT + "/metrics"))
              .build();
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      List<String> missing = names;
      while (!missing.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(500);
        String body = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
        missing = names.stream().filter(n -> !body.contains("_" + n)).toList();
      }
      assertThat(missing).as("metrics not scraped").isEmpty();
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The whole job, scoring tin, with a request topic and a score topic of its own. */
  private static RunningJob start(SinkDelivery delivery, Path dir) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String requests = "requests-" + run;
    String scores = "scores-" + run;
    KAFKA
        .broker()
        .createTopics(
            1, List.of("behaviors-" + run, requests, scores, "dlq-" + run, "models-" + run));
    Path taxonomy = dir.resolve("taxonomy.csv");
    TaxonomyFile.write(taxonomy, List.of(new TaxonomyEntry(TaxonomyKind.L3_PARENT, 30L, 3L)));
    Configuration conf = new Configuration();
    conf.set(TinstreamOptions.BOOTSTRAP_SERVERS, KAFKA.broker().bootstrapServers());
    conf.set(TinstreamOptions.GROUP_ID, "it-" + run);
    conf.set(TinstreamOptions.BEHAVIORS_TOPIC, "behaviors-" + run);
    conf.set(TinstreamOptions.REQUESTS_TOPIC, requests);
    conf.set(TinstreamOptions.SCORES_TOPIC, scores);
    conf.set(TinstreamOptions.DEAD_LETTER_TOPIC, "dlq-" + run);
    conf.set(TinstreamOptions.MODEL_UPDATES_TOPIC, "models-" + run);
    conf.set(TinstreamOptions.EXAMPLES_TOPIC, "");
    conf.set(TinstreamOptions.TAXONOMY_TOPIC, "");
    conf.set(TinstreamOptions.TAXONOMY_FILE, taxonomy.toString());
    conf.set(TinstreamOptions.MODEL_VARIANTS, "tin");
    // No model is trained here: the request gets its (error) response after this wait, through
    // the scorer and the score sink like any other.
    conf.set(TinstreamOptions.MAX_MODEL_WAIT, Duration.ofMillis(300));
    conf.set(TinstreamOptions.PARALLELISM, 1);
    conf.set(TinstreamOptions.SCORE_DELIVERY, delivery);
    conf.set(TinstreamOptions.CHECKPOINT_DIR, dir.resolve("checkpoints").toUri().toString());
    conf.set(TinstreamOptions.CHECKPOINT_INTERVAL, CHECKPOINT_INTERVAL);
    // The long interval must still fit the exactly-once sinks' transaction window, within the
    // broker's 15 min maximum transaction timeout.
    conf.set(TinstreamOptions.CHECKPOINT_TIMEOUT, Duration.ofMinutes(1));
    conf.set(TinstreamOptions.EXPECTED_DOWNTIME, Duration.ofMinutes(1));
    conf.set(TinstreamOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(14));
    JobSettings settings = JobSettings.from(conf);
    StreamExecutionEnvironment env = JobEnvironment.submitted(settings);
    TinstreamJob.of(settings).addTo(env);
    return new RunningJob(env.executeAsync("score-delivery-" + delivery), requests, scores);
  }

  private record RunningJob(JobClient client, String requests, String scores)
      implements AutoCloseable {

    void request(String id) {
      request(id, "tin");
    }

    void request(String id, String variant) {
      AdRequest request =
          AdRequest.newBuilder()
              .setRequestId(id)
              .setModelVariant(variant)
              .setUserId(USER)
              .setRequestTime(Instant.ofEpochMilli(T))
              .setScenario(0)
              .setCandidates(List.of(item(5), item(6)))
              .build();
      try (KafkaProducer<byte[], byte[]> producer =
          KafkaClients.producer(KAFKA.broker().bootstrapServers())) {
        KafkaClients.awaitAll(
            List.of(
                KafkaClients.send(
                    producer,
                    requests,
                    Long.toString(USER).getBytes(StandardCharsets.UTF_8),
                    AvroCodec.adRequests().encode(request))));
      }
    }

    /** The responses to {@code id} that {@code consumer} reads within {@code timeout}. */
    List<ScoreResponse> read(KafkaConsumer<byte[], byte[]> consumer, String id, Duration timeout) {
      try (consumer) {
        consumer.subscribe(List.of(scores));
        return KafkaClients.pollUntil(consumer, got -> !got.isEmpty(), timeout).stream()
            .map(ConsumerRecord::value)
            .map(ScoreDeliveryITCase::decode)
            .filter(r -> r.getRequestId().equals(id))
            .toList();
      }
    }

    @Override
    public void close() throws Exception {
      JobEnd.cancelAndAwait(client);
    }
  }

  private static KafkaConsumer<byte[], byte[]> committedReader() {
    return KafkaClients.committedReader(KAFKA.broker().bootstrapServers());
  }

  private static KafkaConsumer<byte[], byte[]> uncommittedReader() {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            KAFKA.broker().bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG,
            "uncommitted-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_uncommitted",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            ByteArrayDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ByteArrayDeserializer.class));
  }

  private static ScoreResponse decode(byte[] value) {
    try {
      return AvroCodec.scoreResponses().decode(value);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
