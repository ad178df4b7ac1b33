package io.tinstream.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints that time out, on a MiniCluster with RocksDB and the job's own settings ({@link
 * JobEnvironment}): up to {@code tinstream.checkpoint-tolerable-failures} in a row the job keeps
 * running without a restart; one more fails it over, and past {@code
 * tinstream.restart.max-failures} the job fails for good with Flink's "Exceeded checkpoint
 * tolerable failure threshold".
 *
 * <p>The failures are expirations (an operator's snapshot outlasting {@code
 * tinstream.checkpoint-timeout}): Flink counts those and asynchronous snapshot failures against the
 * tolerable number, while an exception thrown from a synchronous {@code snapshotState} fails the
 * task at once, whatever the count.
 */
class CheckpointFailureToleranceITCase {

  private static final Duration DEADLINE = Duration.ofSeconds(120);
  private static final Duration CHECKPOINT_TIMEOUT = Duration.ofSeconds(3);

  /**
   * A stalled snapshot ends this long after its checkpoint has expired. It blocks its task, so the
   * next checkpoint's barrier waits as long: that one must still fit its own timeout.
   */
  private static final long STALL_PAST_TIMEOUT_MS = 500;

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setConfiguration(freshCheckpointStatistics())
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(1)
              .build());

  /** Every checkpoint in the REST history, and no cached statistics seconds old. */
  private static Configuration freshCheckpointStatistics() {
    Configuration conf = new Configuration();
    conf.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, 1000);
    conf.set(RestOptions.CACHE_CHECKPOINT_STATISTICS_TIMEOUT, Duration.ofMillis(50));
    return conf;
  }

  @Test
  void checkpointsTimingOutUpToTheTolerableCountLeaveTheJobRunning(
      @TempDir Path dir, @InjectClusterClient ClusterClient<?> cluster) throws Exception {
    String run = "tolerated";
    // Checkpoints 2 and 3 of the first attempt stall: two failures in a row, two tolerated.
    JobClient job = start(run, dir, 2, 3, new StallOn(run, 0, id -> id == 2 || id == 3));
    try {
      String rest = cluster.getWebInterfaceURL();
      String id = job.getJobID().toHexString();
      Map<Long, JsonNode> seen =
          awaitCheckpoints(
              rest, id, s -> s.path("latest").path("completed").path("id").asLong() >= 5);

      assertThat(seen.get(1L).path("status").asText()).isEqualTo("COMPLETED");
      assertThat(seen.get(2L).path("status").asText()).isEqualTo("FAILED");
      assertThat(seen.get(3L).path("status").asText()).isEqualTo("FAILED");
      assertThat(seen.get(2L).path("failure_message").asText())
          .isEqualTo("Checkpoint expired before completing.");
      assertThat(seen.get(4L).path("status").asText()).isEqualTo("COMPLETED");
      assertThat(Stalls.of(run)).as("stalled checkpoints").containsExactly(2L, 3L);
      assertThat(Stalls.attempts(run)).as("attempts of the task: no restart").containsExactly(0);
      assertThat(job.getJobStatus().get(30, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
    } finally {
      job.cancel().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void oneFailureBeyondTheCountFailsTheJobOverAndPastTheRestartsForGood(@TempDir Path dir)
      throws Exception {
    String run = "beyond";
    // Every checkpoint from the second on stalls, in every attempt: with one failure tolerated
    // the second in a row fails the job over; with one restart allowed, the second failover is
    // the end.
    JobClient job = start(run, dir, 1, 1, new StallOn(run, -1, id -> id >= 2));
    try {
      JobStatus end = awaitTerminal(job);
      assertThat(end).isEqualTo(JobStatus.FAILED);
      Throwable failure = null;
      try {
        job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        failure = e;
      }
      assertThat(failure)
          .as("the job's failure")
          .isNotNull()
          .satisfies(
              f ->
                  assertThat(causes(f))
                      .anySatisfy(
                          m -> assertThat(m).contains("Exceeded checkpoint tolerable failure")));
      assertThat(Stalls.attempts(run))
          .as("attempts of the task: one restart, then no more")
          .containsExactly(0, 1);
      assertThat(Stalls.of(run)).as("stalled checkpoints").contains(2L);
    } finally {
      if (!job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
        job.cancel().get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static JobClient start(
      String run, Path dir, int tolerable, int maxFailures, StallOn stall) throws Exception {
    Map<String, String> values = new HashMap<>();
    values.put(TinstreamOptions.CHECKPOINT_DIR.key(), dir.toUri().toString());
    values.put(TinstreamOptions.CHECKPOINT_INTERVAL.key(), "200 ms");
    values.put(TinstreamOptions.CHECKPOINT_TIMEOUT.key(), CHECKPOINT_TIMEOUT.toMillis() + " ms");
    values.put(TinstreamOptions.CHECKPOINT_TOLERABLE_FAILURES.key(), String.valueOf(tolerable));
    values.put(TinstreamOptions.RESTART_MAX_FAILURES.key(), String.valueOf(maxFailures));
    values.put(TinstreamOptions.RESTART_DELAY.key(), "0 s");
    values.put(TinstreamOptions.PARALLELISM.key(), "1");
    JobSettings settings = JobSettings.from(values);
    StreamExecutionEnvironment env = JobEnvironment.submitted(settings);
    env.fromSequence(0, Long.MAX_VALUE)
        .uid("sequence")
        .map(stall)
        .uid("stall")
        .sinkTo(new DiscardingSink<>())
        .uid("discard");
    return env.executeAsync("checkpoint-failure-" + run);
  }

  /**
   * Passes numbers through at about a thousand a second; its snapshot outlasts the checkpoint
   * timeout on the chosen checkpoints of the chosen attempt (-1: every attempt), by a little: it
   * ends soon after its checkpoint expired.
   */
  static final class StallOn extends RichMapFunction<Long, Long> implements CheckpointedFunction {
    private final String run;
    private final int attempt;
    private final SerializableLongPredicate stalled;

    StallOn(String run, int attempt, SerializableLongPredicate stalled) {
      this.run = run;
      this.attempt = attempt;
      this.stalled = stalled;
    }

    @Override
    public Long map(Long value) throws Exception {
      Thread.sleep(1);
      return value;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
      int current = getRuntimeContext().getTaskInfo().getAttemptNumber();
      if ((attempt < 0 || attempt == current) && stalled.test(context.getCheckpointId())) {
        Stalls.of(run).add(context.getCheckpointId());
        long expired = context.getCheckpointTimestamp() + CHECKPOINT_TIMEOUT.toMillis();
        Thread.sleep(Math.max(0, expired + STALL_PAST_TIMEOUT_MS - System.currentTimeMillis()));
      }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
      Stalls.attempts(run).add(getRuntimeContext().getTaskInfo().getAttemptNumber());
    }
  }

  interface SerializableLongPredicate extends LongPredicate, java.io.Serializable {}

  /** What the operator saw, per test run: the MiniCluster runs it in this JVM. */
  static final class Stalls {
    private static final Map<String, List<Long>> STALLED = new ConcurrentHashMap<>();
    private static final Map<String, Set<Integer>> ATTEMPTS = new ConcurrentHashMap<>();

    static List<Long> of(String run) {
      return STALLED.computeIfAbsent(run, r -> new CopyOnWriteArrayList<>());
    }

    static Set<Integer> attempts(String run) {
      return ATTEMPTS.computeIfAbsent(
          run, r -> java.util.Collections.synchronizedSet(new java.util.TreeSet<>()));
    }
  }

  /**
   * Every checkpoint of the job's history (the REST API keeps the latest ten), gathered over polls
   * by id with its last state, until {@code done} holds for the statistics.
   */
  private static Map<Long, JsonNode> awaitCheckpoints(
      String rest, String jobId, java.util.function.Predicate<JsonNode> done) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create(rest + "/jobs/" + jobId + "/checkpoints");
    ObjectMapper json = new ObjectMapper();
    Map<Long, JsonNode> seen = new java.util.TreeMap<>();
    JsonNode last = null;
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        last = json.readTree(response.body());
        for (JsonNode entry : last.path("history")) {
          seen.put(entry.path("id").asLong(), entry);
        }
        if (done.test(last)) {
          return seen;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("checkpoints of job " + jobId + " not there in time: " + last);
  }

  private static JobStatus awaitTerminal(JobClient job) throws Exception {
    JobStatus[] last = {null};
    BooleanSupplier terminal =
        () -> {
          try {
            last[0] = job.getJobStatus().get(30, TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          return last[0].isGloballyTerminalState();
        };
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      if (terminal.getAsBoolean()) {
        return last[0];
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the job did not end in time; last status " + last[0]);
  }

  private static List<String> causes(Throwable t) {
    List<String> messages = new java.util.ArrayList<>();
    for (Throwable c = t; c != null; c = c.getCause()) {
      messages.add(String.valueOf(c.getMessage()));
    }
    return messages;
  }
}
