package io.tinstream.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.DeadLetter;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ProbeResponse;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TaxonomyKind;
import io.tinstream.state.Behavior;
import io.tinstream.state.SearchTarget;
import io.tinstream.state.TrajectoryView;
import io.tinstream.streaming.kafka.EmbeddedKafkaExtension;
import io.tinstream.streaming.kafka.KafkaClients;
import io.tinstream.streaming.trajectory.TaxonomyFile;
import io.tinstream.streaming.trajectory.TrajectoryFunction;
import io.tinstream.training.data.MovieLensDataset;
import io.tinstream.training.features.HistorySelector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingestion job end to end: a real in-process broker, a MiniCluster with RocksDB and
 * exactly-once checkpoints, a MovieLens slice with malformed records, duplicates and out-of-order
 * events mixed in.
 */
class IngestionITCase {

  private static final int USERS = 4;
  private static final int SEARCH_K = 16;
  private static final Duration DEADLINE = Duration.ofSeconds(120);

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

  @Test
  void ingestsTrajectoriesRejectsBadRecordsAndAnswersProbes(@TempDir Path checkpoints)
      throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String behaviorsTopic = "behaviors-" + run;
    String requestsTopic = "requests-" + run;
    String probesTopic = "probes-" + run;
    String dlqTopic = "dlq-" + run;
    KAFKA.broker().createTopics(2, List.of(behaviorsTopic, requestsTopic, probesTopic, dlqTopic));

    MovieLensDataset movieLens = MovieLensDataset.load(movieLensDir());
    List<BehaviorEvent> slice =
        movieLens.behaviorEvents().stream().filter(e -> e.getUserId() <= USERS).toList();
    List<BehaviorEvent> sent = withDuplicatesAndDisorder(slice);
    List<byte[]> malformed = malformedBehaviors(slice.get(0));

    AvroCodec<BehaviorEvent> events = AvroCodec.behaviorEvents();
    try (KafkaProducer<byte[], byte[]> producer =
        KafkaClients.producer(KAFKA.broker().bootstrapServers())) {
      List<Future<RecordMetadata>> sends = new ArrayList<>();
      for (int i = 0; i < sent.size(); i++) {
        BehaviorEvent e = sent.get(i);
        sends.add(
            KafkaClients.send(producer, behaviorsTopic, key(e.getUserId()), events.encode(e)));
        if (i % 100 == 50 && i / 100 < malformed.size()) {
          // Bad records sit between good ones: the job must drop them and keep going.
          sends.add(KafkaClients.send(producer, behaviorsTopic, key(1), malformed.get(i / 100)));
        }
      }
      KafkaClients.awaitAll(sends);
    }

    Path taxonomy = checkpoints.resolve("taxonomy.csv");
    TaxonomyFile.write(taxonomy, taxonomyOf(movieLens, slice));
    Configuration conf = new Configuration();
    conf.set(TinstreamOptions.BOOTSTRAP_SERVERS, KAFKA.broker().bootstrapServers());
    conf.set(TinstreamOptions.GROUP_ID, "it-" + run);
    conf.set(TinstreamOptions.BEHAVIORS_TOPIC, behaviorsTopic);
    conf.set(TinstreamOptions.REQUESTS_TOPIC, requestsTopic);
    conf.set(TinstreamOptions.PROBE_TOPIC, probesTopic);
    conf.set(TinstreamOptions.DEAD_LETTER_TOPIC, dlqTopic);
    conf.set(TinstreamOptions.TAXONOMY_TOPIC, "");
    conf.set(TinstreamOptions.TAXONOMY_FILE, taxonomy.toString());
    conf.set(TinstreamOptions.MODEL_VARIANTS, "");
    conf.set(TinstreamOptions.RETENTION, Duration.ofDays(365L * 30));
    conf.set(TinstreamOptions.SEARCH_K, SEARCH_K);
    conf.set(TinstreamOptions.PARALLELISM, 2);
    conf.set(TinstreamOptions.CHECKPOINT_DIR, checkpoints.toUri().toString());
    conf.set(TinstreamOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
    JobSettings settings = JobSettings.from(conf);
    StreamExecutionEnvironment env = JobEnvironment.submitted(settings);
    TinstreamJob.of(settings).addTo(env);
    JobClient client = env.executeAsync("ingestion-it");
    try {
      sendInvalidRequest(requestsTopic);
      Map<Long, TrajectoryView> expected = expectedTrajectories(sent, slice);
      for (long user = 1; user <= USERS; user++) {
        TrajectoryView trajectory = expected.get(user);
        ProbeResponse probe =
            probeUntilComplete(requestsTopic, probesTopic, user, trajectory, movieLens);
        assertProbeMatches(probe, trajectory, movieLens);
      }
      assertDeadLetters(dlqTopic, malformed.size() + 1);
    } finally {
      JobEnd.cancelAndAwait(client);
    }
  }

