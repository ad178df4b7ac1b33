package io.tinstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.app.feed.ServedImpressions;
import io.tinstream.app.monitor.FlinkRestMonitor;
import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;
import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.schemas.TrainingExample;
import io.tinstream.schemas.UpdateKind;
import io.tinstream.streaming.JobEnvironment;
import io.tinstream.streaming.JobMetrics;
import io.tinstream.streaming.JobSettings;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.streaming.TinstreamJob;
import io.tinstream.streaming.TinstreamOptions;
import io.tinstream.streaming.kafka.EmbeddedKafka;
import io.tinstream.streaming.kafka.KafkaClients;
import io.tinstream.streaming.trajectory.TaxonomyFile;
import io.tinstream.training.data.SyntheticFeed;
import io.tinstream.training.data.SyntheticTaxonomy;
import io.tinstream.training.features.BatchBuilder;
import io.tinstream.training.features.BatchTarget;
import io.tinstream.training.features.RowHistory;
import io.tinstream.training.versions.Follows;
import io.tinstream.training.versions.ModelLineage;
import io.tinstream.training.versions.ModelReplica;
import io.tinstream.training.versions.UpdateVerdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole product on a MiniCluster with RocksDB and an in-process broker: behaviors with planted
 * interests stream in, impressions are joined with clicks, TIN trains online and scores requests.
 */
class OnlineITCase {

  private static final int USERS = 100;
  private static final long EVENTS = 40_000;
  private static final int CANDIDATES = 10;
  // Generous: the test ends as soon as its conditions hold; a busy CI machine just takes longer.
  private static final Duration DEADLINE = Duration.ofSeconds(300);

  /**
   * The feed's click is the user's next event, a round (one minute of event time) after its
   * impression; examples leave at their window's end, so a short window keeps them flowing.
   */
  private static final Duration ATTRIBUTION_WINDOW = Duration.ofMinutes(5);

  /**
   * Well above chance (0.5), below what the test's feed allows: its 40,000 events give tin some
   * 12,000 examples, so its clicks follow the category signal alone (see {@link
   * #plantedInterests}).
   */
  private static final double LEARNED_AUC = 0.65;

  /** Share of the feed's impressions the test's ad server asks scores for before they are shown. */
  private static final double SERVED_SHARE = 0.1;

  private static final int LREA_LENGTH = 256;

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  // A broker per test: the first test leaves megabytes of model snapshots and open transactions
  // behind that the second has no business sharing.
  private static EmbeddedKafka kafka;

  @BeforeEach
  void startKafka() throws Exception {
    kafka = EmbeddedKafka.start();
  }

