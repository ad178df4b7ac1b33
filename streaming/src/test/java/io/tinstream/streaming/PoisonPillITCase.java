package io.tinstream.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.CtrModel;
import io.tinstream.models.ModelRegistry;
import io.tinstream.models.internal.VariableCodec;
import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.DeadLetter;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.ProbeResponse;
import io.tinstream.schemas.RecordDecodeException;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TaxonomyKind;
import io.tinstream.streaming.kafka.EmbeddedKafkaExtension;
import io.tinstream.streaming.kafka.KafkaClients;
import io.tinstream.streaming.kafka.KafkaEndpoints;
import io.tinstream.streaming.trajectory.TrajectoryFunction;
import io.tinstream.training.versions.ModelUpdateChecksum;
import io.tinstream.training.versions.ModelUpdates;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poison pills between good records, on a real broker and MiniCluster: bytes that are no Avro, a
 * record with bytes after its body, a record declaring a 2 GB string, a taxonomy edge whose parent
 * no category field can hold, a request over the candidate cap, and, once lrea serves, a model
 * update with a flipped payload byte and one shaped for other params. Each must end as one dead
 * letter with its reason, every good behavior must be stored, lrea must keep answering with the
 * snapshot it had, and the job must never restart.
 */
class PoisonPillITCase {

  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final long T = 1_700_000_000_000L;
  private static final int USERS = 3;
  private static final int PER_USER = 10;
  private static final int PILLS = 5;
  private static final int MODEL_PILLS = 2;

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setConfiguration(fastMetrics())
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(1)
              .build());

  @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

  @Test
  void everyPillIsOneDeadLetterAndTheJobNeverRestarts(
      @TempDir Path dir, @InjectClusterClient ClusterClient<?> cluster) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String behaviors = "behaviors-" + run;
    String requests = "requests-" + run;
    String probes = "probes-" + run;
    String dlq = "dlq-" + run;
    String taxonomy = "taxonomy-" + run;
    String scores = "scores-" + run;
    String updates = "model-updates-" + run;
    KAFKA.broker().createTopics(1, List.of(behaviors, requests, probes, dlq, scores, updates));
    KAFKA.broker().createCompactedTopics(1, List.of(taxonomy));

    AvroCodec<BehaviorEvent> events = AvroCodec.behaviorEvents();
    AvroCodec<TaxonomyEntry> edges = AvroCodec.taxonomyEntries();
    AdRequest tooMany =
        AdRequest.newBuilder(probe("too-many", 1, T))
            .setModelVariant(null)
            .setCandidates(Collections.nCopies(1_001, candidate()))
            .build();
    try (KafkaProducer<byte[], byte[]> producer =
        KafkaClients.producer(KAFKA.broker().bootstrapServers())) {
      KafkaClients.awaitAll(
          List.of(
              KafkaClients.send(
                  producer,
                  taxonomy,
                  bytes("L3_PARENT:30"),
                  edges.encode(new TaxonomyEntry(TaxonomyKind.L3_PARENT, 30L, 3L))),
              // Would fail every behavior of category 3 in the trajectory operator if stored.
              KafkaClients.send(
                  producer,
                  taxonomy,
                  bytes("L2_PARENT:3"),
                  edges.encode(
                      new TaxonomyEntry(TaxonomyKind.L2_PARENT, 3L, Integer.MAX_VALUE + 1L))),
              KafkaClients.send(producer, behaviors, bytes("1"), bytes("not avro at all")),
              KafkaClients.send(
                  producer,
                  behaviors,
                  bytes("1"),
                  concat(events.encode(behavior("trailing", 1, 0)), new byte[] {0, 0, 0})),
              KafkaClients.send(producer, behaviors, bytes("1"), hugeEventId(events)),
              KafkaClients.send(
                  producer, requests, bytes("1"), AvroCodec.adRequests().encode(tooMany))));
    }

    Configuration conf = new Configuration();
    conf.set(TinstreamOptions.BOOTSTRAP_SERVERS, KAFKA.broker().bootstrapServers());
    conf.set(TinstreamOptions.GROUP_ID, "it-" + run);
    conf.set(TinstreamOptions.BEHAVIORS_TOPIC, behaviors);
    conf.set(TinstreamOptions.REQUESTS_TOPIC, requests);
    conf.set(TinstreamOptions.PROBE_TOPIC, probes);
    conf.set(TinstreamOptions.DEAD_LETTER_TOPIC, dlq);
    conf.set(TinstreamOptions.TAXONOMY_TOPIC, taxonomy);
    // lrea alone: served from keyed state, so the job reads the model-updates topic. No ad
    // impressions, so its trainer never publishes: every update there is the test's.
    conf.set(TinstreamOptions.MODEL_VARIANTS, ModelSpecs.LREA_VARIANT);
    conf.set(TinstreamOptions.SCORES_TOPIC, scores);
    conf.set(TinstreamOptions.MODEL_UPDATES_TOPIC, updates);
    conf.set(TinstreamOptions.PARALLELISM, 1);
    conf.set(TinstreamOptions.CHECKPOINT_DIR, dir.toUri().toString());
    conf.set(TinstreamOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
    JobSettings settings = JobSettings.from(conf);
    StreamExecutionEnvironment env = JobEnvironment.submitted(settings);
    TinstreamJob.of(settings).addTo(env);
    JobClient job = env.executeAsync("poison-pill-it");
    try {
      // The pills are read first; their dead letters show the job is through them.
      List<String> reasons = awaitDeadLetters(dlq, PILLS);
      assertThat(reasons)
          .as("one dead letter per pill, with its reason")
          .hasSize(PILLS)
          .anySatisfy(r -> assertThat(r).startsWith("not Avro single-object encoded BehaviorEvent"))
          .anySatisfy(r -> assertThat(r).contains("corrupt BehaviorEvent body: 3 trailing bytes"))
          .anySatisfy(r -> assertThat(r).contains("string length 2000000000 exceeds"))
          .anySatisfy(
              r ->
                  assertThat(r)
                      .isEqualTo(
                          "invalid TaxonomyEntry: L2_PARENT parent is not a category (beyond int"
                              + " range): 2147483648"))
          .anySatisfy(
              r ->
                  assertThat(r)
                      .isEqualTo(
                          "invalid AdRequest: too many candidates: 1001 >"
                              + " tinstream.requests.max-candidates = 1000"));

      // Good behaviors of category 3 go through the taxonomy the bad edge would have broken.
      try (KafkaProducer<byte[], byte[]> producer =
          KafkaClients.producer(KAFKA.broker().bootstrapServers())) {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (int user = 1; user <= USERS; user++) {
          for (int i = 0; i < PER_USER; i++) {
            sends.add(
                KafkaClients.send(
                    producer,
                    behaviors,
                    bytes(Integer.toString(user)),
                    events.encode(behavior("b-" + user + "-" + i, user, i))));
          }
        }
        KafkaClients.awaitAll(sends);
      }
      for (int user = 1; user <= USERS; user++) {
        assertThat(probeUntil(requests, probes, user, PER_USER))
            .as("behaviors stored for user %d", user)
            .isEqualTo(PER_USER);
      }

      // A snapshot lrea serves from, then two bad updates of newer versions.
      ModelSpecs specs = settings.models().orElseThrow();
      long epoch = System.currentTimeMillis(); // not before the job's start: it is served
      ModelUpdate good;
      ModelUpdate corrupt;
      ModelUpdate wrongShape;
      try (CtrModel lrea = specs.build(ModelSpecs.LREA_VARIANT);
          CtrModel otherRank =
              ModelRegistry.build(
                  specs.params(ModelSpecs.LREA_VARIANT).toBuilder()
                      .lreaRank(specs.params(ModelSpecs.LREA_VARIANT).lrea().rank() + 2)
                      .build())) {
        good = atVersion(ModelUpdates.full(ModelSpecs.LREA_VARIANT, epoch, lrea, 0), 1);
        corrupt = atVersion(good, 2);
        byte[] flipped = ModelUpdates.payload(corrupt);
        flipped[flipped.length / 2] ^= 0x40; // still decodes: only the checksum tells
        corrupt.setPayload(ByteBuffer.wrap(flipped));
        wrongShape = atVersion(ModelUpdates.full(ModelSpecs.LREA_VARIANT, epoch, otherRank, 0), 3);
      }
      AvroCodec<ModelUpdate> updateCodec = AvroCodec.modelUpdates();
      try (KafkaProducer<byte[], byte[]> producer = largeRecordProducer()) {
        KafkaClients.awaitAll(
            List.of(KafkaClients.send(producer, updates, bytes("lrea"), updateCodec.encode(good))));
      }
      ScoreResponse before = lreaUntilScored(requests, scores, "lrea-before");
      assertThat(before.getModelVersion()).isEqualTo(1);
      try (KafkaProducer<byte[], byte[]> producer = largeRecordProducer()) {
        KafkaClients.awaitAll(
            List.of(
                KafkaClients.send(producer, updates, bytes("lrea"), updateCodec.encode(corrupt)),
                KafkaClients.send(
                    producer, updates, bytes("lrea"), updateCodec.encode(wrongShape))));
      }
      assertThat(awaitDeadLetters(dlq, PILLS + MODEL_PILLS))
          .as("one dead letter per model update pill, with its reason")
          .hasSize(PILLS + MODEL_PILLS)
          .anySatisfy(r -> assertThat(r).startsWith("invalid ModelUpdate: checksum mismatch"))
          .anySatisfy(
              r ->
                  assertThat(r)
                      .startsWith("invalid ModelUpdate: payload does not fit lrea: variable"));
      ScoreResponse after = lreaUntilScored(requests, scores, "lrea-after");
      assertThat(after.getModelVersion()).as("the snapshot it had").isEqualTo(1);
      assertThat(after.getScores()).isEqualTo(before.getScores());

      assertThat(restarts(cluster.getWebInterfaceURL(), job.getJobID().toHexString()))
          .as("restarts of the job")
          .isZero();
    } finally {
      JobEnd.cancelAndAwait(job);
    }
  }

  private static Configuration fastMetrics() {
    Configuration conf = new Configuration();
    conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(500));
    return conf;
  }

  private static BehaviorEvent behavior(String id, long user, int i) {
    return BehaviorEvent.newBuilder()
        .setEventId(id)
        .setUserId(user)
        .setEventTime(Instant.ofEpochMilli(T + i * 1_000L))
        .setDomain(Domain.CONTENT)
        .setActionType(ActionType.VIEW)
        // L1 left to the taxonomy: the lookup the bad L2 edge would answer.
        .setItem(ItemFields.newBuilder().setItemId(100 + i).setCategoryL3(30).build())
        .build();
  }

  private static ItemFields candidate() {
    return ItemFields.newBuilder().setItemId(7).setCategoryL3(30).build();
  }

  private static AdRequest probe(String id, long user, long time) {
    return AdRequest.newBuilder()
        .setRequestId(id)
        .setModelVariant(TrajectoryFunction.PROBE_VARIANT)
        .setUserId(user)
        .setRequestTime(Instant.ofEpochMilli(time))
        .setCandidates(List.of(candidate()))
        .build();
  }

  /** {@code update} as version {@code version}: record and payload header, checksum sealed. */
  private static ModelUpdate atVersion(ModelUpdate update, long version) {
    VariableCodec.Snapshot s = VariableCodec.decode(ModelUpdates.payload(update));
    byte[] payload =
        VariableCodec.encode(
            new VariableCodec.Snapshot(
                s.full(),
                s.variant(),
                version,
                s.baseVersion(),
                s.optimizerStep(),
                s.dense(),
                s.tables(),
                s.idRows()));
    return ModelUpdateChecksum.sealed(
        ModelUpdate.newBuilder(update)
            .setVersion(version)
            .setPayload(ByteBuffer.wrap(payload))
            .build());
  }

  /** A producer for full snapshots, which are larger than a producer's default request. */
  private static KafkaProducer<byte[], byte[]> largeRecordProducer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            KAFKA.broker().bootstrapServers(),
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
            KafkaEndpoints.MAX_RECORD_BYTES,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ByteArraySerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ByteArraySerializer.class));
  }

  /**
   * Asks lrea to score user 1 until it answers with scores (the snapshot was read and served); the
   * last answer.
   */
  private static ScoreResponse lreaUntilScored(String requests, String scores, String prefix)
      throws Exception {
    AvroCodec<ScoreResponse> responses = AvroCodec.scoreResponses();
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    int attempt = 0;
    ScoreResponse last = null;
    try (KafkaProducer<byte[], byte[]> producer =
            KafkaClients.producer(KAFKA.broker().bootstrapServers());
        KafkaConsumer<byte[], byte[]> consumer =
            KafkaClients.committedReader(KAFKA.broker().bootstrapServers())) {
      consumer.subscribe(List.of(scores));
      while (System.nanoTime() < deadline) {
        String id = prefix + "-" + attempt++;
        AdRequest request =
            AdRequest.newBuilder(probe(id, 1, T + 3_600_000L))
                .setModelVariant(ModelSpecs.LREA_VARIANT)
                .build();
        KafkaClients.awaitAll(
            List.of(
                KafkaClients.send(
                    producer, requests, bytes("1"), AvroCodec.adRequests().encode(request))));
        for (ConsumerRecord<byte[], byte[]> r :
            KafkaClients.pollUntil(
                consumer,
                got ->
                    got.stream()
                        .anyMatch(r -> new String(r.key(), StandardCharsets.UTF_8).equals(id)),
                Duration.ofSeconds(10))) {
          ScoreResponse response = responses.decode(r.value());
          if (response.getRequestId().equals(id)) {
            last = response;
          }
        }
        if (last != null && last.getError() == null) {
          return last;
        }
        Thread.sleep(200);
      }
    }
    throw new AssertionError("lrea never scored user 1; last answer: " + last);
  }

  /** A behavior's header, then an event id declared 2 GB long. */
  private static byte[] hugeEventId(AvroCodec<BehaviorEvent> events) throws Exception {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(body, null);
    out.writeLong(2_000_000_000L);
    out.flush();
    return concat(Arrays.copyOf(events.encode(behavior("h", 1, 0)), 10), body.toByteArray());
  }

  /** Probes {@code user} until its trajectory holds {@code expected} behaviors; the last length. */
  private static int probeUntil(String requests, String probes, long user, int expected)
      throws Exception {
    AvroCodec<ProbeResponse> responses = AvroCodec.probeResponses();
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    int attempt = 0;
    int last = -1;
    try (KafkaProducer<byte[], byte[]> producer =
            KafkaClients.producer(KAFKA.broker().bootstrapServers());
        KafkaConsumer<byte[], byte[]> consumer =
            KafkaClients.committedReader(KAFKA.broker().bootstrapServers())) {
      consumer.subscribe(List.of(probes));
      while (System.nanoTime() < deadline) {
        String id = "probe-" + user + "-" + attempt++;
        KafkaClients.awaitAll(
            List.of(
                KafkaClients.send(
                    producer,
                    requests,
                    bytes(Long.toString(user)),
                    AvroCodec.adRequests().encode(probe(id, user, T + 3_600_000L)))));
        for (ConsumerRecord<byte[], byte[]> r :
            KafkaClients.pollUntil(
                consumer,
                got ->
                    got.stream()
                        .anyMatch(r -> new String(r.key(), StandardCharsets.UTF_8).equals(id)),
                Duration.ofSeconds(10))) {
          ProbeResponse response = responses.decode(r.value());
          if (response.getRequestId().equals(id)) {
            last = response.getTrajectoryLength();
          }
        }
        if (last == expected) {
          return last;
        }
      }
    }
    return last;
  }

  private static List<String> awaitDeadLetters(String dlq, int expected) {
    AvroCodec<DeadLetter> codec = AvroCodec.deadLetters();
    try (KafkaConsumer<byte[], byte[]> consumer =
        KafkaClients.committedReader(KAFKA.broker().bootstrapServers())) {
      consumer.subscribe(List.of(dlq));
      List<String> reasons = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r :
          KafkaClients.pollUntil(consumer, got -> got.size() >= expected, DEADLINE)) {
        try {
          reasons.add(codec.decode(r.value()).getReason());
        } catch (RecordDecodeException e) {
          throw new AssertionError(e);
        }
      }
      // A moment more: a second dead letter for the same pill (a replay) must show up here too.
      for (ConsumerRecord<byte[], byte[]> r :
          KafkaClients.pollUntil(consumer, got -> false, Duration.ofSeconds(1))) {
        try {
          reasons.add(codec.decode(r.value()).getReason());
        } catch (RecordDecodeException e) {
          throw new AssertionError(e);
        }
      }
      return reasons;
    }
  }

  /** The job's restart count, from its {@code numRestarts} metric over Flink's REST API. */
  static long restarts(String restUrl, String jobId) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create(restUrl + "/jobs/" + jobId + "/metrics?get=numRestarts");
    Pattern value = Pattern.compile("\"value\"\\s*:\\s*\"(\\d+)\"");
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    String body = "";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      body = response.body();
      Matcher m = value.matcher(body);
      if (response.statusCode() == 200 && m.find()) {
        return Long.parseLong(m.group(1));
      }
      // The metric appears once the web monitor's fetcher has run.
      Thread.sleep(200);
    }
    throw new AssertionError(
        "no numRestarts metric for job " + jobId + " from " + uri + ": " + body);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
