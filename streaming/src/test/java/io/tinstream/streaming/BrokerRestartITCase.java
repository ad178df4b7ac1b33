package io.tinstream.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ProbeResponse;
import io.tinstream.schemas.RecordDecodeException;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TaxonomyKind;
import io.tinstream.streaming.kafka.EmbeddedKafkaExtension;
import io.tinstream.streaming.kafka.KafkaClients;
import io.tinstream.streaming.trajectory.TaxonomyFile;
import io.tinstream.streaming.trajectory.TrajectoryFunction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobStatus;
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
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker goes away for several checkpoint intervals and comes back on the same log directory
 * and port while behaviors and ad requests keep coming. Without a manual step the job must be
 * running again, hold every behavior once (before, during and after the outage), and answer every
 * ad request. Restarts are allowed: an outage this short stalls the checkpoint in flight (the
 * sinks' transactional producers wait up to max.block.ms for the broker) rather than failing it; a
 * longer one fails the sinks and the job restores from its last checkpoint.
 */
class BrokerRestartITCase {

  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

  /** Several checkpoint intervals: checkpoints come due while no broker answers. */
  private static final Duration OUTAGE = Duration.ofSeconds(8);

  private static final long T = 1_700_000_000_000L;
  private static final int USERS = 3;
  private static final int PER_PHASE = 10;
  private static final int REQUESTS_PER_PHASE = 5;

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setConfiguration(
                  new Configuration()
                      .set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(500)))
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(1)
              .build());

  @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

  @Test
  void theJobRecoversByItselfAndLosesNothing(
      @TempDir Path dir, @InjectClusterClient ClusterClient<?> cluster) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    Topics topics = new Topics(run);
    KAFKA.broker().createTopics(1, topics.all());
    JobClient job = start(topics, dir);
    // Closed with a bound: when the broker stays away, a plain close waits out the delivery
    // timeout.
    KafkaProducer<byte[], byte[]> producer =
        KafkaClients.producer(KAFKA.broker().bootstrapServers());
    try {
      KafkaClients.awaitAll(sendPhase(producer, topics, "before", 0));
      assertThat(trajectoryLengths(topics, PER_PHASE))
          .as("trajectory length per user, before the outage")
          .containsOnly(PER_PHASE);

      KAFKA.broker().stop();
      // Traffic keeps coming. Sent from another thread: a send blocks (up to max.block.ms) while
      // the producer has lost the topic's metadata; the producer holds each record until the
      // broker is back.
      CompletableFuture<List<Future<RecordMetadata>>> during =
          CompletableFuture.supplyAsync(() -> sendPhase(producer, topics, "during", 1));
      Thread.sleep(OUTAGE.toMillis());
      KAFKA.broker().restart();
      awaitDelivered(during, "sent during the outage");
      KafkaClients.awaitAll(sendPhase(producer, topics, "after", 2));
      assertThat(awaitRunning(cluster, job))
          .as("job status after the outage, no manual step taken")
          .isEqualTo(JobStatus.RUNNING);

      assertThat(trajectoryLengths(topics, 3 * PER_PHASE))
          .as("trajectory length per user: every behavior of the three phases held once")
          .containsOnly(3 * PER_PHASE);
      Set<String> asked = new HashSet<>();
      for (String phase : List.of("before", "during", "after")) {
        for (int i = 0; i < REQUESTS_PER_PHASE; i++) {
          asked.add(requestId(phase, i));
        }
      }
      assertThat(awaitAnswers(topics.scores, asked)).as("ad requests answered").containsAll(asked);
      assertThat(cluster.getJobStatus(job.getJobID()).get())
          .as("job status once every behavior is held and every request answered")
          .isEqualTo(JobStatus.RUNNING);
      System.out.println(
          "broker restart: job restarts "
              + PoisonPillITCase.restarts(
                  cluster.getWebInterfaceURL(), job.getJobID().toHexString()));
    } finally {
      producer.close(Duration.ofSeconds(5));
      JobEnd.cancelAndAwait(job);
    }
  }

  /**
   * The job's status once it is RUNNING, or as soon as it has ended for good (its restarts spent),
   * or at the deadline.
   */
  private static JobStatus awaitRunning(ClusterClient<?> cluster, JobClient job) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    JobStatus status = cluster.getJobStatus(job.getJobID()).get();
    while (status != JobStatus.RUNNING
        && !status.isGloballyTerminalState()
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
      status = cluster.getJobStatus(job.getJobID()).get();
    }
    return status;
  }

  private record Topics(
      String behaviors, String requests, String probes, String scores, String dlq, String models) {
    Topics(String run) {
      this(
          "behaviors-" + run,
          "requests-" + run,
          "probes-" + run,
          "scores-" + run,
          "dlq-" + run,
          "models-" + run);
    }

    List<String> all() {
      return List.of(behaviors, requests, probes, scores, dlq, models);
    }
  }

  /** The whole job scoring tin (untrained: answers come after a short model wait). */
  private static JobClient start(Topics topics, Path dir) throws Exception {
    Path taxonomy = dir.resolve("taxonomy.csv");
    TaxonomyFile.write(taxonomy, List.of(new TaxonomyEntry(TaxonomyKind.L3_PARENT, 30L, 3L)));
    Configuration conf = new Configuration();
    conf.set(TinstreamOptions.BOOTSTRAP_SERVERS, KAFKA.broker().bootstrapServers());
    conf.set(TinstreamOptions.GROUP_ID, "it-" + topics.behaviors);
    conf.set(TinstreamOptions.BEHAVIORS_TOPIC, topics.behaviors);
    conf.set(TinstreamOptions.REQUESTS_TOPIC, topics.requests);
    conf.set(TinstreamOptions.PROBE_TOPIC, topics.probes);
    conf.set(TinstreamOptions.SCORES_TOPIC, topics.scores);
    conf.set(TinstreamOptions.DEAD_LETTER_TOPIC, topics.dlq);
    conf.set(TinstreamOptions.MODEL_UPDATES_TOPIC, topics.models);
    conf.set(TinstreamOptions.EXAMPLES_TOPIC, "");
    conf.set(TinstreamOptions.TAXONOMY_TOPIC, "");
    conf.set(TinstreamOptions.TAXONOMY_FILE, taxonomy.toString());
    conf.set(TinstreamOptions.MODEL_VARIANTS, "tin");
    conf.set(TinstreamOptions.MAX_MODEL_WAIT, Duration.ofMillis(300));
    conf.set(TinstreamOptions.PARALLELISM, 1);
    conf.set(TinstreamOptions.CHECKPOINT_DIR, dir.resolve("checkpoints").toUri().toString());
    conf.set(TinstreamOptions.CHECKPOINT_INTERVAL, CHECKPOINT_INTERVAL);
    // Restarts are allowed; a short delay keeps the test short.
    conf.set(TinstreamOptions.RESTART_DELAY, Duration.ofSeconds(1));
    JobSettings settings = JobSettings.from(conf);
    StreamExecutionEnvironment env = JobEnvironment.submitted(settings);
    TinstreamJob.of(settings).addTo(env);
    return env.executeAsync("broker-restart-it");
  }

  /** {@link #PER_PHASE} behaviors per user and {@link #REQUESTS_PER_PHASE} ad requests. */
  private static List<Future<RecordMetadata>> sendPhase(
      KafkaProducer<byte[], byte[]> producer, Topics topics, String phase, int phaseIndex) {
    AvroCodec<BehaviorEvent> events = AvroCodec.behaviorEvents();
    AvroCodec<AdRequest> requests = AvroCodec.adRequests();
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    for (int user = 1; user <= USERS; user++) {
      for (int i = 0; i < PER_PHASE; i++) {
        long time = T + (phaseIndex * PER_PHASE + i) * 1_000L;
        BehaviorEvent e =
            BehaviorEvent.newBuilder()
                .setEventId(phase + "-" + user + "-" + i)
                .setUserId(user)
                .setEventTime(Instant.ofEpochMilli(time))
                .setDomain(Domain.CONTENT)
                .setActionType(ActionType.VIEW)
                .setItem(ItemFields.newBuilder().setItemId(100 + i).setCategoryL3(30).build())
                .build();
        sends.add(KafkaClients.send(producer, topics.behaviors, key(user), events.encode(e)));
      }
    }
    for (int i = 0; i < REQUESTS_PER_PHASE; i++) {
      AdRequest r =
          request(requestId(phase, i), "tin", 1 + i % USERS, T + 3_600_000L).setScenario(0).build();
      sends.add(
          KafkaClients.send(producer, topics.requests, key(r.getUserId()), requests.encode(r)));
    }
    return sends;
  }

  private static String requestId(String phase, int i) {
    return "ad-" + phase + "-" + i;
  }

  private static AdRequest.Builder request(String id, String variant, long user, long time) {
    return AdRequest.newBuilder()
        .setRequestId(id)
        .setModelVariant(variant)
        .setUserId(user)
        .setRequestTime(Instant.ofEpochMilli(time))
        .setCandidates(
            List.of(
                ItemFields.newBuilder()
                    .setItemId(7)
                    .setCategoryL1(1)
                    .setCategoryL2(3)
                    .setCategoryL3(30)
                    .build()));
  }

  /**
   * Probes every user until its trajectory holds {@code expected} behaviors or the deadline passes;
   * the last length each user's probes answered (-1: none answered).
   */
  private static List<Integer> trajectoryLengths(Topics topics, int expected) throws Exception {
    AvroCodec<ProbeResponse> responses = AvroCodec.probeResponses();
    List<Integer> lengths = new ArrayList<>();
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    try (KafkaProducer<byte[], byte[]> producer =
            KafkaClients.producer(KAFKA.broker().bootstrapServers());
        KafkaConsumer<byte[], byte[]> consumer =
            KafkaClients.committedReader(KAFKA.broker().bootstrapServers())) {
      consumer.subscribe(List.of(topics.probes));
      for (int user = 1; user <= USERS; user++) {
        int last = -1;
        int attempt = 0;
        while (last != expected && System.nanoTime() < deadline) {
          String id = "probe-" + expected + "-" + user + "-" + attempt++;
          AdRequest probe =
              request(id, TrajectoryFunction.PROBE_VARIANT, user, T + 3_600_000L).build();
          KafkaClients.awaitAll(
              List.of(
                  KafkaClients.send(
                      producer, topics.requests, key(user), AvroCodec.adRequests().encode(probe))));
          for (ConsumerRecord<byte[], byte[]> r :
              KafkaClients.pollUntil(
                  consumer,
                  got -> got.stream().anyMatch(r -> id.equals(string(r.key()))),
                  Duration.ofSeconds(10))) {
            ProbeResponse response = responses.decode(r.value());
            if (response.getRequestId().equals(id)) {
              last = response.getTrajectoryLength();
            }
          }
        }
        lengths.add(last);
      }
    }
    return lengths;
  }

  /** The request ids of {@code asked} that the score topic answers within the deadline. */
  private static Set<String> awaitAnswers(String scores, Set<String> asked) {
    AvroCodec<ScoreResponse> codec = AvroCodec.scoreResponses();
    Set<String> answered = new HashSet<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        KafkaClients.committedReader(KAFKA.broker().bootstrapServers())) {
      consumer.subscribe(List.of(scores));
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (!answered.containsAll(asked) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          try {
            answered.add(codec.decode(r.value()).getRequestId());
          } catch (RecordDecodeException e) {
            throw new AssertionError(e);
          }
        }
      }
    }
    return answered;
  }

  /** Waits for every send, at most the deadline in all: a broker that stays away fails here. */
  private static void awaitDelivered(
      CompletableFuture<List<Future<RecordMetadata>>> sending, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    try {
      for (Future<RecordMetadata> send : sending.get(DEADLINE.toNanos(), TimeUnit.NANOSECONDS)) {
        send.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError(
          "records " + what + " did not reach the broker within " + DEADLINE + ": " + e, e);
    }
  }

  private static byte[] key(long user) {
    return Long.toString(user).getBytes(StandardCharsets.UTF_8);
  }

  private static String string(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
