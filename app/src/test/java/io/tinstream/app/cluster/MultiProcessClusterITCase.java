package io.tinstream.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.app.cli.TinstreamCli;
import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.ProbeResponse;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.schemas.TrainingExample;
import io.tinstream.streaming.JobSettings;
import io.tinstream.streaming.TinstreamOptions;
import io.tinstream.streaming.kafka.EmbeddedKafka;
import io.tinstream.streaming.kafka.KafkaClients;
import io.tinstream.streaming.trajectory.TaxonomyFile;
import io.tinstream.streaming.trajectory.TrajectoryFunction;
import io.tinstream.training.data.SyntheticFeed;
import io.tinstream.training.data.SyntheticTaxonomy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job on a real multi-process Flink cluster: a JobManager and two TaskManagers, each its own
 * JVM started from the project's classpath (TF Java on the cluster's classpath, parent-first, as
 * docker-compose.yml's {@code lib/}), the job jar submitted over the REST API, Kafka in this JVM.
 * While behaviors and ad requests flow, one TaskManager is killed with {@code kill -9} and a
 * replacement started; the job restores from its last checkpoint onto the survivor and the
 * replacement. Then: every request answered (at least once, repeats agree), no behavior lost or
 * stored twice (each user probed), every closed impression's example exactly once, the model
 * resumed from its checkpointed weights and goes on, and the restarted tasks (TF's native library
 * loaded again in the survivor, for the first time in the replacement) run.
 *
 * <p>Cluster logs: {@code app/target/cluster-it/run-*} (one file per process), kept when the test
 * fails.
 */
class MultiProcessClusterITCase {

  private static final int USERS = 40;
  private static final long EVENTS = 16_000;
  private static final int CANDIDATES = 5;
  private static final Duration ATTRIBUTION_WINDOW = Duration.ofMinutes(5);
  // Generous: each wait ends as soon as its condition holds; a busy CI machine just takes longer.
  private static final Duration DEADLINE = Duration.ofSeconds(150);
  private static final String ENTRY_CLASS = TinstreamCli.class.getName();

  private static EmbeddedKafka kafka;
  private static FlinkProcessCluster cluster;

