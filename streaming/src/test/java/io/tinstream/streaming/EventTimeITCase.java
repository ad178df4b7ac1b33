package io.tinstream.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.DeadLetter;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ProbeResponse;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TaxonomyKind;
import io.tinstream.schemas.TrainingExample;
import io.tinstream.streaming.kafka.EmbeddedKafkaExtension;
import io.tinstream.streaming.kafka.KafkaClients;
import io.tinstream.streaming.trajectory.TaxonomyFile;
import io.tinstream.streaming.trajectory.TrajectoryFunction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event time end to end, on a real broker: a behaviors topic of two partitions read by one source
 * subtask, one partition hours ahead of the other, and one behavior dated 2099 in the slow one. The
 * slow partition's impression must stay open until its click arrives, and the 2099 behavior must go
 * to the dead letters without touching the user's trajectory or the watermark.
 */
class EventTimeITCase {

  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final long T = 1_700_000_000_000L;

  /** Far beyond the 30 min attribution window. */
  private static final long FAST_AHEAD = Duration.ofHours(2).toMillis();

  /** Longer than the sources' 5 s idleness, with checkpoints (examples are transactional). */
  private static final Duration IDLE_AND_THEN_SOME = Duration.ofSeconds(8);

  private static final long YEAR_2099 = 4_070_908_800_000L;
  private static final int SLOW = 0;
  private static final int FAST = 1;
  private static final long USER = 1;

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(1)
              .build());

  @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

  @Test
  void aFastPartitionAndAFutureBehaviorCloseNoWindowAndEvictNothing(@TempDir Path dir)
      throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String behaviors = "behaviors-" + run;
    String requests = "requests-" + run;
    String probes = "probes-" + run;
    String dlq = "dlq-" + run;
    String examples = "examples-" + run;
    KAFKA.broker().createTopics(2, List.of(behaviors));
    KAFKA.broker().createTopics(1, List.of(requests, probes, dlq, examples));

    // One source subtask reads both partitions: only per-partition watermarks keep them apart.
    JobClient client =
        startLabellingJob(dir, run, behaviors, requests, probes, dlq, examples, "event-time-it");
    ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
    try (KafkaProducer<byte[], byte[]> producer =
        KafkaClients.producer(KAFKA.broker().bootstrapServers())) {
      // A request dated 2099 is rejected too, and its time never reaches the watermark.
      KafkaClients.awaitAll(
          List.of(
              KafkaClients.send(
                  producer,
                  requests,
                  key(USER),
                  AvroCodec.adRequests().encode(probe("future-request", YEAR_2099)))));
      send(
          producer,
          behaviors,
          SLOW,
          behavior("b1", USER, T, Domain.CONTENT, ActionType.VIEW),
          behavior("b2", USER, T + 1_000, Domain.CONTENT, ActionType.VIEW),
          behavior("imp", USER, T + 2_000, Domain.AD, ActionType.IMPRESSION),
          behavior("future", USER, YEAR_2099, Domain.CONTENT, ActionType.VIEW),
          behavior("b3", USER, T + 3_000, Domain.CONTENT, ActionType.VIEW));
      send(
          producer,
          behaviors,
          FAST,
          behavior("ahead", 2, T + FAST_AHEAD, Domain.CONTENT, ActionType.VIEW));
      // The slow partition keeps trickling (another user), so it is never idle: its watermark,
      // not the fast one's, must bound the job's event time.
      AtomicInteger beat = new AtomicInteger();
      heartbeat.scheduleAtFixedRate(
          () -> {
            int i = beat.incrementAndGet();
            send(
                producer,
                behaviors,
                SLOW,
                behavior("beat-" + i, 3, T + 3_000 + i, Domain.CONTENT, ActionType.VIEW));
          },
          0,
          300,
          TimeUnit.MILLISECONDS);

      // Once the 2099 behavior is dead-lettered (behind a checkpoint), everything before it in its
      // partition has been processed and the fast partition's record has had many watermark
      // intervals to close the impression's window, if it could.
      assertThat(awaitDeadLetters(dlq, 2))
          .as("dead-letter reasons")
          .hasSize(2)
          .anySatisfy(
              r ->
                  assertThat(r)
                      .startsWith("invalid BehaviorEvent: eventTime " + YEAR_2099)
                      .contains("tinstream.event-time.max-future-skew"))
          .anySatisfy(
              r ->
                  assertThat(r)
                      .startsWith("invalid AdRequest: requestTime " + YEAR_2099)
                      .contains("tinstream.event-time.max-future-skew"));

      // The request input holds event time back until it idles; past that, only the slow
      // partition does. A window closed by the fast one would show up as a negative here.
      assertThat(readExamples(examples, IDLE_AND_THEN_SOME))
          .as("examples while the slow partition's impression is pending")
          .isEmpty();

      send(
          producer,
          behaviors,
          SLOW,
          behavior("click", USER, T + 60_000, Domain.AD, ActionType.CLICK));
      // Examples leave when their window ends: move the slow partition past it.
      send(
          producer,
          behaviors,
          SLOW,
          behavior(
              "past-the-window",
              3,
              T + 2_000 + TinstreamOptions.ATTRIBUTION_WINDOW.defaultValue().toMillis() + 11_000,
              Domain.CONTENT,
              ActionType.VIEW));
      List<TrainingExample> labelled = awaitExamples(examples);
      assertThat(labelled)
          .as("the impression is labelled by its click, not closed early as a negative")
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.getExampleId()).isEqualTo("imp");
                assertThat(e.getLabel()).isEqualTo(1f);
              });

      // The user's history before and after the 2099 behavior is all there.
      ProbeResponse probe = probeUntil(requests, probes, 5);
      assertThat(probe.getTrajectoryLength()).isEqualTo(5);
    } finally {
      heartbeat.shutdownNow();
      JobEnd.cancelAndAwait(client);
    }
  }

  @Test
  void aPauseOfEveryPartitionClosesNoWindow(@TempDir Path dir) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String behaviors = "behaviors-" + run;
    String requests = "requests-" + run;
    String examples = "examples-" + run;
    KAFKA.broker().createTopics(1, List.of(behaviors, requests, examples));
    KAFKA.broker().createTopics(1, List.of("probes-" + run, "dlq-" + run));
    // The taxonomy source finishes: it once sent the end of time along, which an idle behaviors
    // input let through to every pending window.
    JobClient client =
        startLabellingJob(
            dir,
            run,
            behaviors,
            requests,
            "probes-" + run,
            "dlq-" + run,
            examples,
            "event-time-pause-it");
    try (KafkaProducer<byte[], byte[]> producer =
        KafkaClients.producer(KAFKA.broker().bootstrapServers())) {
      send(
          producer,
          behaviors,
          0,
          behavior("b1", USER, T, Domain.CONTENT, ActionType.VIEW),
          behavior("imp", USER, T + 2_000, Domain.AD, ActionType.IMPRESSION),
          behavior("b2", USER, T + 3_000, Domain.CONTENT, ActionType.VIEW));
      // Every behaviors and requests partition idles: nothing may close the pending window.
      assertThat(readExamples(examples, IDLE_AND_THEN_SOME))
          .as("examples while every partition pauses and the impression is pending")
          .isEmpty();

      send(
          producer,
          behaviors,
          0,
          behavior("click", USER, T + 60_000, Domain.AD, ActionType.CLICK),
          behavior(
              "past-the-window",
              3,
              T + 2_000 + TinstreamOptions.ATTRIBUTION_WINDOW.defaultValue().toMillis() + 11_000,
              Domain.CONTENT,
              ActionType.VIEW));
      assertThat(awaitExamples(examples))
          .as("the impression is labelled by its click after the pause, not closed as a negative")
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.getExampleId()).isEqualTo("imp");
                assertThat(e.getLabel()).isEqualTo(1f);
              });
    } finally {
      JobEnd.cancelAndAwait(client);
    }
  }

  /**
   * The job at parallelism 1 with its taxonomy from a file only (whose source finishes), no model
   * variants, and an examples topic, which makes it label impressions.
   */
  private static JobClient startLabellingJob(
      Path dir,
      String run,
      String behaviors,
      String requests,
      String probes,
      String dlq,
      String examples,
      String name)
      throws Exception {
    Path taxonomy = dir.resolve("taxonomy.csv");
    TaxonomyFile.write(
        taxonomy,
        List.of(
            new TaxonomyEntry(TaxonomyKind.L3_PARENT, 30L, 3L),
            new TaxonomyEntry(TaxonomyKind.L2_PARENT, 3L, 1L)));
    Configuration conf = new Configuration();
    conf.set(TinstreamOptions.BOOTSTRAP_SERVERS, KAFKA.broker().bootstrapServers());
    conf.set(TinstreamOptions.GROUP_ID, "it-" + run);
    conf.set(TinstreamOptions.BEHAVIORS_TOPIC, behaviors);
    conf.set(TinstreamOptions.REQUESTS_TOPIC, requests);
    conf.set(TinstreamOptions.PROBE_TOPIC, probes);
    conf.set(TinstreamOptions.DEAD_LETTER_TOPIC, dlq);
    conf.set(TinstreamOptions.TAXONOMY_TOPIC, "");
    conf.set(TinstreamOptions.TAXONOMY_FILE, taxonomy.toString());
    conf.set(TinstreamOptions.MODEL_VARIANTS, "");
    conf.set(TinstreamOptions.EXAMPLES_TOPIC, examples);
    conf.set(TinstreamOptions.PARALLELISM, 1);
    conf.set(TinstreamOptions.CHECKPOINT_DIR, dir.toUri().toString());
    conf.set(TinstreamOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
    JobSettings settings = JobSettings.from(conf);
    StreamExecutionEnvironment env = JobEnvironment.submitted(settings);
    TinstreamJob.of(settings).build(env);
    return env.executeAsync(name);
  }

  private static BehaviorEvent behavior(
      String id, long user, long time, Domain domain, ActionType action) {
    return BehaviorEvent.newBuilder()
        .setEventId(id)
        .setUserId(user)
        .setEventTime(Instant.ofEpochMilli(time))
        .setDomain(domain)
        .setActionType(action)
        .setRequestId(domain == Domain.AD ? "ad-1" : null)
        .setItem(item())
        .build();
  }

  private static ItemFields item() {
    return ItemFields.newBuilder()
        .setItemId(5)
        .setCategoryL1(1)
        .setCategoryL2(3)
        .setCategoryL3(30)
        .setProductId(1L)
        .setSpuId(1L)
        .build();
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer,
      String topic,
      int partition,
      BehaviorEvent... events) {
    AvroCodec<BehaviorEvent> codec = AvroCodec.behaviorEvents();
    List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sends =
        new ArrayList<>();
    for (BehaviorEvent e : events) {
      sends.add(
          producer.send(
              new ProducerRecord<>(topic, partition, key(e.getUserId()), codec.encode(e))));
    }
    KafkaClients.awaitAll(sends);
  }

  private static List<String> awaitDeadLetters(String dlq, int count) {
    AvroCodec<DeadLetter> letters = AvroCodec.deadLetters();
    try (KafkaConsumer<byte[], byte[]> consumer =
        KafkaClients.committedReader(KAFKA.broker().bootstrapServers())) {
      consumer.subscribe(List.of(dlq));
      return KafkaClients.pollUntil(consumer, got -> got.size() >= count, DEADLINE).stream()
          .map(r -> decode(letters, r.value()).getReason())
          .toList();
    }
  }

  private static List<TrainingExample> readExamples(String topic, Duration during) {
    AvroCodec<TrainingExample> codec = AvroCodec.trainingExamples();
    try (KafkaConsumer<byte[], byte[]> consumer =
        KafkaClients.committedReader(KAFKA.broker().bootstrapServers())) {
      consumer.subscribe(List.of(topic));
      return KafkaClients.pollUntil(consumer, got -> false, during).stream()
          .map(r -> decode(codec, r.value()))
          .toList();
    }
  }

  private static List<TrainingExample> awaitExamples(String topic) {
    AvroCodec<TrainingExample> codec = AvroCodec.trainingExamples();
    try (KafkaConsumer<byte[], byte[]> consumer =
        KafkaClients.committedReader(KAFKA.broker().bootstrapServers())) {
      consumer.subscribe(List.of(topic));
      List<ConsumerRecord<byte[], byte[]>> read =
          KafkaClients.pollUntil(consumer, got -> !got.isEmpty(), DEADLINE);
      // A little longer: a negative emitted before the positive would have been committed with or
      // before it, but give a late one the chance to show too.
      read.addAll(KafkaClients.pollUntil(consumer, got -> false, Duration.ofSeconds(2)));
      return read.stream().map(r -> decode(codec, r.value())).toList();
    }
  }

  private static ProbeResponse probeUntil(String requests, String probes, int length) {
    AvroCodec<AdRequest> codec = AvroCodec.adRequests();
    AvroCodec<ProbeResponse> responses = AvroCodec.probeResponses();
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    ProbeResponse last = null;
    try (KafkaProducer<byte[], byte[]> producer =
            KafkaClients.producer(KAFKA.broker().bootstrapServers());
        KafkaConsumer<byte[], byte[]> consumer =
            KafkaClients.committedReader(KAFKA.broker().bootstrapServers())) {
      consumer.subscribe(List.of(probes));
      for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
        String id = "probe-" + attempt;
        AdRequest request = probe(id, T + 61_000);
        KafkaClients.awaitAll(
            List.of(KafkaClients.send(producer, requests, key(USER), codec.encode(request))));
        for (ConsumerRecord<byte[], byte[]> r :
            KafkaClients.pollUntil(
                consumer,
                got ->
                    got.stream()
                        .anyMatch(x -> new String(x.key(), StandardCharsets.UTF_8).equals(id)),
                Duration.ofSeconds(10))) {
          ProbeResponse response = decode(responses, r.value());
          if (response.getRequestId().equals(id)) {
            last = response;
            if (response.getTrajectoryLength() == length) {
              return response;
            }
          }
        }
      }
    }
    throw new AssertionError(
        "user "
            + USER
            + " never reached "
            + length
            + " behaviors; last probe saw "
            + (last == null ? "nothing" : last.getTrajectoryLength()));
  }

  private static AdRequest probe(String id, long time) {
    return AdRequest.newBuilder()
        .setRequestId(id)
        .setModelVariant(TrajectoryFunction.PROBE_VARIANT)
        .setUserId(USER)
        .setRequestTime(Instant.ofEpochMilli(time))
        .setScenario(0)
        .setCandidates(List.of(item()))
        .build();
  }

  private static <T extends org.apache.avro.specific.SpecificRecordBase> T decode(
      AvroCodec<T> codec, byte[] value) {
    try {
      return codec.decode(value);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] key(long user) {
    return Long.toString(user).getBytes(StandardCharsets.UTF_8);
  }
}
