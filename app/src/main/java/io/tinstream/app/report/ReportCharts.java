package io.tinstream.app.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.knowm.xchart.XYChart;

/**
 * Which charts a run report has and what each plots, from the figures the demo's progress lines
 * show: events fed vs ingested, their rates, request latency, freshness, AUC and model version per
 * variant, state size. A figure without a single value in the run (the {@code report} command has
 * no feeder, no ad server and no feed ceiling; a served AUC may not reach its minimum of samples)
 * keeps its legend entry, marked "(no value)", so a chart never silently means something else. A
 * figure not known yet (AUC before enough samples) is NaN, which XChart leaves as a gap.
 */
public final class ReportCharts {

  /** A chart of the report: its PNG file name, its caption and the chart itself. */
  public record Chart(String fileName, String caption, XYChart chart) {}

  private ReportCharts() {}

  /** The charts of {@code timeline}; the per-variant ones only where variants are served. */
  public static List<Chart> of(ReportTimeline timeline) {
    double[] t = timeline.seconds();
    List<Chart> charts = new ArrayList<>();

    XYChart events = Charts.timeChart("Events fed vs ingested", "events");
    events.getStyler().setYAxisDecimalPattern("#,###");
    add(events, "fed into Kafka", t, timeline.column("fed"));
    add(events, "ingested by the job", t, timeline.column("ingested"));
    charts.add(new Chart("events.png", "Events fed into Kafka and ingested by the job", events));

    XYChart rates = Charts.timeChart("Throughput", "events/s");
    rates.getStyler().setYAxisDecimalPattern("#,###");
    add(rates, "fed/s", t, timeline.column("fed_per_s"));
    add(rates, "ingested/s", t, timeline.column("ingested_per_s"));
    charts.add(new Chart("throughput.png", "Events per second, per progress interval", rates));

    XYChart latency = Charts.timeChart("Request latency", "ms");
    add(latency, "end-to-end p50", t, timeline.column("e2e_p50_ms"));
    add(latency, "end-to-end p99", t, timeline.column("e2e_p99_ms"));
    add(latency, "in-job p50", t, timeline.column("in_job_p50_ms"));
    add(latency, "in-job p99", t, timeline.column("in_job_p99_ms"));
    charts.add(
        new Chart(
            "latency.png",
            "Ad request latency: end-to-end as the ad server saw it (committed answers), and in"
                + " the job",
            latency));

    XYChart freshness = Charts.timeChart("Freshness p99", "ms");
    add(freshness, "behavior → scoring", t, timeline.column("freshness_behavior_p99_ms"));
    add(freshness, "training → serving", t, timeline.column("freshness_model_p99_ms"));
    charts.add(
        new Chart(
            "freshness.png",
            "How old, at p99, the newest behavior a request could see and the model that scored"
                + " it were",
            freshness));

    List<String> variants = timeline.variants();
    if (!variants.isEmpty()) {
      XYChart auc = Charts.timeChart("AUC per variant", "AUC");
      for (String v : variants) {
        add(auc, v + " progressive", t, timeline.variantColumn(v, "progressive_auc"));
        add(auc, v + " served", t, timeline.variantColumn(v, "served_auc"));
      }
      add(auc, "feed ceiling", t, timeline.column("ceiling_auc"));
      charts.add(
          new Chart(
              "auc.png",
              "Progressive (trainer) and served AUC per variant, and the feed's ceiling (its true"
                  + " click probabilities)",
              auc));

      XYChart versions = Charts.timeChart("Model version", "version");
      for (String v : variants) {
        add(versions, v, t, timeline.variantColumn(v, "model_version"));
      }
      charts.add(new Chart("model-version.png", "Model version per variant", versions));
    }

    XYChart state = Charts.timeChart("State size", "MB");
    double[] bytes = timeline.column("checkpoint_bytes");
    add(
        state,
        "full state at the last checkpoint",
        t,
        Arrays.stream(bytes).map(b -> b < 0 ? Double.NaN : b / 1e6).toArray());
    charts.add(new Chart("state.png", "Size of the job's state at the last checkpoint", state));
    return charts;
  }

  private static void add(XYChart chart, String name, double[] x, double[] y) {
    // An infinite figure would stretch the axis to nothing; like NaN, it is drawn as a gap.
    double[] drawn = Arrays.stream(y).map(v -> Double.isFinite(v) ? v : Double.NaN).toArray();
    boolean measured = Arrays.stream(drawn).anyMatch(Double::isFinite);
    chart.addSeries(measured ? name : name + " (no value)", x, drawn);
  }
}
