package io.tinstream.streaming;

import static io.tinstream.streaming.TestItems.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.ProbeResponse;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TaxonomyKind;
import io.tinstream.schemas.UpdateKind;
import io.tinstream.streaming.kafka.EmbeddedKafkaExtension;
import io.tinstream.streaming.kafka.KafkaClients;
import io.tinstream.streaming.trajectory.TaxonomyFile;
import io.tinstream.streaming.trajectory.TrajectoryFunction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upgrade as an operator runs it: stop the job with a savepoint, start it again from there at
 * another parallelism (and another trajectory chunk size, which may change), and find every user's
 * trajectory and the trained model as they were; a restore with a setting the state depends on
 * changed is refused, naming the setting.
 */
class SavepointRescaleITCase {

  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final long T = 1_700_000_000_000L;
  private static final int USERS = 4;
  private static final int PER_USER = 10;

  /** Probes ask at this time: after every behavior of the first run, before the second's. */
  private static final long BEFORE_NEW = T + 30_500;

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

  @Test
  void restoresTrajectoriesAndTheModelAtAnotherParallelism(@TempDir Path dir) throws Exception {
    Topics topics = Topics.create();
    Map<Long, ProbeResponse> before = new HashMap<>();
    ModelUpdate lastBefore;
    String savepoint;

    JobClient first = start(conf(topics, dir, 2, 4, "tin"), null);
    try {
      send(topics.behaviors, firstFeed());
      // Every behavior is in: ten per user and the one that moves event time on.
      for (long user = 1; user <= USERS; user++) {
        before.put(user, probeUntil(topics, user, PER_USER + 1, BEFORE_NEW));
      }
      // The trainer has trained on some of the impressions, and published what it trained.
      readUpdates(topics, got -> !got.isEmpty());
    } finally {
      savepoint = stopWithSavepoint(first, dir);
    }
    List<ModelUpdate> published = readUpdates(topics, got -> false, Duration.ofSeconds(2));
    assertThat(published).isNotEmpty();
    lastBefore = published.get(published.size() - 1);
    assertThat(lastBefore.getKind()).as("every update is full here").isEqualTo(UpdateKind.FULL);

    // Written before the restored job starts, so its sources read on at once: were both topics
    // to pause for the idleness timeout first, the trajectory operator's watermark would be its
    // broadcast side's end of time, and the windows of impressions read after that never close.
    send(topics.behaviors, secondFeed());

    // Parallelism 2 → 1 and chunk size 4 → 3 (which may change) on restore.
    JobClient second = start(conf(topics, dir, 1, 3, "tin"), savepoint);
    try {
      for (long user = 1; user <= USERS; user++) {
        ProbeResponse after = probeUntil(topics, user, PER_USER + 4, BEFORE_NEW);
        assertThat(after.getTrajectoryLength())
            .as("user %d: 11 restored, 3 new, the replays not stored again", user)
            .isEqualTo(PER_USER + 4);
        assertThat(after.getPerCandidate())
            .as("what user %d's search selects before the new behaviors, after the restore", user)
            .isEqualTo(before.get(user).getPerCandidate());
      }

      // The restored trainer announces the version it resumed from, then trains on from it.
      List<ModelUpdate> all =
          readUpdates(
              topics,
              got ->
                  got.size() > published.size()
                      && got.get(got.size() - 1).getVersion() > lastBefore.getVersion());
      List<ModelUpdate> resumed = all.subList(published.size(), all.size());
      ModelUpdate announced = resumed.get(0);
      assertThat(announced.getKind()).isEqualTo(UpdateKind.FULL);
      assertThat(announced.getRunEpoch()).as("same run").isEqualTo(lastBefore.getRunEpoch());
      assertThat(announced.getVersion())
          .as("the version the savepoint holds")
          .isEqualTo(lastBefore.getVersion());
      assertThat(announced.getPayload())
          .as("the weights the savepoint holds")
          .isEqualTo(lastBefore.getPayload());
      assertThat(resumed)
          .allSatisfy(u -> assertThat(u.getRunEpoch()).isEqualTo(lastBefore.getRunEpoch()))
          .anySatisfy(u -> assertThat(u.getVersion()).isGreaterThan(lastBefore.getVersion()));
    } finally {
      cancel(second);
    }
  }