  /** Every event once, then 30 duplicates, and one user's history sent newest first. */
  private static List<BehaviorEvent> withDuplicatesAndDisorder(List<BehaviorEvent> slice) {
    List<BehaviorEvent> sent = new ArrayList<>();
    List<BehaviorEvent> reversedUser = new ArrayList<>();
    for (BehaviorEvent e : slice) {
      if (e.getUserId() == 2) {
        reversedUser.add(0, e);
      } else {
        sent.add(stripParents(e));
      }
    }
    sent.addAll(reversedUser);
    for (int i = 0; i < 30; i++) {
      sent.add(slice.get(i * 7 % slice.size()));
    }
    return sent;
  }

  /** Drops L1/L2 from some events so that the taxonomy has to fill them in. */
  private static BehaviorEvent stripParents(BehaviorEvent e) {
    if (e.getEventId().hashCode() % 3 != 0) {
      return e;
    }
    ItemFields item =
        ItemFields.newBuilder(e.getItem()).setCategoryL1(null).setCategoryL2(null).build();
    return BehaviorEvent.newBuilder(e).setItem(item).build();
  }

  private static List<byte[]> malformedBehaviors(BehaviorEvent template) {
    AvroCodec<BehaviorEvent> codec = AvroCodec.behaviorEvents();
    byte[] valid = codec.encode(template);
    List<byte[]> bad = new ArrayList<>();
    bad.add("not avro at all".getBytes(StandardCharsets.UTF_8));
    bad.add(java.util.Arrays.copyOf(valid, valid.length / 2));
    bad.add(
        codec.encode(
            BehaviorEvent.newBuilder(template)
                .setEventId("nan")
                .setActionDetail(Double.NaN)
                .build()));
    bad.add(
        codec.encode(BehaviorEvent.newBuilder(template).setEventId("neg").setUserId(-5).build()));
    bad.add(
        codec.encode(
            BehaviorEvent.newBuilder(template)
                .setEventId("old")
                .setEventTime(Instant.ofEpochMilli(1_000L))
                .build()));
    return bad;
  }

  private static List<TaxonomyEntry> taxonomyOf(MovieLensDataset data, List<BehaviorEvent> slice) {
    Set<Long> seen = new HashSet<>();
    List<TaxonomyEntry> entries = new ArrayList<>();
    for (BehaviorEvent e : slice) {
      int movie = (int) e.getItem().getItemId();
      if (seen.add(e.getItem().getItemId())) {
        entries.add(
            new TaxonomyEntry(
                TaxonomyKind.L3_PARENT,
                (long) data.categoryL3(movie),
                (long) data.categoryL2(movie)));
        entries.add(
            new TaxonomyEntry(
                TaxonomyKind.L2_PARENT,
                (long) data.categoryL2(movie),
                (long) data.categoryL1(movie)));
      }
    }
    return entries;
  }

