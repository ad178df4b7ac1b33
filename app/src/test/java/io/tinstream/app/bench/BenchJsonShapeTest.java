package io.tinstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tinstream.app.monitor.FlinkRestMonitor;
import io.tinstream.app.report.BenchReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON files are read by scripts: their names and nesting are a contract. */
class BenchJsonShapeTest {

  @TempDir Path dir;

  @Test
  void ingestJsonHasTheFieldsScriptsRead() throws Exception {
    TreeMap<Long, FlinkRestMonitor.Checkpoint> completed = new TreeMap<>();
    completed.put(1L, new FlinkRestMonitor.Checkpoint(1, "COMPLETED", 300, 1_000, 1_000, -1));
    completed.put(2L, new FlinkRestMonitor.Checkpoint(2, "COMPLETED", 100, 2_000, 900, -1));
    completed.put(3L, new FlinkRestMonitor.Checkpoint(3, "COMPLETED", 200, 3_000, 800, -1));
    IngestBench.Checkpoints checkpoints = IngestBench.checkpointStats(completed);
    assertThat(checkpoints.durationMsP50()).isEqualTo(200);
    assertThat(checkpoints.durationMsMax()).isEqualTo(300);
    assertThat(checkpoints.sizeBytes()).isEqualTo(3_000);

    IngestBench.Result result =
        new IngestBench.Result(
            new IngestBench.LongRun(
                100, 10_000, 1_000_000, 2, 6.9, 1e5, 5e4, 5.1e4, 4.9e4, 7e4, 7e4, 7e4, 12.5),
            new IngestBench.FullJob(
                100, 10_000, 2, "tin", 100, 200, 1_000, 120, 3e3, 1e3, 199.5, 23_940, 0, 5_400),
            15.2,
            checkpoints,
            new IngestBench.Layout(14.0, List.of()),
            2);
    JsonNode json = writeAndRead(result, "bench/ingest.json");
    assertThat(json.at("/long/behaviors_per_user").asInt()).isEqualTo(10_000);
    assertThat(json.at("/long/events_per_s").asDouble()).isEqualTo(5e4);
    assertThat(json.at("/long/reference_events_per_s").asDouble()).isEqualTo(7e4);
    assertThat(json.at("/long/start_events_per_s").asDouble()).isEqualTo(5.1e4);
    assertThat(json.at("/long/end_events_per_s").asDouble()).isEqualTo(4.9e4);
    assertThat(json.at("/full_job/behaviors_per_user").asInt()).isEqualTo(10_000);
    assertThat(json.at("/full_job/events_per_s").asDouble()).isEqualTo(1e3);
    assertThat(json.at("/full_job/requests_per_s").asDouble()).isEqualTo(199.5);
    assertThat(json.at("/bytes_per_behavior").asDouble()).isEqualTo(15.2);
    assertThat(json.at("/checkpoint/duration_ms_p50").asDouble()).isEqualTo(200);
    assertThat(json.at("/checkpoint/duration_ms_max").asDouble()).isEqualTo(300);
    assertThat(json.at("/checkpoint/size_bytes").asLong()).isEqualTo(3_000);
  }

  @Test
  void servingJsonHasOneRunPerHistoryAndNotMeasuredIsNull() throws Exception {
    WindowedLatencies e2e = new WindowedLatencies(0, ServingBench.WINDOW);
    WindowedLatencies inJob = new WindowedLatencies(0, ServingBench.WINDOW);
    WindowedLatencies model = new WindowedLatencies(0, ServingBench.WINDOW);
    model.record(1, 800);
    model.record(2, 1_500);
    for (int i = 1; i <= 100; i++) {
      e2e.record(i * 100_000_000L, 1_000 + i);
      inJob.record(i * 100_000_000L, i);
    }
    ServingBench.Row row =
        ServingBench.row(
            10_000,
            20,
            5,
            4.9,
            40,
            300,
            0,
            10,
            e2e,
            inJob,
            model,
            List.of(new double[] {120, 900}, new double[] {Double.NaN, 1_200}),
            IngestBench.checkpointStats(new java.util.TreeMap<>()),
            List.of());
    ServingBench.Result result =
        new ServingBench.Result("./tinstream bench serving", 2, 10, 30, 500, List.of(row));
    JsonNode json = writeAndRead(result, "bench/serving.json");
    JsonNode run = json.at("/runs/0");
    assertThat(run.get("history").asInt()).isEqualTo(10_000);
    assertThat(run.get("candidates").asInt()).isEqualTo(100);
    assertThat(run.get("requests_per_s").asDouble()).isEqualTo(4.9);
    assertThat(run.get("e2e_p99_ms").asDouble()).isEqualTo(1_099);
    assertThat(run.get("in_job_p99_ms").asDouble()).isEqualTo(99);
    // The job's reservoir figures: the worst window; model → serving: over every version.
    assertThat(run.get("freshness_behavior_p99_ms").asDouble()).isEqualTo(120);
    assertThat(run.get("freshness_model_p99_ms").asDouble()).isEqualTo(1_500);
    assertThat(run.get("job_model_freshness_p99_ms").asDouble()).isEqualTo(1_200);
    assertThat(run.at("/windows/0/freshness_model_p99_ms").asDouble()).isEqualTo(1_500);
    assertThat(run.at("/windows/1/freshness_behavior_p99_ms").isNull()).isTrue();
    assertThat(run.get("windows")).hasSize(2);
  }

  private JsonNode writeAndRead(Object value, String file) throws Exception {
    BenchReport report =
        new BenchReport("shape", "Shape", dir, dir.resolve("benchmarks.md"), true, false);
    report.paragraph("x").jsonFile(file, value);
    try (var out = new java.io.PrintWriter(java.io.Writer.nullWriter())) {
      report.write(out, out);
    }
    assertThat(Files.readString(dir.resolve("benchmarks.md"))).contains("<!-- section:shape -->");
    return new ObjectMapper().readTree(dir.resolve(file).toFile());
  }
}
