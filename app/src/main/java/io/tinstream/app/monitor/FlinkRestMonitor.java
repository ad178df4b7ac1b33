package io.tinstream.app.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;

/**
 * Reads a running job's metrics through Flink's REST API (the same numbers the web UI shows), so
 * the demo reports what the job measured rather than what the feeder believes it sent.
 */
public final class FlinkRestMonitor {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final ObjectMapper json = new ObjectMapper();
  private final String baseUrl;
  private final JobID jobId;

  public FlinkRestMonitor(String baseUrl, JobID jobId) {
    this.baseUrl = baseUrl;
    this.jobId = jobId;
  }

  /**
   * Sums, over all subtasks of every vertex whose name contains {@code vertexName}, the operator
   * metrics with the given short names (e.g. {@code behaviorsAppended}); missing ones are 0.
   */
  public Map<String, Double> operatorMetrics(String vertexName, List<String> metricNames)
      throws IOException, InterruptedException {
    return operatorMetrics(vertexName, metricNames, "sum");
  }

  /**
   * Like {@link #operatorMetrics(String, List)} with another aggregation over subtasks: {@code max}
   * for latency percentiles (a sum of percentiles means nothing), {@code min}, {@code avg}.
   */
  public Map<String, Double> operatorMetrics(
      String vertexName, List<String> metricNames, String aggregation)
      throws IOException, InterruptedException {
    Map<String, Double> sums = new HashMap<>();
    metricNames.forEach(m -> sums.put(m, "sum".equals(aggregation) ? 0.0 : Double.NaN));
    for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
      if (!vertex.path("name").asText().contains(vertexName)) {
        continue;
      }
      String metricsPath =
          "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
      List<String> wanted = new ArrayList<>();
      Map<String, String> shortNameOf = new HashMap<>();
      for (JsonNode available : get(metricsPath)) {
        String id = available.path("id").asText();
        for (String name : metricNames) {
          if (id.endsWith("." + name)) {
            wanted.add(id);
            shortNameOf.put(id, name);
          }
        }
      }
      if (wanted.isEmpty()) {
        continue;
      }
      if ("sum".equals(aggregation)) {
        for (JsonNode value : get(metricsPath + "?agg=sum&get=" + String.join(",", wanted))) {
          sums.merge(
              shortNameOf.get(value.path("id").asText()),
              value.path("sum").asDouble(0),
              Double::sum);
        }
        continue;
      }
      // Per subtask: an idle subtask's histogram reads NaN, which the REST aggregation drops
      // together with every other subtask's value.
      String base = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/";
      for (int subtask = 0; subtask < vertex.path("parallelism").asInt(1); subtask++) {
        for (JsonNode value : get(base + subtask + "/metrics?get=" + String.join(",", wanted))) {
          double v = value.path("value").asDouble(Double.NaN);
          if (!Double.isNaN(v)) {
            sums.merge(
                shortNameOf.get(value.path("id").asText()),
                v,
                (a, b) -> Double.isNaN(a) ? b : Math.max(a, b));
          }
        }
      }
    }
    return sums;
  }

  /** Size in bytes of the latest completed checkpoint's full state, or -1 before the first. */
  public long latestCheckpointBytes() throws IOException, InterruptedException {
    JsonNode completed = get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
    return completed.isMissingNode() || completed.isNull()
        ? -1
        : completed.path("state_size").asLong(-1);
  }

  /** Id of the latest completed checkpoint, or -1 before the first. */
  public long latestCheckpointId() throws IOException, InterruptedException {
    JsonNode completed = get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
    return completed.isMissingNode() || completed.isNull() ? -1 : completed.path("id").asLong(-1);
  }

  /** A checkpoint as the REST API's history lists it. */
  public record Checkpoint(
      long id,
      String status,
      long durationMs,
      long stateSizeBytes,
      long checkpointedSizeBytes,
      long triggerTimeMillis) {}

  /**
   * The checkpoints in the REST history, newest first. The history keeps only the latest few
   * ({@code web.checkpoints.history}), so a caller that wants every checkpoint of a run polls this
   * more often than checkpoints complete and merges by id.
   */
  public List<Checkpoint> checkpointHistory() throws IOException, InterruptedException {
    List<Checkpoint> out = new ArrayList<>();
    for (JsonNode c : get("/jobs/" + jobId + "/checkpoints").path("history")) {
      out.add(
          new Checkpoint(
              c.path("id").asLong(),
              c.path("status").asText(),
              c.path("end_to_end_duration").asLong(-1),
              c.path("state_size").asLong(-1),
              c.path("checkpointed_size").asLong(-1),
              c.path("trigger_timestamp").asLong(-1)));
    }
    return out;
  }

  /**
   * The completed checkpoints of {@link #checkpointHistory} triggered at or after {@code since}.
   */
  public List<Checkpoint> completedInHistory(long sinceMillis)
      throws IOException, InterruptedException {
    return checkpointHistory().stream()
        .filter(c -> "COMPLETED".equals(c.status()) && c.triggerTimeMillis() >= sinceMillis)
        .toList();
  }

  /**
   * What one operator chain (a job vertex) wrote to a checkpoint and how long its parts took, the
   * maxima over its subtasks: alignment is the wait for the barriers of every input, start delay
   * the wait for the first barrier, sync the task-thread part of the snapshot, async the upload.
   */
  public record OperatorCheckpoint(
      String operator,
      long stateSizeBytes,
      long checkpointedSizeBytes,
      long startDelayMsMax,
      long alignmentMsMax,
      long syncMsMax,
      long asyncMsMax) {}

  /** Checkpoint {@code checkpointId} by job vertex, in the job graph's order. */
  public List<OperatorCheckpoint> checkpointByOperator(long checkpointId)
      throws IOException, InterruptedException {
    List<OperatorCheckpoint> out = new ArrayList<>();
    String details = "/jobs/" + jobId + "/checkpoints/details/" + checkpointId;
    JsonNode tasks = get(details).path("tasks");
    for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
      String id = vertex.path("id").asText();
      JsonNode summary = get(details + "/subtasks/" + id).path("summary");
      out.add(
          new OperatorCheckpoint(
              vertex.path("name").asText(),
              tasks.path(id).path("state_size").asLong(-1),
              tasks.path(id).path("checkpointed_size").asLong(-1),
              summary.path("start_delay").path("max").asLong(-1),
              summary.path("alignment").path("duration").path("max").asLong(-1),
              summary.path("checkpoint_duration").path("sync").path("max").asLong(-1),
              summary.path("checkpoint_duration").path("async").path("max").asLong(-1)));
    }
    return out;
  }

  /** Count of completed checkpoints. */
  public long completedCheckpoints() throws IOException, InterruptedException {
    return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong(0);
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(TIMEOUT).GET().build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + path + " answered " + response.statusCode());
    }
    return json.readTree(response.body());
  }
}
