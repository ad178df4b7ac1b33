package io.tinstream.streaming.served;

import io.tinstream.streaming.JobMetrics;
import io.tinstream.training.online.ScoreWindow;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The AUC and LogLoss of the scores actually served, per variant, over a time window: the figures
 * an ad platform cares about, next to the trainer's progressive ones (which score each batch with
 * the newest model, not the one that was serving). Runs as one instance so each variant's window
 * sees every served impression; its windows start empty after a restore (they are metrics, and fill
 * again within one window).
 */
public final class ServedAuc extends ProcessFunction<ServedOutcome, Void> {
  private static final long serialVersionUID = 1L;

  private final List<String> variants;
  private final ScoreWindow.Spec window;
  private transient Map<String, ScoreWindow> windows;

  public ServedAuc(List<String> variants, ScoreWindow.Spec window) {
    this.variants = List.copyOf(variants);
    this.window = window;
  }

  @Override
  public void open(OpenContext openContext) {
    windows = new HashMap<>();
    MetricGroup metrics = getRuntimeContext().getMetricGroup();
    for (String variant : variants) {
      ScoreWindow w = window.newWindow();
      windows.put(variant, w);
      JobMetrics.windowGauges(
          metrics.addGroup(JobMetrics.VARIANT_GROUP, variant),
          w,
          JobMetrics.SERVED_AUC,
          JobMetrics.SERVED_LOG_LOSS,
          JobMetrics.SERVED_SAMPLES);
    }
  }

  @Override
  public void processElement(ServedOutcome outcome, Context ctx, Collector<Void> out) {
    ScoreWindow w = windows.get(outcome.variant);
    if (w != null && Float.isFinite(outcome.score)) {
      w.record(outcome.score, outcome.label, ctx.timerService().currentProcessingTime());
    }
  }

  /** The window of {@code variant} (test hook: a harness's metrics are not readable). */
  ScoreWindow window(String variant) {
    return windows.get(variant);
  }
}
