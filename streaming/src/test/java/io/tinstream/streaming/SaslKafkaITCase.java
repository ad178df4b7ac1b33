package io.tinstream.streaming;

import static io.tinstream.streaming.TestItems.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.DeadLetter;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TaxonomyKind;
import io.tinstream.streaming.kafka.EmbeddedKafka;
import io.tinstream.streaming.kafka.KafkaClientProperties;
import io.tinstream.streaming.kafka.KafkaClients;
import io.tinstream.streaming.kafka.SinkDelivery;
import io.tinstream.streaming.trajectory.TaxonomyFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against a broker whose only listener takes SASL_PLAINTEXT/PLAIN: with the credentials in
 * {@code tinstream.kafka.properties.*} its sources read and its sinks write (exactly-once dead
 * letters, scores); with wrong ones the check before the start, and the job itself, fail naming
 * authentication instead of waiting. The password shows in no log line and in no page of Flink's
 * REST API (what the web UI shows).
 */
class SaslKafkaITCase {

  private static final Duration DEADLINE = Duration.ofSeconds(120);
  private static final String PASSWORD = "pw-" + UUID.randomUUID();
  private static final EmbeddedKafka.SaslPlainUser USER =
      new EmbeddedKafka.SaslPlainUser("tinstream-job", PASSWORD);
  private static final long T = 1_700_000_000_000L;