  /** Set once every check passed: the run's directory (logs, checkpoints, blobs) goes then. */
  private static Path passedRun;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopAll() {
    if (cluster != null) {
      cluster.close();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (passedRun != null) {
      try (java.util.stream.Stream<Path> files = Files.walk(passedRun)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  @Test
  void survivesKillMinus9OfATaskManagerWithBehaviorsAndRequestsInFlight() throws Exception {
    long started = System.nanoTime();
    Path dir = Files.createDirectories(Path.of("target", "cluster-it").toAbsolutePath());
    Path run = Files.createTempDirectory(dir, "run-");
    ClusterClasspath classpath = ClusterClasspath.ofThisJvm();

    List<String> topics =
        List.of("behaviors", "requests", "scores", "examples", "updates", "probes", "dlq");
    kafka.createTopics(2, topics);
    SyntheticTaxonomy taxonomy = SyntheticFeed.defaultTaxonomy();
    List<BehaviorEvent> events = new ArrayList<>();
    new SyntheticFeed(SyntheticFeed.Config.defaults(USERS, EVENTS, 13), taxonomy)
        .forEachRemaining(events::add);
    List<BehaviorEvent> firstHalf = events.subList(0, events.size() / 2);
    List<BehaviorEvent> secondHalf = events.subList(events.size() / 2, events.size());
    send("behaviors", firstHalf);
    Path taxonomyFile = run.resolve("taxonomy.csv");
    TaxonomyFile.write(taxonomyFile, taxonomy.entries());
    Map<String, String> job = jobSettings(run, taxonomyFile);

    cluster =
        FlinkProcessCluster.start(
            run,
            classpath.clusterClasspath(),
            Map.ofEntries(
                Map.entry("jobmanager.memory.process.size", "1g"),
                Map.entry("taskmanager.memory.process.size", "1280m"),
                Map.entry("taskmanager.memory.managed.fraction", "0.2"),
                // One slot each: the job (parallelism 2) spans both TaskManagers, and after the
                // kill it needs the survivor and the replacement.
                Map.entry("taskmanager.numberOfTaskSlots", "1"),
                // A killed TaskManager is noticed within seconds: heartbeats every second, two
                // refused in a row mark it unreachable. The timeout (for a silent one) and the
                // RPC timeouts stay long: on a loaded CI machine a live JVM can stall for seconds.
                Map.entry("heartbeat.interval", "1000"),
                Map.entry("heartbeat.timeout", "20000"),
                Map.entry("pekko.startup-timeout", "60 s"),
                Map.entry("pekko.ask.timeout", "60 s")));
    cluster.startTaskManager("tm-1");
    cluster.startTaskManager("tm-2");
    FlinkRest rest = new FlinkRest(cluster.restAddress());
    await(
        () -> unchecked(() -> rest.taskManagers().equals(Set.of("tm-1", "tm-2"))),
        "two TaskManagers registered");

    phase(started, "cluster up: JobManager, tm-1, tm-2");
    Path jar = JobJar.write(run.resolve("tinstream-job.jar"), classpath, ENTRY_CLASS);
    List<String> args = new ArrayList<>(List.of("job"));
    job.forEach((k, v) -> args.addAll(List.of("-D", k + "=" + v)));
    String jobId;
    try {
      jobId = rest.runJar(rest.uploadJar(jar), ENTRY_CLASS, args);
    } catch (java.io.IOException e) {
      throw new AssertionError(
          "submitting the job jar failed"
              + (cluster.isAlive("jobmanager")
                  ? ""
                  : " and the JobManager exited (System.exit in the job's main?)")
              + "; log: "
              + cluster.log("jobmanager"),
          e);
    }
    await(
        () -> unchecked(() -> rest.allTasksRunning(jobId)),
        "job " + jobId + " running",
        () -> rest.describe(jobId));
    phase(
        started,
        "job " + jobId + " submitted over REST, every task running: " + rest.describe(jobId));
    try {
      Map<String, List<ScoreResponse>> answers = new HashMap<>();
      try (KafkaConsumer<byte[], byte[]> scores = KafkaClients.committedReader(bootstrap());
          KafkaConsumer<byte[], byte[]> updatesTopic = KafkaClients.committedReader(bootstrap())) {
        scores.subscribe(List.of("scores"));
        updatesTopic.subscribe(List.of("updates"));
        Traffic beforeCrash = traffic(List.of(), "before-", 0);
        beforeCrash.requestsFor(firstHalf.subList(firstHalf.size() - 5, firstHalf.size()));
        Set<String> before = beforeCrash.requestsSent();
        // A model serves before the crash, and updates a checkpoint committed are on the topic:
        // the crash restores the trainer from a checkpoint instead of starting it afresh.
        collect(scores, answers, before, r -> r.getModelVersion() > 0);
        ModelUpdatesAcrossRestart updates = new ModelUpdatesAcrossRestart("tin", updatesTopic);
        updates.pollUntil(updates::anyRead, DEADLINE);
        assertThat(updates.anyRead()).as("model updates committed before the crash").isTrue();

        phase(started, "a model serves, its updates are committed");
        Traffic traffic = traffic(secondHalf, "flow-", 150);
        Thread flowing = new Thread(traffic, "traffic");
        flowing.start();
        await(() -> traffic.chunksSent() >= traffic.chunks() / 3, "a third of the traffic sent");
        Set<String> tasksOn = rest.taskManagersOf(jobId);
        assertThat(tasksOn).as("TaskManagers running the job's tasks").contains("tm-1");
        int exit = cluster.kill9("tm-1");
        assertThat(exit).as("exit status of the killed TaskManager (SIGKILL)").isEqualTo(137);
        int sentAtKill = traffic.chunksSent();
        phase(started, "kill -9 tm-1 at traffic chunk " + sentAtKill + " of " + traffic.chunks());
        cluster.startTaskManager("tm-3");
        flowing.join(DEADLINE.toMillis());
        assertThat(traffic.failure()).as("traffic").isNull();
        assertThat(traffic.isDone()).isTrue();
        assertThat(sentAtKill).as("traffic still flowing at the kill").isLessThan(traffic.chunks());

        await(
            () ->
                unchecked(
                    () ->
                        rest.allTasksRunning(jobId)
                            && rest.taskManagersOf(jobId).equals(Set.of("tm-2", "tm-3"))),
            "job running again on the survivor and the replacement",
            () -> rest.describe(jobId));
        phase(started, "job running again on tm-2 and tm-3");
        Traffic afterwards = traffic(List.of(), "after-", 0);
        afterwards.requestsFor(secondHalf.subList(secondHalf.size() - 5, secondHalf.size()));

        Set<String> all = new HashSet<>(before);
        all.addAll(traffic.requestsSent());
        all.addAll(afterwards.requestsSent());
        collect(scores, answers, all, r -> true);
        assertEveryRequestAnsweredAlike(answers, all);
        phase(
            started,
            all.size()
                + " requests answered, "
                + answers.values().stream().mapToInt(List::size).sum()
                + " responses");
        updates.pollUntilRestoredAndFollowedBy(2, DEADLINE);
        long restored = updates.restoredVersion();
        assertThat(afterwards.requestsSent())
            .allSatisfy(
                id ->
                    assertThat(answers.get(id).get(0).getModelVersion())
                        .as("model version answering %s after the restore", id)
                        .isGreaterThanOrEqualTo(restored));
        updates.assertResumedFromTheCheckpointedWeights(
            JobSettings.from(job).models().orElseThrow(), events);
        phase(started, "trainer resumed from version " + restored + " with its weights");
      }
      assertEveryUserHoldsEachBehaviorOnce(events);
      phase(started, USERS + " users probed: every behavior held once");
      assertEveryClosedImpressionLabelledOnce(events);
      phase(started, "every closed impression's example exactly once");
      for (String tm : List.of("tm-2", "tm-3")) {
        assertThat(Files.readString(cluster.log(tm)))
            .as("log of %s", tm)
            .doesNotContain("UnsatisfiedLinkError")
            .doesNotContain("already loaded in another classloader");
      }
      passedRun = run;
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(
          e.getMessage()
              + "\njob: "
              + rest.describe(jobId)
              + "\nprocesses: "
              + cluster.summary()
              + "\nlogs: "
              + run,
          e);
    } finally {
      rest.cancel(jobId);
    }
  }

  /**
   * The job's settings: this test's topics, small batches, frequent checkpoints, quick restarts.
   */
  private static Map<String, String> jobSettings(Path run, Path taxonomyFile) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put(TinstreamOptions.BOOTSTRAP_SERVERS.key(), bootstrap());
    s.put(TinstreamOptions.GROUP_ID.key(), "cluster-it");
    s.put(TinstreamOptions.BEHAVIORS_TOPIC.key(), "behaviors");
    s.put(TinstreamOptions.REQUESTS_TOPIC.key(), "requests");
    s.put(TinstreamOptions.SCORES_TOPIC.key(), "scores");
    s.put(TinstreamOptions.EXAMPLES_TOPIC.key(), "examples");
    s.put(TinstreamOptions.MODEL_UPDATES_TOPIC.key(), "updates");
    s.put(TinstreamOptions.PROBE_TOPIC.key(), "probes");
    s.put(TinstreamOptions.DEAD_LETTER_TOPIC.key(), "dlq");
    s.put(TinstreamOptions.TAXONOMY_TOPIC.key(), "");
    s.put(TinstreamOptions.TAXONOMY_FILE.key(), taxonomyFile.toString());
    s.put(TinstreamOptions.MODEL_VARIANTS.key(), "tin");
    s.put(TinstreamOptions.MODEL_SEED.key(), "7");
    s.put(TinstreamOptions.SEARCH_K.key(), "32");
    s.put(TinstreamOptions.ATTRIBUTION_WINDOW.key(), ATTRIBUTION_WINDOW.toMinutes() + " min");
    s.put(TinstreamOptions.TRAIN_BATCH_SIZE.key(), "128");
    s.put(TinstreamOptions.TRAIN_BATCH_DEADLINE.key(), "300 ms");
    s.put(TinstreamOptions.FULL_SNAPSHOT_EVERY.key(), "10");
    // Every trained version published, so the checkpointed one is on the topic to compare with.
    s.put(TinstreamOptions.PUBLISH_EVERY.key(), "0 ms");
    s.put(TinstreamOptions.SCORE_BATCH_CANDIDATES.key(), "64");
    s.put(TinstreamOptions.SCORE_BATCH_DEADLINE.key(), "20 ms");
    s.put(TinstreamOptions.SCORER_PARALLELISM.key(), "1");
    // Every answer of a request must be a score, also one answered again after the restore (the
    // source replays from the checkpoint), seconds after it was produced: no request deadline.
    s.put(TinstreamOptions.REQUEST_DEADLINE.key(), "10 min");
    s.put(TinstreamOptions.CACHE_ROWS.key(), "100000");
    s.put(TinstreamOptions.PARALLELISM.key(), "2");
    s.put(TinstreamOptions.CHECKPOINT_DIR.key(), run.resolve("checkpoints").toUri().toString());
    s.put(TinstreamOptions.CHECKPOINT_INTERVAL.key(), "1 s");
    s.put(TinstreamOptions.RESTART_DELAY.key(), "1 s");
    return s;
  }

  /** Progress on stdout, so a slow run shows where its time went. */
  private static void phase(long started, String what) {
    System.out.printf("cluster-it %5.1f s  %s%n", (System.nanoTime() - started) / 1e9, what);
  }

  private static String bootstrap() {
    return kafka.bootstrapServers();
  }

  private static Traffic traffic(List<BehaviorEvent> events, String prefix, long pauseMillis) {
    return new Traffic(
        bootstrap(),
        "behaviors",
        "requests",
        events,
        Math.max(1, events.size() / 60),
        pauseMillis,
        SyntheticFeed.defaultTaxonomy(),
        CANDIDATES,
        prefix);
  }

  /**
   * Reads score responses until every id in {@code expected} has one that {@code wanted} accepts.
   * Scores are at-least-once: after the restore a request may be answered again.
   */
  private static void collect(
      KafkaConsumer<byte[], byte[]> consumer,
      Map<String, List<ScoreResponse>> answers,
      Set<String> expected,
      java.util.function.Predicate<ScoreResponse> wanted)
      throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (System.nanoTime() < deadline
        && !expected.stream()
            .allMatch(id -> answers.getOrDefault(id, List.of()).stream().anyMatch(wanted))) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
        ScoreResponse response = AvroCodec.scoreResponses().decode(r.value());
        answers
            .computeIfAbsent(response.getRequestId().toString(), id -> new ArrayList<>())
            .add(response);
      }
    }
    Set<String> missing = new HashSet<>(expected);
    missing.removeIf(id -> answers.getOrDefault(id, List.of()).stream().anyMatch(wanted));
    assertThat(missing).as("requests without an answer").isEmpty();
  }