  private static void sendInvalidRequest(String requestsTopic) {
    AdRequest empty =
        AdRequest.newBuilder()
            .setRequestId("empty")
            .setUserId(1)
            .setRequestTime(Instant.ofEpochMilli(1_600_000_000_000L))
            .setCandidates(List.of())
            .build();
    try (KafkaProducer<byte[], byte[]> producer =
        KafkaClients.producer(KAFKA.broker().bootstrapServers())) {
      KafkaClients.awaitAll(
          List.of(
              KafkaClients.send(
                  producer, requestsTopic, key(1), AvroCodec.adRequests().encode(empty))));
    }
  }

  /**
   * What the trajectory must hold: each event id once, in first-arrival order stable-sorted by
   * event time, with the item fields the taxonomy restores (those of the original event).
   */
  private static Map<Long, TrajectoryView> expectedTrajectories(
      List<BehaviorEvent> sent, List<BehaviorEvent> originals) {
    Map<String, BehaviorEvent> original = new java.util.HashMap<>();
    originals.forEach(e -> original.put(e.getEventId(), e));
    Map<Long, LinkedHashMap<String, BehaviorEvent>> byUser = new LinkedHashMap<>();
    for (BehaviorEvent e : sent) {
      byUser
          .computeIfAbsent(e.getUserId(), u -> new LinkedHashMap<>())
          .putIfAbsent(e.getEventId(), original.get(e.getEventId()));
    }
    Map<Long, TrajectoryView> views = new LinkedHashMap<>();
    byUser.forEach(
        (user, events) ->
            views.put(
                user,
                TrajectoryView.of(
                    events.values().stream()
                        .sorted(Comparator.comparing(BehaviorEvent::getEventTime))
                        .map(Behavior::fromEvent)
                        .toList())));
    return views;
  }

  /**
   * The two topics are read independently, so a probe may overtake behaviors; probe again until the
   * trajectory holds every expected behavior.
   */
  private ProbeResponse probeUntilComplete(
      String requestsTopic,
      String probesTopic,
      long user,
      TrajectoryView expected,
      MovieLensDataset data)
      throws Exception {
    AvroCodec<AdRequest> requests = AvroCodec.adRequests();
    AvroCodec<ProbeResponse> responses = AvroCodec.probeResponses();
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    long requestTime = expected.eventTime(expected.size() - 1) + 1;
    int attempt = 0;
    int lastLength = -1;
    try (KafkaProducer<byte[], byte[]> producer =
            KafkaClients.producer(KAFKA.broker().bootstrapServers());
        KafkaConsumer<byte[], byte[]> consumer =
            KafkaClients.committedReader(KAFKA.broker().bootstrapServers())) {
      consumer.subscribe(List.of(probesTopic));
      while (System.nanoTime() < deadline) {
        String requestId = "probe-" + user + "-" + attempt++;
        AdRequest request =
            AdRequest.newBuilder()
                .setRequestId(requestId)
                .setModelVariant(TrajectoryFunction.PROBE_VARIANT)
                .setUserId(user)
                .setRequestTime(Instant.ofEpochMilli(requestTime))
                .setScenario(0)
                .setCandidates(
                    List.of(data.itemFields(1), data.itemFields(260), data.itemFields(2571)))
                .build();
        KafkaClients.awaitAll(
            List.of(
                KafkaClients.send(producer, requestsTopic, key(user), requests.encode(request))));
        List<ConsumerRecord<byte[], byte[]>> read =
            KafkaClients.pollUntil(
                consumer,
                got ->
                    got.stream()
                        .anyMatch(
                            r -> new String(r.key(), StandardCharsets.UTF_8).equals(requestId)),
                Duration.ofSeconds(20));
        for (ConsumerRecord<byte[], byte[]> r : read) {
          ProbeResponse response = responses.decode(r.value());
          if (response.getRequestId().equals(requestId)
              && response.getTrajectoryLength() == expected.size()) {
            return response;
          }
        }
      }
    }
    throw new AssertionError(
        "user "
            + user
            + " never reached "
            + expected.size()
            + " behaviors; last probe saw "
            + lastLength);
  }

