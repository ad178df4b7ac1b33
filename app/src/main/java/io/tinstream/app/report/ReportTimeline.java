package io.tinstream.app.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The samples of one run, oldest first: recorded once per progress interval, read when the report
 * is written. Synchronized because a shutdown (Ctrl-C) may write the report while the last interval
 * is being recorded.
 */
public final class ReportTimeline {

  private final List<ReportSample> samples = new ArrayList<>();

  /** Records a copy of one interval's figures. */
  public synchronized void record(Map<String, ?> figures) {
    samples.add(ReportSample.of(figures));
  }

  public synchronized List<ReportSample> samples() {
    return List.copyOf(samples);
  }

  public synchronized boolean isEmpty() {
    return samples.isEmpty();
  }

  /** Every variant any sample has figures of, in order of first appearance. */
  public synchronized List<String> variants() {
    Set<String> names = new LinkedHashSet<>();
    samples.forEach(s -> names.addAll(s.variants()));
    return List.copyOf(names);
  }

  /** Seconds since the run started, one per sample: the x axis of every chart. */
  public double[] seconds() {
    return column(ReportSample::elapsedSeconds);
  }

  /** One figure over time; NaN where a sample lacks it. */
  public double[] column(String key) {
    return column(s -> s.value(key));
  }

  /** One figure of one variant over time; NaN where a sample lacks it. */
  public double[] variantColumn(String variant, String key) {
    return column(s -> s.variantValue(variant, key));
  }

  private synchronized double[] column(ToDoubleFunction<ReportSample> figure) {
    return samples.stream().mapToDouble(figure).toArray();
  }
}