  @AfterEach
  void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  /**
   * Cancels the test's job and waits until it has ended, so its sinks never outlive the broker
   * (closed after each test) and hang in a transaction abort.
   */
  private static void stop(Run run) throws Exception {
    run.job().cancel().get();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!run.job().getJobStatus().get().isGloballyTerminalState()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the job did not end within 60 s of its cancellation");
      }
      Thread.sleep(100);
    }
  }

  /** Topics and the job of one test. */
  private record Run(
      String behaviors,
      String requests,
      String scores,
      String examples,
      String updates,
      JobSettings settings,
      JobClient job) {}

  /** The synthetic feed's taxonomy as a file in the checkpoint directory (known from the start). */
  private static Path taxonomyFile(Path checkpoints) throws java.io.IOException {
    Path file = checkpoints.resolve("taxonomy.csv");
    TaxonomyFile.write(file, SyntheticFeed.defaultTaxonomy().entries());
    return file;
  }

  private Run start(Path checkpoints, List<BehaviorEvent> events) throws Exception {
    return start(checkpoints, events, List.of("tin"));
  }

  private Run start(Path checkpoints, List<BehaviorEvent> events, List<String> variants)
      throws Exception {
    return start(checkpoints, events, variants, conf -> {});
  }

  private Run start(
      Path checkpoints,
      List<BehaviorEvent> events,
      List<String> variants,
      java.util.function.Consumer<Configuration> tweak)
      throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String updates = "updates-" + id;
    Run topics =
        new Run(
            "behaviors-" + id,
            "requests-" + id,
            "scores-" + id,
            "examples-" + id,
            updates,
            null,
            null);
    String dlq = "dlq-" + id;
    kafka.createTopics(
        2,
        List.of(
            topics.behaviors(),
            topics.requests(),
            topics.scores(),
            topics.examples(),
            updates,
            dlq));
    send(topics.behaviors(), events);

    Configuration conf = new Configuration();
    conf.set(TinstreamOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    conf.set(TinstreamOptions.GROUP_ID, "it-" + id);
    conf.set(TinstreamOptions.BEHAVIORS_TOPIC, topics.behaviors());
    conf.set(TinstreamOptions.REQUESTS_TOPIC, topics.requests());
    conf.set(TinstreamOptions.SCORES_TOPIC, topics.scores());
    conf.set(TinstreamOptions.EXAMPLES_TOPIC, topics.examples());
    conf.set(TinstreamOptions.MODEL_UPDATES_TOPIC, updates);
    conf.set(TinstreamOptions.DEAD_LETTER_TOPIC, dlq);
    conf.set(TinstreamOptions.PROBE_TOPIC, "");
    conf.set(TinstreamOptions.TAXONOMY_TOPIC, "");
    conf.set(TinstreamOptions.TAXONOMY_FILE, taxonomyFile(checkpoints).toString());
    conf.set(TinstreamOptions.MODEL_VARIANTS, String.join(",", variants));
    conf.set(TinstreamOptions.MODEL_SEED, 7L);
    conf.set(TinstreamOptions.SEARCH_K, 32);
    conf.set(TinstreamOptions.LREA_MAX_LENGTH, LREA_LENGTH);
    conf.set(TinstreamOptions.LREA_RANK, 16);
    conf.set(TinstreamOptions.LREA_REBUILD_AFTER, 16);
    conf.set(TinstreamOptions.ATTRIBUTION_WINDOW, ATTRIBUTION_WINDOW);
    conf.set(TinstreamOptions.TRAIN_BATCH_SIZE, 128);
    conf.set(TinstreamOptions.TRAIN_BATCH_DEADLINE, Duration.ofMillis(300));
    conf.set(TinstreamOptions.FULL_SNAPSHOT_EVERY, 10);
    conf.set(TinstreamOptions.SCORE_BATCH_CANDIDATES, 64);
    conf.set(TinstreamOptions.SCORE_BATCH_DEADLINE, Duration.ofMillis(20));
    conf.set(TinstreamOptions.MAX_MODEL_WAIT, Duration.ofSeconds(60));
    // Every request here must get a score: those sent at the start wait for the first model, and
    // on the test's two cores that can take longer than the default request deadline.
    conf.set(TinstreamOptions.REQUEST_DEADLINE, Duration.ofMinutes(10));
    // Nor may they be refused while they wait: the ad server's requests share the queue, and how
    // many arrive before the first model depends on the machine (the bound itself is tested in
    // MicroBatchScorerTest).
    conf.set(TinstreamOptions.MAX_WAITING_FOR_MODEL, 100_000);
    conf.set(TinstreamOptions.SCORER_PARALLELISM, 1);
    conf.set(TinstreamOptions.PARALLELISM, 2);
    conf.set(TinstreamOptions.CHECKPOINT_DIR, checkpoints.toUri().toString());
    conf.set(TinstreamOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
    tweak.accept(conf);
    JobSettings settings = JobSettings.from(conf);
    StreamExecutionEnvironment env = JobEnvironment.submitted(settings);
    TinstreamJob.of(settings).addTo(env);
    JobClient client = env.executeAsync("online-it");
    return new Run(
        topics.behaviors(),
        topics.requests(),
        topics.scores(),
        topics.examples(),
        updates,
        settings,
        client);
  }

  @Test
  void learnsOnlineAndAnswersEveryRequestOnceWithAdvancingVersions(
      @TempDir Path checkpoints, @InjectMiniCluster MiniCluster cluster) throws Exception {
    SyntheticTaxonomy taxonomy = SyntheticFeed.defaultTaxonomy();
    SyntheticFeed feed = new SyntheticFeed(plantedInterests(11), taxonomy);
    List<BehaviorEvent> events = drain(feed);
    ServedImpressions ads =
        new ServedImpressions(SERVED_SHARE, List.of(), e -> List.of(e.getItem()));
    List<AdRequest> served = events.stream().flatMap(e -> ads.requestBefore(e).stream()).toList();
    Set<String> servedIds = new HashSet<>();
    served.forEach(r -> servedIds.add(r.getRequestId().toString()));
    Run run =
        start(
            checkpoints,
            events,
            List.of("tin"),
            // A minimum per class the test's few served ads reach within the AUC's window.
            conf -> conf.set(TinstreamOptions.AUC_MIN_PER_CLASS, 50));
    sendRequests(run.requests(), served);
    try {
      FlinkRestMonitor monitor =
          new FlinkRestMonitor(cluster.getRestAddress().get().toString(), run.job().getJobID());
      Set<String> sent = new HashSet<>();
      Map<String, ScoreResponse> answers = new HashMap<>();
      List<Long> versions = new ArrayList<>();
      // The best progressive AUC reported so far: the window follows the stream, and once the feed
      // is consumed it empties (NaN), so the last reading alone can miss what was learned.
      double auc = Double.NaN;
      long started = System.nanoTime();
      // The served AUC and its sample count, as last reported while it was known.
      double servedAuc = Double.NaN;
      double servedSamples = 0;
      String servedAucName = JobMetrics.ofVariant("tin", JobMetrics.SERVED_AUC);
      String servedSamplesName = JobMetrics.ofVariant("tin", JobMetrics.SERVED_SAMPLES);
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      SplittableRandom random = new SplittableRandom(5);
      try (KafkaConsumer<byte[], byte[]> consumer =
          KafkaClients.committedReader(kafka.bootstrapServers())) {
        consumer.subscribe(List.of(run.scores()));
        while (System.nanoTime() < deadline
            && !(auc > LEARNED_AUC
                && sent.size() >= 30
                && answers.size() == sent.size()
                && Double.isFinite(servedAuc))) {
          if (sent.size() < 60) {
            sent.add(sendRequest(run.requests(), random, taxonomy, events, sent.size()));
          }
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            ScoreResponse response = AvroCodec.scoreResponses().decode(r.value());
            if (servedIds.contains(response.getRequestId().toString())) {
              continue; // the ad server's own requests, before its impressions
            }
            assertThat(answers.put(response.getRequestId(), response))
                .as("second response for %s", response.getRequestId())
                .isNull();
            versions.add(response.getModelVersion());
          }
          double now =
              monitor
                  .operatorMetrics(
                      JobMetrics.TRAINER_OPERATOR,
                      List.of(JobMetrics.ofVariant("tin", JobMetrics.ONLINE_AUC)))
                  .get(JobMetrics.ofVariant("tin", JobMetrics.ONLINE_AUC));
          if (Double.isFinite(now) && !(now <= auc)) {
            auc = now;
          }
          Map<String, Double> joined =
              monitor.operatorMetrics(
                  JobMetrics.SERVED_AUC_OPERATOR, List.of(servedAucName, servedSamplesName), "max");
          if (Double.isFinite(joined.get(servedAucName))) {
            servedAuc = joined.get(servedAucName);
            servedSamples = joined.get(servedSamplesName);
          }
        }
      }
      System.out.printf(
          "learned: progressive AUC %.3f, served AUC %.3f of %.0f, after %d s%n",
          auc, servedAuc, servedSamples, (System.nanoTime() - started) / 1_000_000_000L);
      assertThat(auc).as("online (progressive) AUC of tin").isGreaterThan(LEARNED_AUC);
      // The scores served before the impressions met the impressions' labels in the job.
      assertThat(servedSamples).as("served impressions joined with labels").isGreaterThan(100);
      assertThat(servedAuc).as("served AUC of tin").isBetween(0.0, 1.0);
      assertThat(answers.keySet()).isEqualTo(sent);
      assertThat(answers.values())
          .allSatisfy(
              r -> {
                assertThat(r.getError()).isNull();
                assertThat(r.getScores()).hasSize(CANDIDATES).allMatch(s -> s >= 0 && s <= 1);
                assertThat(r.getModelVariant()).isEqualTo("tin");
              });
      assertThat(versions.get(versions.size() - 1)).isGreaterThan(versions.get(0));
    } finally {
      stop(run);
    }
  }

  private void sendRequests(String topic, List<AdRequest> requests) {
    try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers())) {
      List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sends =
          new ArrayList<>();
      for (AdRequest r : requests) {
        sends.add(
            KafkaClients.send(
                producer,
                topic,
                Long.toString(r.getUserId()).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                AvroCodec.adRequests().encode(r)));
      }
      KafkaClients.awaitAll(sends);
    }
  }

  @Test
  void recoversFromATaskManagerCrashLosingNothingAndDuplicatingNoExample(
      @TempDir Path checkpoints, @InjectMiniCluster MiniCluster cluster) throws Exception {
    SyntheticTaxonomy taxonomy = SyntheticFeed.defaultTaxonomy();
    List<BehaviorEvent> events =
        drain(new SyntheticFeed(SyntheticFeed.Config.defaults(USERS, EVENTS, 13), taxonomy));
    List<BehaviorEvent> firstHalf = events.subList(0, events.size() / 2);
    // Every trained version published (no throttle), so the checkpointed version is on the topic
    // and what the trainer resumed from can be compared with what it published before the crash.
    Run run =
        start(
            checkpoints,
            firstHalf,
            List.of("tin"),
            conf -> conf.set(TinstreamOptions.PUBLISH_EVERY, Duration.ZERO));
    SplittableRandom random = new SplittableRandom(9);
    Map<String, ScoreResponse> answers = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> scores =
            KafkaClients.committedReader(kafka.bootstrapServers());
        KafkaConsumer<byte[], byte[]> modelUpdates =
            KafkaClients.committedReader(kafka.bootstrapServers())) {
      scores.subscribe(List.of(run.scores()));
      modelUpdates.subscribe(List.of(run.updates()));
      Set<String> before = new HashSet<>();
      for (int i = 0; i < 10; i++) {
        before.add(sendRequest(run.requests(), random, taxonomy, firstHalf, i));
      }
      collect(scores, answers, before);
      long versionBefore =
          answers.values().stream().mapToLong(ScoreResponse::getModelVersion).max().orElseThrow();
      assertThat(versionBefore).as("a model was serving before the crash").isPositive();
      // Model updates are readable once a checkpoint covering them completed: the crash then
      // restores the trainer from a checkpoint rather than starting it afresh.
      UpdatesRead updates = new UpdatesRead(modelUpdates);
      updates.pollUntil(u -> !u.all.isEmpty());
      assertThat(updates.all).as("model updates committed before the crash").isNotEmpty();

      cluster.terminateTaskManager(0).get();
      cluster.startTaskManager();
      send(run.behaviors(), events.subList(events.size() / 2, events.size()));

      Set<String> after = new HashSet<>();
      for (int i = 10; i < 20; i++) {
        after.add(sendRequest(run.requests(), random, taxonomy, events, i));
      }
      collect(scores, answers, after);
      assertThat(answers).hasSize(20);
      assertThat(after)
          .allSatisfy(
              id ->
                  assertThat(answers.get(id).getModelVersion())
                      .as("restored model version for %s", id)
                      .isGreaterThanOrEqualTo(versionBefore));
      assertEveryClosedImpressionLabelledOnce(run.examples(), events);
      assertTheTrainerResumedFromACheckpointedVersionWithItsWeights(run, events, updates);
    } finally {
      stop(run);
    }
  }

  /**
   * The model-updates topic across the crash (read_committed: what the trainer published after its
   * last completed checkpoint was aborted): the trainer's versions up to the checkpointed one, that
   * version again in full, announced by the restored trainer, then on. The announced weights must
   * be those a replica of the pre-crash updates holds at that version (scores on a fixed batch
   * equal), and the run epoch and the versions must go on. The topic's partitions interleave the
   * updates, so they are put in order by version; the one version seen twice is the restored one.
   */
  private static void assertTheTrainerResumedFromACheckpointedVersionWithItsWeights(
      Run run, List<BehaviorEvent> events, UpdatesRead read) throws Exception {
    read.pollUntil(
        u -> u.restoredVersion >= 0 && u.byVersion.tailMap(u.restoredVersion, false).size() >= 2);
    List<ModelUpdate> updates = read.all;
    java.util.TreeMap<Long, List<ModelUpdate>> byVersion = read.byVersion;
    long restoredVersion = read.restoredVersion;
    String seen =
        updates.stream()
            .map(u -> u.getKind() + ":" + u.getVersion() + "/" + u.getBaseVersion())
            .toList()
            .toString();
    assertThat(restoredVersion)
        .as("a version published before the crash and announced again after it: %s", seen)
        .isPositive();
    long c = restoredVersion;
    List<ModelUpdate> twice = new ArrayList<>(byVersion.get(c));
    twice.sort(java.util.Comparator.comparingLong(ModelUpdate::getCreatedAt));
    ModelUpdate restored = twice.get(1);
    assertThat(restored.getKind()).as("announced in full: %s", seen).isEqualTo(UpdateKind.FULL);
    // In the topic's order, not only by version: a reader applies them as they come.
    int announcedAt = updates.indexOf(restored);
    assertThat(updates.subList(0, announcedAt))
        .as("published before the crash, in order: %s", seen)
        .extracting(ModelUpdate::getVersion)
        .isSortedAccordingTo(Long::compare)
        .doesNotHaveDuplicates();
    assertThat(updates.subList(announcedAt, updates.size()))
        .as("published after the restore, in order: %s", seen)
        .extracting(ModelUpdate::getVersion)
        .isSortedAccordingTo(Long::compare)
        .doesNotHaveDuplicates();
    List<ModelUpdate> before = new ArrayList<>();
    List<ModelUpdate> after = new ArrayList<>();
    byVersion.forEach(
        (v, us) -> {
          if (v < c) {
            before.addAll(us);
          } else if (v == c) {
            before.add(twice.get(0));
          } else {
            after.addAll(us);
          }
        });
    assertThat(before).extracting(ModelUpdate::getRunEpoch).containsOnly(restored.getRunEpoch());
    assertThat(after)
        .as("versions go on in the same run: %s", seen)
        .hasSizeGreaterThanOrEqualTo(2)
        .extracting(ModelUpdate::getRunEpoch)
        .containsOnly(restored.getRunEpoch());

    ModelSpecs specs = run.settings().models().orElseThrow();
    Batch probe = probeBatch(specs, events);
    try (ModelReplica<CtrModel> preCrash =
            new ModelReplica<>("tin", () -> specs.build("tin"), Follows.EVERY_UPDATE);
        ModelReplica<CtrModel> resumed =
            new ModelReplica<>("tin", () -> specs.build("tin"), Follows.EVERY_UPDATE)) {
      for (ModelUpdate u : before) {
        assertThat(preCrash.apply(u))
            .as("version %d before the crash", u.getVersion())
            .isEqualTo(UpdateVerdict.APPLY);
      }
      assertThat(preCrash.lineage()).isEqualTo(ModelLineage.of(restored));
      assertThat(resumed.apply(restored)).isEqualTo(UpdateVerdict.APPLY);
      assertThat(resumed.model().score(probe))
          .as("scores of the restored weights on a fixed batch")
          .isEqualTo(preCrash.model().score(probe));
      for (ModelUpdate u : after) {
        assertThat(resumed.apply(u))
            .as("version %d after the restore: %s", u.getVersion(), seen)
            .isEqualTo(UpdateVerdict.APPLY);
      }
    }
  }

  /** The tin updates read so far from the model-updates topic, by version. */
  private static final class UpdatesRead {
    final KafkaConsumer<byte[], byte[]> consumer;
    final List<ModelUpdate> all = new ArrayList<>();
    final java.util.TreeMap<Long, List<ModelUpdate>> byVersion = new java.util.TreeMap<>();

    /** The first version read twice, or -1. */
    long restoredVersion = -1;

    UpdatesRead(KafkaConsumer<byte[], byte[]> consumer) {
      this.consumer = consumer;
    }

    void pollUntil(java.util.function.Predicate<UpdatesRead> done) throws Exception {
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (!done.test(this) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          ModelUpdate u = AvroCodec.modelUpdates().decode(r.value());
          if (!"tin".equals(u.getVariant().toString())) {
            continue;
          }
          all.add(u);
          List<ModelUpdate> same =
              byVersion.computeIfAbsent(u.getVersion(), v -> new ArrayList<>());
          same.add(u);
          if (same.size() == 2 && restoredVersion < 0) {
            restoredVersion = u.getVersion();
          }
        }
      }
    }
  }

  /** A fixed batch: the first behaviors of a few users, each with a candidate from the feed. */
  private static Batch probeBatch(ModelSpecs specs, List<BehaviorEvent> events) {
    int length = specs.histories().forVariant("tin").length();
    List<Long> users = events.stream().map(BehaviorEvent::getUserId).distinct().limit(4).toList();
    BatchBuilder b = new BatchBuilder(users.size(), length);
    for (long user : users) {
      List<BehaviorEvent> own =
          events.stream()
              .filter(e -> e.getUserId() == user)
              .limit(Math.min(length, 16) + 1)
              .toList();
      List<BehaviorEvent> past = own.subList(0, own.size() - 1);
      BehaviorEvent target = own.get(own.size() - 1);
      b.add(
          RowHistory.of(sequence(past)),
          BatchTarget.of(
              target.getItem(), target.getScenario(), target.getEventTime().toEpochMilli()),
          0f,
          (int) user);
    }
    return b.build();
  }

  private static BehaviorSequence sequence(List<BehaviorEvent> events) {
    BehaviorSequence.Builder s =
        BehaviorSequence.newBuilder()
            .setEventTimes(events.stream().map(e -> e.getEventTime().toEpochMilli()).toList())
            .setItemIds(events.stream().map(e -> e.getItem().getItemId()).toList())
            .setCategoryL1(
                events.stream().map(e -> orUnknown(e.getItem().getCategoryL1())).toList())
            .setCategoryL2(
                events.stream().map(e -> orUnknown(e.getItem().getCategoryL2())).toList())
            .setCategoryL3(
                events.stream().map(e -> orUnknown(e.getItem().getCategoryL3())).toList())
            .setActionTypes(events.stream().map(e -> e.getActionType().ordinal()).toList())
            .setScenarios(events.stream().map(BehaviorEvent::getScenario).toList());
    return s.build();
  }

  private static int orUnknown(Integer v) {
    return v == null ? -1 : v;
  }

  @Test
  void servesLreaFromPerUserEntriesBuiltWithTheTopicsFullSnapshots(
      @TempDir Path checkpoints, @InjectMiniCluster MiniCluster cluster) throws Exception {
    SyntheticTaxonomy taxonomy = SyntheticFeed.defaultTaxonomy();
    List<BehaviorEvent> events = drain(new SyntheticFeed(plantedInterests(17), taxonomy));
    Run run = start(checkpoints, events, List.of("lrea"));
    try {
      FlinkRestMonitor monitor =
          new FlinkRestMonitor(cluster.getRestAddress().get().toString(), run.job().getJobID());
      Set<String> sent = new HashSet<>();
      Map<String, ScoreResponse> answers = new HashMap<>();
      SplittableRandom random = new SplittableRandom(3);
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      try (KafkaConsumer<byte[], byte[]> consumer =
          KafkaClients.committedReader(kafka.bootstrapServers())) {
        consumer.subscribe(List.of(run.scores()));
        while (System.nanoTime() < deadline
            && !(scored(answers) >= 20 && answers.size() == sent.size())) {
          if (sent.size() < 80) {
            sent.add(sendRequest(run.requests(), random, taxonomy, events, sent.size(), "lrea"));
          }
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            ScoreResponse response = AvroCodec.scoreResponses().decode(r.value());
            assertThat(answers.put(response.getRequestId(), response))
                .as("second response for %s", response.getRequestId())
                .isNull();
          }
        }
      }
      assertThat(answers.keySet()).isEqualTo(sent);
      assertThat(scored(answers))
          .as("requests scored from LREA entries")
          .isGreaterThanOrEqualTo(20);
      assertThat(answers.values())
          .allSatisfy(
              r -> {
                assertThat(r.getModelVariant()).isEqualTo("lrea");
                if (r.getError() != null) {
                  // Only before the first full snapshot came back from the topic.
                  assertThat(r.getError()).contains("no full snapshot");
                } else {
                  assertThat(r.getModelVersion()).isPositive();
                  assertThat(r.getScores()).hasSize(CANDIDATES).allMatch(s -> s >= 0 && s <= 1);
                }
              });
      List<String> names =
          List.of(
              JobMetrics.ofVariant("lrea", JobMetrics.LREA_RESPONSES),
              JobMetrics.ofVariant("lrea", JobMetrics.LREA_INLINE_REBUILDS_MISSING));
      Map<String, Double> lrea = monitor.operatorMetrics(JobMetrics.TRAJECTORY_OPERATOR, names);
      long metricsDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (lrea.get(names.get(0)) < 20 && System.nanoTime() < metricsDeadline) {
        Thread.sleep(1_000); // the REST metrics trail the operator by a fetch interval
        lrea = monitor.operatorMetrics(JobMetrics.TRAJECTORY_OPERATOR, names);
      }
      assertThat(lrea.get(JobMetrics.ofVariant("lrea", JobMetrics.LREA_RESPONSES)))
          .isGreaterThanOrEqualTo(20);
      assertThat(lrea.get(JobMetrics.ofVariant("lrea", JobMetrics.LREA_INLINE_REBUILDS_MISSING)))
          .isPositive();
    } finally {
      stop(run);
    }
  }

  private static long scored(Map<String, ScoreResponse> answers) {
    return answers.values().stream().filter(r -> r.getError() == null).count();
  }

  /**
   * Reads responses until every id in {@code expected} has one. Scores are at-least-once: after a
   * restart a request may be answered again, and like an ad server the test keeps the first; a
   * repeat must name the same request and variant.
   */
  private static void collect(
      KafkaConsumer<byte[], byte[]> consumer,
      Map<String, ScoreResponse> answers,
      Set<String> expected)
      throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!answers.keySet().containsAll(expected) && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
        ScoreResponse response = AvroCodec.scoreResponses().decode(r.value());
        ScoreResponse first = answers.putIfAbsent(response.getRequestId(), response);
        if (first != null) {
          assertThat(response.getModelVariant())
              .as("variant of the repeat for %s", response.getRequestId())
              .isEqualTo(first.getModelVariant());
        }
        assertThat(response.getError()).isNull();
      }
    }
    assertThat(answers.keySet()).containsAll(expected);
  }

  /**
   * Every impression whose attribution window closed well before the last event must be in the
   * examples topic exactly once, across the crash.
   */
  private static void assertEveryClosedImpressionLabelledOnce(
      String topic, List<BehaviorEvent> events) throws Exception {
    long last = events.stream().mapToLong(e -> e.getEventTime().toEpochMilli()).max().orElseThrow();
    long window = ATTRIBUTION_WINDOW.toMillis();
    Set<String> mustExist = new HashSet<>();
    for (BehaviorEvent e : events) {
      if (e.getActionType() == ActionType.IMPRESSION
          && e.getEventTime().toEpochMilli() + window < last - Duration.ofMinutes(10).toMillis()) {
        mustExist.add(e.getEventId());
      }
    }
    assertThat(mustExist).isNotEmpty();
    Map<String, Integer> seen = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        KafkaClients.committedReader(kafka.bootstrapServers())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (!seen.keySet().containsAll(mustExist) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          TrainingExample example = AvroCodec.trainingExamples().decode(r.value());
          seen.merge(example.getExampleId(), 1, Integer::sum);
        }
      }
    }
    assertThat(seen.keySet()).containsAll(mustExist);
    assertThat(seen.values()).as("examples written more than once").allMatch(n -> n == 1);
  }

  /**
   * The default feed with interests that drift slowly (every 200 of a user's events instead of 40)
   * and clicks that follow the engagement with the ad's category only: enough signal per interest
   * for a test's few thousand examples.
   */
  private static SyntheticFeed.Config plantedInterests(long seed) {
    // Clicks driven by engagement with the ad's category alone, strongly: a signal the test's
    // 12,000 examples can teach (the default model's item and long-term effects need far more).
    return SyntheticFeed.Config.defaults(USERS, EVENTS, seed)
        .withDriftEvery(200)
        .withClick(
            new SyntheticFeed.ClickModel(new double[] {-3.0, -3.0, -3.0}, 3.0, 60 * 60_000L, 0, 0));
  }

  private String sendRequest(
      String topic,
      SplittableRandom random,
      SyntheticTaxonomy taxonomy,
      List<BehaviorEvent> events,
      int n)
      throws Exception {
    return sendRequest(topic, random, taxonomy, events, n, null);
  }

  private String sendRequest(
      String topic,
      SplittableRandom random,
      SyntheticTaxonomy taxonomy,
      List<BehaviorEvent> events,
      int n,
      String variant)
      throws Exception {
    BehaviorEvent recent = events.get(events.size() - 1 - random.nextInt(USERS * 10));
    List<ItemFields> candidates = new ArrayList<>();
    for (int c = 0; c < CANDIDATES; c++) {
      candidates.add(taxonomy.fullItem(random.nextInt(taxonomy.items())));
    }
    String requestId = "req-" + n;
    AdRequest request =
        AdRequest.newBuilder()
            .setRequestId(requestId)
            .setUserId(recent.getUserId())
            .setRequestTime(Instant.ofEpochMilli(recent.getEventTime().toEpochMilli() + 1))
            .setScenario(1)
            .setModelVariant(variant)
            .setCandidates(candidates)
            .build();
    try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers())) {
      KafkaClients.awaitAll(
          List.of(
              KafkaClients.send(
                  producer,
                  topic,
                  Long.toString(recent.getUserId()).getBytes(StandardCharsets.UTF_8),
                  AvroCodec.adRequests().encode(request))));
    }
    return requestId;
  }

  private static List<BehaviorEvent> drain(SyntheticFeed feed) {
    List<BehaviorEvent> events = new ArrayList<>();
    feed.forEachRemaining(events::add);
    return events;
  }

  private static void send(String topic, List<BehaviorEvent> events) {
    AvroCodec<BehaviorEvent> codec = AvroCodec.behaviorEvents();
    try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers())) {
      List<Future<RecordMetadata>> sends = new ArrayList<>();
      for (BehaviorEvent e : events) {
        sends.add(
            KafkaClients.send(
                producer,
                topic,
                Long.toString(e.getUserId()).getBytes(StandardCharsets.UTF_8),
                codec.encode(e)));
      }
      KafkaClients.awaitAll(sends);
    }
  }
}