  /** At least one response per request id, and every response of an id says the same. */
  private static void assertEveryRequestAnsweredAlike(
      Map<String, List<ScoreResponse>> answers, Set<String> sent) {
    assertThat(answers.keySet()).as("answered request ids").containsAll(sent);
    for (String id : sent) {
      List<ScoreResponse> rs = answers.get(id);
      ScoreResponse first = rs.get(0);
      assertThat(rs)
          .as("responses of %s", id)
          .allSatisfy(
              r -> {
                assertThat(r.getError()).isNull();
                assertThat(r.getUserId()).isEqualTo(first.getUserId());
                assertThat(r.getModelVariant()).isEqualTo("tin");
                assertThat(r.getScores()).hasSize(CANDIDATES).allMatch(s -> s >= 0 && s <= 1);
              });
    }
  }

  /**
   * Probes every user until its trajectory holds as many behaviors as the feed sent it: fewer would
   * be a loss, more a behavior stored twice (the source replays from the checkpoint).
   */
  private static void assertEveryUserHoldsEachBehaviorOnce(List<BehaviorEvent> events)
      throws Exception {
    Map<Long, Set<String>> expected = new HashMap<>();
    Map<Long, Long> lastTime = new HashMap<>();
    for (BehaviorEvent e : events) {
      expected.computeIfAbsent(e.getUserId(), u -> new HashSet<>()).add(e.getEventId());
      lastTime.merge(e.getUserId(), e.getEventTime().toEpochMilli(), Math::max);
    }
    SyntheticTaxonomy taxonomy = SyntheticFeed.defaultTaxonomy();
    Map<Long, Integer> seen = new HashMap<>();
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    int round = 0;
    try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap());
        KafkaConsumer<byte[], byte[]> consumer = KafkaClients.committedReader(bootstrap())) {
      consumer.subscribe(List.of("probes"));
      while (System.nanoTime() < deadline
          && !expected.keySet().stream()
              .allMatch(u -> seen.getOrDefault(u, -1) == expected.get(u).size())) {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (long user : expected.keySet()) {
          if (seen.getOrDefault(user, -1) == expected.get(user).size()) {
            continue;
          }
          AdRequest probe =
              AdRequest.newBuilder()
                  .setRequestId("probe-" + user + "-" + round)
                  .setModelVariant(TrajectoryFunction.PROBE_VARIANT)
                  .setUserId(user)
                  .setRequestTime(Instant.ofEpochMilli(lastTime.get(user) + 1))
                  .setScenario(0)
                  .setCandidates(List.of(taxonomy.fullItem(1)))
                  .build();
          sends.add(
              KafkaClients.send(
                  producer, "requests", Traffic.key(user), AvroCodec.adRequests().encode(probe)));
        }
        KafkaClients.awaitAll(sends);
        round++;
        long roundEnd = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < roundEnd) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            ProbeResponse p = AvroCodec.probeResponses().decode(r.value());
            seen.put(p.getUserId(), p.getTrajectoryLength());
            assertThat(p.getTrajectoryLength())
                .as(
                    "behaviors held for user %d (sent %d)",
                    p.getUserId(), expected.get(p.getUserId()).size())
                .isLessThanOrEqualTo(expected.get(p.getUserId()).size());
          }
        }
      }
    }
    for (long user : expected.keySet()) {
      assertThat(seen.get(user))
          .as("behaviors held for user %d", user)
          .isEqualTo(expected.get(user).size());
    }
  }

  /**
   * Every impression whose attribution window closed well before the last event is in the examples
   * topic exactly once, across the crash.
   */
  private static void assertEveryClosedImpressionLabelledOnce(List<BehaviorEvent> events)
      throws Exception {
    long last = events.stream().mapToLong(e -> e.getEventTime().toEpochMilli()).max().orElseThrow();
    Set<String> mustExist = new HashSet<>();
    for (BehaviorEvent e : events) {
      if (e.getActionType() == ActionType.IMPRESSION
          && e.getEventTime().toEpochMilli() + ATTRIBUTION_WINDOW.toMillis()
              < last - Duration.ofMinutes(10).toMillis()) {
        mustExist.add(e.getEventId());
      }
    }
    assertThat(mustExist).isNotEmpty();
    Map<String, Integer> seen = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.committedReader(bootstrap())) {
      consumer.subscribe(List.of("examples"));
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (!seen.keySet().containsAll(mustExist) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          TrainingExample example = AvroCodec.trainingExamples().decode(r.value());
          seen.merge(example.getExampleId().toString(), 1, Integer::sum);
        }
      }
      // What a duplicate would need to show up: one more poll past the last expected example.
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(2))) {
        seen.merge(
            AvroCodec.trainingExamples().decode(r.value()).getExampleId().toString(),
            1,
            Integer::sum);
      }
    }
    assertThat(seen.keySet()).as("closed impressions labelled").containsAll(mustExist);
    assertThat(seen.entrySet())
        .as("examples written more than once")
        .allMatch(e -> e.getValue() == 1);
  }

  private static void send(String topic, List<BehaviorEvent> events) {
    AvroCodec<BehaviorEvent> codec = AvroCodec.behaviorEvents();
    try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap())) {
      List<Future<RecordMetadata>> sends = new ArrayList<>();
      for (BehaviorEvent e : events) {
        sends.add(KafkaClients.send(producer, topic, Traffic.key(e.getUserId()), codec.encode(e)));
      }
      KafkaClients.awaitAll(sends);
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    await(condition, what, () -> "");
  }

  private static void await(BooleanSupplier condition, String what, Supplier<String> diagnosis)
      throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "not within "
                + DEADLINE.toSeconds()
                + " s: "
                + what
                + "; "
                + diagnosis.get()
                + "; processes: "
                + cluster.summary()
                + "; cluster logs: "
                + cluster.directory());
      }
      Thread.sleep(250);
    }
  }

  private interface Check {
    boolean test() throws Exception;
  }

  private static boolean unchecked(Check check) {
    try {
      return check.test();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      return false;
    }
  }
}
