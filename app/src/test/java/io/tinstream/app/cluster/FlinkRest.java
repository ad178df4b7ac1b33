package io.tinstream.app.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The few calls of Flink's REST API a test of a cluster needs: what {@code flink run} and the web
 * UI do (upload a jar, run it, read a job's state and where its tasks run, cancel it).
 */
final class FlinkRest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String address;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  FlinkRest(String address) {
    this.address = address;
  }

  /** The resource ids of the TaskManagers registered with the cluster; empty while it starts. */
  Set<String> taskManagers() throws InterruptedException {
    Set<String> ids = new HashSet<>();
    try {
      for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
        ids.add(tm.path("id").asText());
      }
    } catch (IOException notUpYet) {
      return Set.of();
    }
    return ids;
  }

  /** {@code POST /jars/upload}: the jar's id on the cluster. */
  String uploadJar(Path jar) throws IOException, InterruptedException {
    String boundary = "----tinstream" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName()
                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    body.write(Files.readAllBytes(jar));
    body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(address + "/jars/upload"))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
            .timeout(Duration.ofSeconds(60))
            .build();
    JsonNode answer = send(request);
    String filename = answer.path("filename").asText();
    if (filename.isEmpty()) {
      throw new IOException("jar upload refused: " + answer);
    }
    return Path.of(filename).getFileName().toString();
  }

  /** {@code POST /jars/:id/run}: the job's id. */
  String runJar(String jarId, String entryClass, List<String> programArgs)
      throws IOException, InterruptedException {
    String body =
        JSON.writeValueAsString(Map.of("entryClass", entryClass, "programArgsList", programArgs));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(address + "/jars/" + jarId + "/run"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(120))
            .build();
    JsonNode answer = send(request);
    String job = answer.path("jobid").asText();
    if (job.isEmpty()) {
      throw new IOException("the cluster refused to run the jar: " + answer);
    }
    return job;
  }

  /** {@code GET /jobs/:id}: the job's details (state, vertices and their task states). */
  JsonNode job(String jobId) throws IOException, InterruptedException {
    return get("/jobs/" + jobId);
  }

  /** The job is RUNNING and so is every one of its tasks (deployed, state restored). */
  boolean allTasksRunning(String jobId) throws IOException, InterruptedException {
    JsonNode job = job(jobId);
    if (!"RUNNING".equals(job.path("state").asText())) {
      return false;
    }
    for (JsonNode vertex : job.path("vertices")) {
      if (vertex.path("tasks").path("RUNNING").asInt() != vertex.path("parallelism").asInt()) {
        return false;
      }
    }
    return true;
  }

  /** The resource ids of the TaskManagers that run tasks of the job now. */
  Set<String> taskManagersOf(String jobId) throws IOException, InterruptedException {
    Set<String> ids = new HashSet<>();
    for (JsonNode vertex : job(jobId).path("vertices")) {
      JsonNode tms =
          get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/taskmanagers");
      for (JsonNode tm : tms.path("taskmanagers")) {
        if (tm.path("status").asText().equals("RUNNING")) {
          ids.add(tm.path("taskmanager-id").asText());
        }
      }
    }
    return ids;
  }

  /** Checkpoints completed so far ({@code GET /jobs/:id/checkpoints}). */
  long completedCheckpoints(String jobId) throws IOException, InterruptedException {
    return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
  }

  /**
   * One line on where a job stands, for a wait that timed out: its state, the tasks of each vertex
   * that are not running by state, and the causes of its latest failures (first and deepest line of
   * each stack trace), so a CI log says why without the cluster's files.
   */
  String describe(String jobId) {
    StringBuilder line = new StringBuilder();
    try {
      JsonNode job = job(jobId);
      line.append("state ").append(job.path("state").asText());
      for (JsonNode vertex : job.path("vertices")) {
        StringBuilder states = new StringBuilder();
        vertex
            .path("tasks")
            .fields()
            .forEachRemaining(
                t -> {
                  if (!t.getKey().equals("RUNNING") && t.getValue().asInt() > 0) {
                    states.append(' ').append(t.getKey()).append('=').append(t.getValue().asInt());
                  }
                });
        if (states.length() > 0) {
          line.append("; ").append(vertex.path("name").asText()).append(':').append(states);
        }
      }
      JsonNode entries = get("/jobs/" + jobId + "/exceptions").path("exceptionHistory");
      JsonNode list = entries.path("entries");
      line.append("; failures ").append(list.size());
      for (int i = 0; i < Math.min(3, list.size()); i++) {
        line.append(" | ").append(causes(list.get(i).path("stacktrace").asText()));
      }
    } catch (Exception e) {
      line.append(" (REST not readable: ").append(e).append(')');
    }
    return line.toString();
  }

  private static String causes(String stackTrace) {
    String[] lines = stackTrace.split("\\R");
    String deepest = lines[0];
    for (String l : lines) {
      if (l.startsWith("Caused by:")) {
        deepest = l;
      }
    }
    return deepest.equals(lines[0]) ? lines[0] : lines[0] + " ... " + deepest;
  }

  void cancel(String jobId) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(address + "/jobs/" + jobId + "?mode=cancel"))
            .method("PATCH", HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(30))
            .build();
    http.send(request, HttpResponse.BodyHandlers.discarding());
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create(address + path)).timeout(Duration.ofSeconds(30)).build());
  }

  private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new IOException("no Flink REST API at " + address, e);
    }
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          request.method()
              + " "
              + request.uri()
              + ": "
              + response.statusCode()
              + " "
              + response.body());
    }
    return JSON.readTree(response.body());
  }
}
