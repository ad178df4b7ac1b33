package io.tinstream.app.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tinstream.streaming.JobMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;

/**
 * Finds the tinstream job on a Flink cluster through its REST API, and the variants it trains: what
 * the {@code report} command needs before {@link io.tinstream.app.monitor.FlinkRestMonitor} can
 * read a job's metrics. Failures say what is wrong in words a person can act on.
 */
public final class RunningJobLookup {

  /** The name {@code tinstream demo} and {@code tinstream job} give their job. */
  public static final String JOB_NAME = "tinstream";

  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final Pattern VARIANT_METRIC =
      Pattern.compile(
          "(?:^|\\.)"
              + Pattern.quote(JobMetrics.VARIANT_GROUP)
              + "\\.([^.]+)\\."
              + Pattern.quote(JobMetrics.ONLINE_AUC)
              + "$");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final ObjectMapper json = new ObjectMapper();
  private final String baseUrl;

  /** A job as {@code /jobs/overview} lists it. */
  public record Job(JobID id, String name, String state, long startMillis) {}

  /** Why no job could be reported on: unreachable endpoint, or no tinstream job running. */
  public static final class LookupException extends Exception {
    LookupException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public RunningJobLookup(String baseUrl) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  /** The newest running job named {@value #JOB_NAME}. */
  public Job runningTinstreamJob() throws LookupException, InterruptedException {
    List<Job> jobs = jobs();
    return jobs.stream()
        .filter(j -> JOB_NAME.equals(j.name()) && "RUNNING".equals(j.state()))
        .max(Comparator.comparingLong(Job::startMillis))
        .orElseThrow(
            () ->
                new LookupException(
                    "no tinstream job is running at "
                        + baseUrl
                        + (jobs.isEmpty()
                            ? " (the cluster has no jobs)"
                            : " (jobs there: "
                                + String.join(
                                    ", ",
                                    jobs.stream().map(j -> j.name() + " " + j.state()).toList())
                                + ")")
                        + "; start one with 'tinstream demo' or 'tinstream job'",
                    null));
  }

  /** Whether the job is still running; false once it ended or the endpoint went away. */
  public boolean isRunning(JobID id) throws InterruptedException {
    try {
      return "RUNNING".equals(get("/jobs/" + id).path("state").asText());
    } catch (LookupException e) {
      return false;
    }
  }

  /** The variants the job's trainer reports a progressive AUC for, in name order. */
  public List<String> variants(JobID id) throws LookupException, InterruptedException {
    Set<String> names = new LinkedHashSet<>();
    for (JsonNode vertex : get("/jobs/" + id).path("vertices")) {
      if (!vertex.path("name").asText().contains(JobMetrics.TRAINER_OPERATOR)) {
        continue;
      }
      String path = "/jobs/" + id + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
      for (JsonNode metric : get(path)) {
        Matcher m = VARIANT_METRIC.matcher(metric.path("id").asText());
        if (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names.stream().sorted().toList();
  }

  private List<Job> jobs() throws LookupException, InterruptedException {
    List<Job> jobs = new ArrayList<>();
    for (JsonNode j : get("/jobs/overview").path("jobs")) {
      jobs.add(
          new Job(
              JobID.fromHexString(j.path("jid").asText()),
              j.path("name").asText(),
              j.path("state").asText(),
              j.path("start-time").asLong()));
    }
    return jobs;
  }

  private JsonNode get(String path) throws LookupException, InterruptedException {
    URI uri;
    try {
      uri = URI.create(baseUrl + path);
    } catch (IllegalArgumentException e) {
      throw new LookupException("not a REST address: " + baseUrl, e);
    }
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new LookupException(
            "GET " + uri + " answered " + response.statusCode() + ": is this Flink's REST API?",
            null);
      }
      return json.readTree(response.body());
    } catch (IOException e) {
      throw new LookupException(
          "cannot reach the Flink REST endpoint at "
              + baseUrl
              + " ("
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
              + "): is a tinstream job running ('tinstream demo' serves it on port 8081)?",
          e);
    }
  }
}