  /** The logger that prints every Kafka client's configuration (INFO) when it starts. */
  private static final List<String> CLIENT_CONFIG_LOGGERS =
      List.of("org.apache.kafka.common.config.AbstractConfig");

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(1)
              .build());

  private static EmbeddedKafka kafka;
  private static final Capture LOGS = new Capture();

  @BeforeAll
  static void startBrokerAndCaptureLogs() throws Exception {
    LOGS.install();
    kafka = EmbeddedKafka.startWithSaslPlain(USER);
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
    LOGS.uninstall();
  }

  @Test
  void withTheCredentialsTheJobReadsAndWritesAndNoSecretShows(@TempDir Path dir) throws Exception {
    Topics topics = Topics.create();
    JobSettings settings = settings(topics, dir, kafka.clientProperties());
    TinstreamJob job = TinstreamJob.of(settings);
    job.verifyKafka();
    StreamExecutionEnvironment env = JobEnvironment.submitted(settings);
    job.addTo(env);
    JobClient client = env.executeAsync("sasl-it");
    try {
      try (KafkaProducer<byte[], byte[]> producer =
          KafkaClients.producer(kafka.bootstrapServers(), kafka.clientProperties())) {
        KafkaClients.awaitAll(
            List.of(
                KafkaClients.send(
                    producer,
                    topics.behaviors,
                    key(1),
                    "not avro at all".getBytes(StandardCharsets.UTF_8)),
                KafkaClients.send(
                    producer,
                    topics.requests,
                    key(1),
                    AvroCodec.adRequests().encode(request("r-sasl")))));
      }
      List<ScoreResponse> scores =
          read(topics.scores, AvroCodec.scoreResponses(), got -> !got.isEmpty());
      assertThat(scores).extracting(r -> r.getRequestId().toString()).contains("r-sasl");
      List<DeadLetter> deadLetters =
          read(topics.deadLetters, AvroCodec.deadLetters(), got -> !got.isEmpty());
      assertThat(deadLetters)
          .extracting(d -> d.getReason().toString())
          .anyMatch(r -> r.contains("not Avro single-object encoded"));

      List<String> pages = webUiPages(client);
      assertThat(pages).allSatisfy(page -> assertThat(page).doesNotContain(PASSWORD));
    } finally {
      JobEnd.cancelAndAwait(client);
    }
    assertThat(LOGS.lines())
        .as("every client logged its configuration, the JAAS configuration masked")
        .anyMatch(line -> line.contains("sasl.jaas.config = [hidden]"));
    assertThat(LOGS.lines()).noneMatch(line -> line.contains(PASSWORD));
    assertThat(settings.table().toString()).doesNotContain(PASSWORD);
  }

  @Test
  void wrongCredentialsFailTheStartNamingAuthentication(@TempDir Path dir) throws Exception {
    Topics topics = Topics.create();
    String wrong = "wrong-" + UUID.randomUUID();
    JobSettings settings = settings(topics, dir, EmbeddedKafka.saslPlainClient(USER.name(), wrong));
    long started = System.nanoTime();
    assertThatThrownBy(() -> TinstreamJob.of(settings).verifyKafka())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("refused authentication")
        .hasMessageContaining("SASL_PLAINTEXT")
        .hasMessageContaining("PLAIN")
        .hasMessageNotContaining(wrong)
        .hasRootCauseInstanceOf(SaslAuthenticationException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .as("refused at once, not after the connect timeout")
        .isLessThan(settings.kafkaConnectTimeout());

    // Started without the check, the job fails too, through its restart strategy, and says why.
    StreamExecutionEnvironment env = JobEnvironment.submitted(settings);
    TinstreamJob.of(settings).addTo(env);
    JobClient client = env.executeAsync("sasl-it-wrong");
    Throwable failure = null;
    try {
      client.getJobExecutionResult().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      failure = e;
    } finally {
      client.cancel().exceptionally(e -> null);
    }
    assertThat(failure).as("the job failed").isNotNull();
    assertThat(ExceptionUtils.findThrowable(failure, SaslAuthenticationException.class))
        .as("failure cause: %s", ExceptionUtils.stringifyException(failure))
        .isPresent();
    assertThat(LOGS.lines()).noneMatch(line -> line.contains(wrong));
  }

  @Test
  void aClientWithoutSaslTimesOutWithinTheConnectTimeout(@TempDir Path dir) {
    JobSettings settings =
        JobSettings.from(
            Map.of(
                TinstreamOptions.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers(),
                TinstreamOptions.KAFKA_CONNECT_TIMEOUT.key(), "3 s",
                TinstreamOptions.CHECKPOINT_DIR.key(), dir.toUri().toString()));
    long started = System.nanoTime();
    assertThatThrownBy(() -> TinstreamJob.of(settings).verifyKafka())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("did not answer within")
        .hasMessageContaining("tinstream.kafka.connect-timeout")
        .hasMessageContaining("security.protocol=PLAINTEXT");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
  }

  private record Topics(
      String behaviors, String requests, String scores, String deadLetters, String models) {
    static Topics create() {
      String run = UUID.randomUUID().toString().substring(0, 8);
      Topics t =
          new Topics(
              "behaviors-" + run,
              "requests-" + run,
              "scores-" + run,
              "dlq-" + run,
              "models-" + run);
      kafka.createTopics(1, List.of(t.behaviors, t.requests, t.scores, t.deadLetters, t.models));
      return t;
    }
  }

  /** The job scoring tin, every Kafka client property from {@code client} as settings. */
  private static JobSettings settings(Topics topics, Path dir, KafkaClientProperties client)
      throws Exception {
    Path taxonomy = dir.resolve("taxonomy.csv");
    TaxonomyFile.write(taxonomy, List.of(new TaxonomyEntry(TaxonomyKind.L3_PARENT, 30L, 3L)));
    Configuration conf = new Configuration();
    conf.set(TinstreamOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    client
        .asMap()
        .forEach((name, value) -> conf.setString(KafkaClientProperties.PREFIX + name, value));
    conf.set(TinstreamOptions.GROUP_ID, "it-" + topics.behaviors);
    conf.set(TinstreamOptions.BEHAVIORS_TOPIC, topics.behaviors);
    conf.set(TinstreamOptions.REQUESTS_TOPIC, topics.requests);
    conf.set(TinstreamOptions.SCORES_TOPIC, topics.scores);
    conf.set(TinstreamOptions.DEAD_LETTER_TOPIC, topics.deadLetters);
    conf.set(TinstreamOptions.MODEL_UPDATES_TOPIC, topics.models);
    conf.set(TinstreamOptions.PROBE_TOPIC, "");
    conf.set(TinstreamOptions.EXAMPLES_TOPIC, "");
    conf.set(TinstreamOptions.TAXONOMY_TOPIC, "");
    conf.set(TinstreamOptions.TAXONOMY_FILE, taxonomy.toString());
    conf.set(TinstreamOptions.MODEL_VARIANTS, "tin");
    // No model is trained here: the request gets its (error) response after this wait, through
    // the scorer and the score sink like any other.
    conf.set(TinstreamOptions.MAX_MODEL_WAIT, Duration.ofMillis(300));
    conf.set(TinstreamOptions.PARALLELISM, 1);
    conf.set(TinstreamOptions.SCORE_DELIVERY, SinkDelivery.AT_LEAST_ONCE);
    conf.set(TinstreamOptions.CHECKPOINT_DIR, dir.resolve("checkpoints").toUri().toString());
    // Dead letters are exactly-once: readable once a checkpoint commits their transaction.
    conf.set(TinstreamOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
    conf.set(TinstreamOptions.RESTART_MAX_FAILURES, 1);
    conf.set(TinstreamOptions.RESTART_DELAY, Duration.ofMillis(100));
    conf.set(TinstreamOptions.KAFKA_CONNECT_TIMEOUT, Duration.ofSeconds(60));
    return JobSettings.from(conf);
  }

  private static <T extends org.apache.avro.specific.SpecificRecordBase> List<T> read(
      String topic,
      AvroCodec<T> codec,
      java.util.function.Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
    try (KafkaConsumer<byte[], byte[]> consumer =
        KafkaClients.committedReader(kafka.bootstrapServers(), kafka.clientProperties())) {
      consumer.subscribe(List.of(topic));
      List<T> read = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : KafkaClients.pollUntil(consumer, done, DEADLINE)) {
        try {
          read.add(codec.decode(r.value()));
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }
      return read;
    }
  }

  /** What Flink's web UI shows of the job and the cluster: its REST API's pages. */
  private static List<String> webUiPages(JobClient client) throws Exception {
    Configuration rest = MINI_CLUSTER.getClientConfiguration();
    String base =
        "http://" + rest.get(RestOptions.ADDRESS) + ":" + rest.get(RestOptions.PORT) + "/";
    String job = "jobs/" + client.getJobID();
    HttpClient http = HttpClient.newHttpClient();
    List<String> pages = new ArrayList<>();
    for (String path :
        List.of(
            "jobmanager/config",
            "jobmanager/environment",
            job,
            job + "/config",
            job + "/plan",
            job + "/jobmanager/config",
            job + "/jobmanager/environment",
            job + "/exceptions")) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(base + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(path).isEqualTo(200);
      pages.add(response.body());
    }
    return pages;
  }

  private static AdRequest request(String id) {
    return AdRequest.newBuilder()
        .setRequestId(id)
        .setModelVariant("tin")
        .setUserId(1)
        .setRequestTime(Instant.ofEpochMilli(T))
        .setScenario(0)
        .setCandidates(List.of(item(5), item(6)))
        .build();
  }

  private static byte[] key(long user) {
    return Long.toString(user).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Every log line of this JVM (broker, Flink, clients, tinstream) while the class runs, with the
   * clients' configuration dumps (INFO) included.
   */
  private static final class Capture extends AbstractAppender {
    private final Queue<String> lines = new ConcurrentLinkedQueue<>();

    Capture() {
      super("sasl-it-capture", null, null, true, Property.EMPTY_ARRAY);
    }

    @Override
    public void append(LogEvent event) {
      StringBuilder line = new StringBuilder(event.getMessage().getFormattedMessage());
      if (event.getThrown() != null) {
        line.append('\n').append(ExceptionUtils.stringifyException(event.getThrown()));
      }
      lines.add(line.toString());
    }

    List<String> lines() {
      return List.copyOf(lines);
    }

    void install() {
      start();
      LoggerContext context = (LoggerContext) LogManager.getContext(false);
      org.apache.logging.log4j.core.config.Configuration config = context.getConfiguration();
      config.addAppender(this);
      config.getRootLogger().addAppender(this, Level.ALL, null);
      // The configuration dumps go here only, not to the console.
      for (String name : CLIENT_CONFIG_LOGGERS) {
        LoggerConfig logger = new LoggerConfig(name, Level.INFO, false);
        logger.addAppender(this, Level.ALL, null);
        config.addLogger(name, logger);
      }
      context.updateLoggers();
    }

    void uninstall() {
      LoggerContext context = (LoggerContext) LogManager.getContext(false);
      org.apache.logging.log4j.core.config.Configuration config = context.getConfiguration();
      CLIENT_CONFIG_LOGGERS.forEach(config::removeLogger);
      config.getRootLogger().removeAppender(getName());
      context.updateLoggers();
      stop();
    }
  }
}
