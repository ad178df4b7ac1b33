package io.tinstream.app.report;

import io.tinstream.app.monitor.FlinkRestMonitor;
import io.tinstream.streaming.JobMetrics;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of a job that its own metrics hold, read through {@link FlinkRestMonitor} with the
 * metric names and aggregations of the demo's progress lines and under the keys of its {@code
 * --json} line: what the {@code report} command can chart of a job it did not start. What only the
 * demo's in-process parts know (events fed, end-to-end latency, the feed's ceiling) is absent.
 */
public final class JobFiguresSampler {

  private final FlinkRestMonitor monitor;
  private final List<String> variants;
  private double lastIngested = Double.NaN;
  private double lastSeconds;

  public JobFiguresSampler(FlinkRestMonitor monitor, List<String> variants) {
    this.monitor = monitor;
    this.variants = List.copyOf(variants);
  }

  /** One sample at {@code elapsedSeconds} since polling started. */
  public Map<String, Object> sample(double elapsedSeconds)
      throws IOException, InterruptedException {
    Map<String, Double> trajectory =
        monitor.operatorMetrics(
            JobMetrics.TRAJECTORY_OPERATOR,
            List.of(
                JobMetrics.BEHAVIORS_APPENDED,
                JobMetrics.BEHAVIORS_DUPLICATE,
                JobMetrics.BEHAVIORS_EXPIRED,
                JobMetrics.USERS));
    Map<String, Double> decode =
        monitor.operatorMetrics(JobMetrics.DECODE_OPERATORS, List.of(JobMetrics.DEAD_LETTERS));
    Map<String, Double> behaviorFreshness =
        monitor.operatorMetrics(
            JobMetrics.TRAJECTORY_OPERATOR,
            List.of(JobMetrics.p99(JobMetrics.BEHAVIOR_FRESHNESS_MS)),
            "max");
    Map<String, Double> scorer =
        monitor.operatorMetrics(
            JobMetrics.SCORER_OPERATOR,
            List.of(
                JobMetrics.median(JobMetrics.REQUEST_LATENCY_MS),
                JobMetrics.p99(JobMetrics.REQUEST_LATENCY_MS),
                JobMetrics.p99(JobMetrics.MODEL_FRESHNESS_MS)),
            "max");
    double ingested =
        trajectory.get(JobMetrics.BEHAVIORS_APPENDED)
            + trajectory.get(JobMetrics.BEHAVIORS_DUPLICATE)
            + trajectory.get(JobMetrics.BEHAVIORS_EXPIRED);

    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("elapsed_s", elapsedSeconds);
    figures.put("ingested", ingested);
    figures.put(
        "ingested_per_s",
        Double.isNaN(lastIngested)
            ? null
            : (ingested - lastIngested) / (elapsedSeconds - lastSeconds));
    figures.put("users", trajectory.get(JobMetrics.USERS));
    figures.put("dead_letters", decode.get(JobMetrics.DEAD_LETTERS));
    figures.put("checkpoint_bytes", monitor.latestCheckpointBytes());
    figures.put("in_job_p50_ms", scorer.get(JobMetrics.median(JobMetrics.REQUEST_LATENCY_MS)));
    figures.put("in_job_p99_ms", scorer.get(JobMetrics.p99(JobMetrics.REQUEST_LATENCY_MS)));
    figures.put(
        "freshness_behavior_p99_ms",
        behaviorFreshness.get(JobMetrics.p99(JobMetrics.BEHAVIOR_FRESHNESS_MS)));
    figures.put(
        "freshness_model_p99_ms", scorer.get(JobMetrics.p99(JobMetrics.MODEL_FRESHNESS_MS)));
    for (String variant : variants) {
      figures.put(ReportSample.VARIANT_PREFIX + variant, variantFigures(variant));
    }
    lastIngested = ingested;
    lastSeconds = elapsedSeconds;
    return figures;
  }

  private Map<String, Object> variantFigures(String variant)
      throws IOException, InterruptedException {
    String p = JobMetrics.ofVariant(variant, "");
    Map<String, Double> trainer =
        monitor.operatorMetrics(
            JobMetrics.TRAINER_OPERATOR,
            List.of(
                p + JobMetrics.ONLINE_AUC,
                p + JobMetrics.ONLINE_SAMPLES,
                p + JobMetrics.MODEL_VERSION,
                p + JobMetrics.TRAINED_SAMPLES),
            "max");
    Map<String, Double> served =
        monitor.operatorMetrics(
            JobMetrics.SERVED_AUC_OPERATOR,
            List.of(p + JobMetrics.SERVED_AUC, p + JobMetrics.SERVED_SAMPLES),
            "max");
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("progressive_auc", trainer.get(p + JobMetrics.ONLINE_AUC));
    v.put("progressive_samples", trainer.get(p + JobMetrics.ONLINE_SAMPLES));
    v.put("served_auc", served.get(p + JobMetrics.SERVED_AUC));
    v.put("served_samples", served.get(p + JobMetrics.SERVED_SAMPLES));
    v.put("model_version", trainer.get(p + JobMetrics.MODEL_VERSION));
    v.put("trained", trainer.get(p + JobMetrics.TRAINED_SAMPLES));
    return v;
  }
}