  @Test
  void aRestoreWithWeightsOfAnotherShapeIsRefusedNamingTheSetting(@TempDir Path dir)
      throws Exception {
    Topics topics = Topics.create();
    Configuration rank4 = conf(topics, dir, 1, 4, "lrea");
    rank4.set(TinstreamOptions.LREA_MAX_LENGTH, 8);
    rank4.set(TinstreamOptions.LREA_RANK, 4);
    String savepoint = stopWithSavepoint(start(rank4, null), dir);

    Configuration rank8 = new Configuration(rank4);
    rank8.set(TinstreamOptions.LREA_RANK, 8);
    JobClient refused = start(rank8, savepoint);
    assertThatThrownBy(
            () -> refused.getJobExecutionResult().get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .rootCause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tinstream.lrea.rank (variant lrea) changed from 4 to 8")
        .hasMessageContaining("Restore with the values the state was written with");
  }

  /** The topics of one test, of its own. */
  private record Topics(
      String run,
      String behaviors,
      String requests,
      String probes,
      String dlq,
      String scores,
      String models,
      String taxonomy) {

    static Topics create() {
      String run = UUID.randomUUID().toString().substring(0, 8);
      Topics t =
          new Topics(
              run,
              "behaviors-" + run,
              "requests-" + run,
              "probes-" + run,
              "dlq-" + run,
              "scores-" + run,
              "models-" + run,
              "taxonomy-" + run);
      KAFKA.broker().createTopics(2, List.of(t.behaviors, t.requests));
      KAFKA.broker().createCompactedTopics(1, List.of(t.taxonomy));
      KAFKA.broker().createTopics(1, List.of(t.probes, t.dlq, t.scores, t.models));
      return t;
    }
  }

  private static Configuration conf(
      Topics topics, Path dir, int parallelism, int chunkSize, String variants) throws Exception {
    Path taxonomy = dir.resolve("taxonomy.csv");
    TaxonomyFile.write(
        taxonomy,
        List.of(
            new TaxonomyEntry(TaxonomyKind.L3_PARENT, 30L, 3L),
            new TaxonomyEntry(TaxonomyKind.L2_PARENT, 3L, 1L)));
    Configuration conf = new Configuration();
    conf.set(TinstreamOptions.BOOTSTRAP_SERVERS, KAFKA.broker().bootstrapServers());
    conf.set(TinstreamOptions.GROUP_ID, "it-" + topics.run);
    conf.set(TinstreamOptions.BEHAVIORS_TOPIC, topics.behaviors);
    conf.set(TinstreamOptions.REQUESTS_TOPIC, topics.requests);
    conf.set(TinstreamOptions.PROBE_TOPIC, topics.probes);
    conf.set(TinstreamOptions.DEAD_LETTER_TOPIC, topics.dlq);
    conf.set(TinstreamOptions.SCORES_TOPIC, topics.scores);
    conf.set(TinstreamOptions.MODEL_UPDATES_TOPIC, topics.models);
    conf.set(TinstreamOptions.EXAMPLES_TOPIC, "");
    conf.set(TinstreamOptions.TAXONOMY_TOPIC, topics.taxonomy);
    conf.set(TinstreamOptions.MODEL_VARIANTS, variants);
    conf.set(TinstreamOptions.SEARCH_K, 8);
    conf.set(TinstreamOptions.CHUNK_SIZE, chunkSize);
    conf.set(TinstreamOptions.OUT_OF_ORDERNESS, Duration.ZERO);
    conf.set(TinstreamOptions.ATTRIBUTION_WINDOW, Duration.ofSeconds(2));
    // Small batches, each version published in full: the test compares weights byte for byte.
    conf.set(TinstreamOptions.TRAIN_BATCH_SIZE, 4);
    conf.set(TinstreamOptions.TRAIN_BATCH_DEADLINE, Duration.ofMillis(200));
    conf.set(TinstreamOptions.FULL_SNAPSHOT_EVERY, 1);
    conf.set(TinstreamOptions.PUBLISH_EVERY, Duration.ZERO);
    conf.set(TinstreamOptions.MAX_MODEL_WAIT, Duration.ofMillis(300));
    conf.set(TinstreamOptions.SCORER_PARALLELISM, 1);
    conf.set(TinstreamOptions.PARALLELISM, parallelism);
    conf.set(TinstreamOptions.RESTART_DELAY, Duration.ZERO);
    conf.set(TinstreamOptions.CHECKPOINT_DIR, dir.resolve("checkpoints").toUri().toString());
    conf.set(TinstreamOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
    return conf;
  }

  /** The job of {@code conf}, from {@code savepoint} when not null. */
  private static JobClient start(Configuration conf, String savepoint) throws Exception {
    JobSettings settings = JobSettings.from(conf);
    StreamExecutionEnvironment env = JobEnvironment.submitted(settings);
    TinstreamJob.of(settings).addTo(env);
    StreamGraph graph = env.getStreamGraph();
    if (savepoint != null) {
      // As `flink run -s`: state that no operator claims fails the restore.
      graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
    }
    graph.setJobName("savepoint-it");
    return env.executeAsync(graph);
  }

  /** Cancels {@code job}; one that failed instead is an error with the job's failure as cause. */
  private static void cancel(JobClient job) throws Exception {
    org.apache.flink.api.common.JobStatus status = job.getJobStatus().get();
    if (status == org.apache.flink.api.common.JobStatus.FAILED) {
      try {
        job.getJobExecutionResult().get();
      } catch (ExecutionException e) {
        throw new AssertionError("the job failed", e);
      }
    }
    JobEnd.cancelAndAwait(job);
  }

  /** Stops {@code job} with a savepoint, retrying while its tasks are still starting. */
  private static String stopWithSavepoint(JobClient job, Path dir) throws Exception {
    String target = dir.resolve("savepoints").toUri().toString();
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      try {
        return job.stopWithSavepoint(false, target, SavepointFormatType.CANONICAL)
            .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(500);
      }
    }
  }

  /** Per user: views, impressions each clicked or not within the window, and one later view. */
  private static List<BehaviorEvent> firstFeed() {
    List<BehaviorEvent> feed = new ArrayList<>();
    for (long user = 1; user <= USERS; user++) {
      for (int i = 0; i < PER_USER; i++) {
        long time = T + i * 1_000L + user * 10;
        feed.add(
            switch (i % 3) {
              case 1 ->
                  behavior(
                      id(user, i), user, time, ActionType.IMPRESSION, 200 + i, request(user, i));
              case 2 ->
                  user % 2 == 0
                      ? behavior(
                          id(user, i),
                          user,
                          time,
                          ActionType.CLICK,
                          200 + i - 1,
                          request(user, i - 1))
                      : view(id(user, i), user, time, 100 + i);
              default -> view(id(user, i), user, time, 100 + i);
            });
      }
      // Moves event time past every impression's window.
      feed.add(view("later-" + user, user, T + 30_000 + user, 150));
    }
    return feed;
  }

  /** Per user: three stored behaviors again, an impression, a view, and one later view. */
  private static List<BehaviorEvent> secondFeed() {
    List<BehaviorEvent> firsts = firstFeed();
    List<BehaviorEvent> feed = new ArrayList<>();
    for (long user = 1; user <= USERS; user++) {
      for (BehaviorEvent e : firsts) {
        if (e.getUserId() == user
            && List.of(id(user, 0), id(user, 4), id(user, 5)).contains(e.getEventId())) {
          feed.add(e);
        }
      }
      feed.add(
          behavior(
              "imp2-" + user, user, T + 31_000 + user, ActionType.IMPRESSION, 300, "r2-" + user));
      feed.add(view("view2-" + user, user, T + 32_000 + user, 160));
      feed.add(view("later2-" + user, user, T + 60_000 + user, 170));
    }
    return feed;
  }

  private static String id(long user, int i) {
    return "b-" + user + "-" + i;
  }

  private static String request(long user, int i) {
    return "r-" + user + "-" + i;
  }

  private static BehaviorEvent view(String id, long user, long time, long item) {
    return BehaviorEvent.newBuilder()
        .setEventId(id)
        .setUserId(user)
        .setEventTime(Instant.ofEpochMilli(time))
        .setDomain(Domain.CONTENT)
        .setActionType(ActionType.VIEW)
        .setItem(item(item))
        .build();
  }

  private static BehaviorEvent behavior(
      String id, long user, long time, ActionType action, long item, String requestId) {
    return BehaviorEvent.newBuilder()
        .setEventId(id)
        .setUserId(user)
        .setEventTime(Instant.ofEpochMilli(time))
        .setDomain(Domain.AD)
        .setActionType(action)
        .setRequestId(requestId)
        .setItem(item(item))
        .build();
  }

  private static void send(String topic, List<BehaviorEvent> events) {
    AvroCodec<BehaviorEvent> codec = AvroCodec.behaviorEvents();
    try (KafkaProducer<byte[], byte[]> producer =
        KafkaClients.producer(KAFKA.broker().bootstrapServers())) {
      List<Future<RecordMetadata>> sends = new ArrayList<>();
      for (BehaviorEvent e : events) {
        sends.add(KafkaClients.send(producer, topic, key(e.getUserId()), codec.encode(e)));
      }
      KafkaClients.awaitAll(sends);
    }
  }

  private static int probes;

  /** One probe of {@code user} at {@code time}, and its response. */
  private static ProbeResponse probeOnce(Topics topics, long user, long time) throws Exception {
    String id = "probe-" + user + "-" + probes++;
    AdRequest request =
        AdRequest.newBuilder()
            .setRequestId(id)
            .setModelVariant(TrajectoryFunction.PROBE_VARIANT)
            .setUserId(user)
            .setRequestTime(Instant.ofEpochMilli(time))
            .setCandidates(List.of(item(200), item(150)))
            .build();
    try (KafkaProducer<byte[], byte[]> producer =
            KafkaClients.producer(KAFKA.broker().bootstrapServers());
        KafkaConsumer<byte[], byte[]> consumer =
            KafkaClients.committedReader(KAFKA.broker().bootstrapServers())) {
      consumer.subscribe(List.of(topics.probes));
      KafkaClients.awaitAll(
          List.of(
              KafkaClients.send(
                  producer, topics.requests, key(user), AvroCodec.adRequests().encode(request))));
      AvroCodec<ProbeResponse> codec = AvroCodec.probeResponses();
      for (ConsumerRecord<byte[], byte[]> r :
          KafkaClients.pollUntil(
              consumer,
              got ->
                  got.stream()
                      .anyMatch(r -> new String(r.key(), StandardCharsets.UTF_8).equals(id)),
              DEADLINE)) {
        ProbeResponse response = codec.decode(r.value());
        if (response.getRequestId().equals(id)) {
          return response;
        }
      }
    }
    throw new AssertionError("no answer to probe " + id + " within " + DEADLINE);
  }

  /** Probes {@code user} until its trajectory holds {@code expected} behaviors. */
  private static ProbeResponse probeUntil(Topics topics, long user, int expected, long time)
      throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    ProbeResponse last = null;
    while (System.nanoTime() < deadline) {
      last = probeOnce(topics, user, time);
      if (last.getTrajectoryLength() == expected) {
        return last;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "user " + user + " never reached " + expected + " behaviors; last probe saw " + last);
  }

  private static List<ModelUpdate> readUpdates(
      Topics topics, java.util.function.Predicate<List<ModelUpdate>> done) {
    List<ModelUpdate> read = readUpdates(topics, done, DEADLINE);
    assertThat(done).as("model updates read: %s", versions(read)).accepts(read);
    return read;
  }

  /** The committed model updates, in the order published, once {@code done} holds for them. */
  private static List<ModelUpdate> readUpdates(
      Topics topics, java.util.function.Predicate<List<ModelUpdate>> done, Duration timeout) {
    AvroCodec<ModelUpdate> codec = AvroCodec.modelUpdates();
    List<ModelUpdate> read = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        KafkaClients.committedReader(KAFKA.broker().bootstrapServers())) {
      consumer.subscribe(List.of(topics.models));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!done.test(read) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          try {
            read.add(codec.decode(r.value()));
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        }
      }
    }
    return read;
  }

  private static List<String> versions(List<ModelUpdate> updates) {
    return updates.stream().map(u -> u.getRunEpoch() + "/" + u.getVersion()).toList();
  }

  private static byte[] key(long user) {
    return Long.toString(user).getBytes(StandardCharsets.UTF_8);
  }
}