  private static void assertProbeMatches(
      ProbeResponse probe, TrajectoryView expected, MovieLensDataset data) {
    assertThat(probe.getSearchMode()).isEqualTo("hierarchical");
    assertThat(probe.getPerCandidate()).hasSize(3);
    long requestTime = expected.eventTime(expected.size() - 1) + 1;
    int[] movies = {1, 260, 2571};
    for (int c = 0; c < movies.length; c++) {
      BehaviorSequence got = probe.getPerCandidate().get(c);
      SearchTarget target = SearchTarget.of(data.itemFields(movies[c]), 0, requestTime);
      int[] indices =
          new HistorySelector(HistorySelector.Kind.HIERARCHICAL_SEARCH, SEARCH_K)
              .select(expected, target);
      BehaviorSequence want = expected.toSequence(indices);
      assertThat(got.getCategoryL1())
          .as("L1 of user %d candidate %d", probe.getUserId(), c)
          .doesNotContain(-1);
      assertThat(got.getItemIds()).isEqualTo(want.getItemIds());
      assertThat(got.getEventTimes()).isEqualTo(want.getEventTimes()).isSorted();
      assertThat(got.getItemIds()).hasSize(Math.min(SEARCH_K, expected.size()));
      // Parents stripped from some events came back from the taxonomy.
      assertThat(got.getCategoryL1()).isEqualTo(want.getCategoryL1()).doesNotContain(-1);
      assertThat(got.getCategoryL2()).doesNotContain(-1);
      // The most specific level leads: behaviors of the candidate's L3 are all kept when they fit.
      long sameL3 = got.getCategoryL3().stream().filter(l3 -> l3 == target.categoryL3()).count();
      long available = countL3(expected, target.categoryL3());
      assertThat(sameL3).isEqualTo(Math.min(available, SEARCH_K));
    }
  }

  private static long countL3(TrajectoryView view, int l3) {
    long n = 0;
    for (int i = 0; i < view.size(); i++) {
      n += view.categoryL3(i) == l3 ? 1 : 0;
    }
    return n;
  }

  private void assertDeadLetters(String dlqTopic, int expectedCount) {
    AvroCodec<DeadLetter> codec = AvroCodec.deadLetters();
    try (KafkaConsumer<byte[], byte[]> consumer =
        KafkaClients.committedReader(KAFKA.broker().bootstrapServers())) {
      consumer.subscribe(List.of(dlqTopic));
      List<ConsumerRecord<byte[], byte[]>> read =
          KafkaClients.pollUntil(
              consumer, got -> got.size() > expectedCount, Duration.ofSeconds(10));
      List<String> reasons = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : read) {
        reasons.add(decodeUnchecked(codec, r.value()).getReason());
      }
      assertThat(reasons)
          .hasSize(expectedCount)
          .anyMatch(r -> r.contains("not Avro single-object encoded"))
          .anyMatch(r -> r.contains("corrupt BehaviorEvent"))
          .anyMatch(r -> r.contains("actionDetail is not finite"))
          .anyMatch(r -> r.contains("userId is negative"))
          .anyMatch(r -> r.contains("eventTime out of range"))
          .anyMatch(r -> r.contains("invalid AdRequest: no candidates"));
    }
  }

  private static DeadLetter decodeUnchecked(AvroCodec<DeadLetter> codec, byte[] value) {
    try {
      return codec.decode(value);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] key(long user) {
    return Long.toString(user).getBytes(StandardCharsets.UTF_8);
  }

  private static Path movieLensDir() {
    Path dir =
        Path.of(
            System.getProperty("tinstream.movielens.dir", "../shared/data/movielens-latest-small"));
    if (!Files.isRegularFile(dir.resolve("ratings.csv"))) {
      throw new IllegalStateException(
          "MovieLens data not found at "
              + dir.toAbsolutePath()
              + ": set -Dtinstream.movielens.dir");
    }
    return dir;
  }
}
