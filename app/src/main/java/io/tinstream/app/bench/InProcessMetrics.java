package io.tinstream.app.bench;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter that keeps the live metric objects of a local cluster in this JVM, so a
 * benchmark reads a counter the moment it samples it (every 100 ms) instead of through REST, whose
 * values are refreshed only every few seconds: too coarse to time the first 10% of a run.
 *
 * <p>Registered through {@code META-INF/services}; a bench switches it on with {@link
 * #enable(Configuration)}. Only for local clusters (the metrics must live in this JVM).
 */
public final class InProcessMetrics implements MetricReporter {

  private static final String NAME = "tinstream-bench";

  /** Live metrics by full identifier (scope components and name, joined by '.'). */
  private static final Map<String, Metric> LIVE = new ConcurrentHashMap<>();

  /** Adds this reporter to a local cluster's configuration. */
  public static void enable(Configuration conf) {
    conf.setString("metrics.reporter." + NAME + ".factory.class", Factory.class.getName());
    // Counters are read from the objects themselves; the interval only matters to Flink's
    // scheduled reporters, this one is not.
    conf.setString("metrics.reporter." + NAME + ".interval", "1 h");
  }

  /**
   * The sum over every counter called {@code name} whose scope has a component containing {@code
   * scopePart} (an operator name, a job name); 0 when none is registered.
   */
  public static long counterSum(String scopePart, String name) {
    long sum = 0;
    for (Map.Entry<String, Metric> e : LIVE.entrySet()) {
      if (e.getValue() instanceof Counter c && matches(e.getKey(), scopePart, name)) {
        sum += c.getCount();
      }
    }
    return sum;
  }

  /** The sum over every numeric gauge called {@code name} under {@code scopePart}. */
  public static double gaugeSum(String scopePart, String name) {
    double sum = 0;
    for (Map.Entry<String, Metric> e : LIVE.entrySet()) {
      if (e.getValue() instanceof Gauge<?> g && matches(e.getKey(), scopePart, name)) {
        Object v = g.getValue();
        if (v instanceof Number n) {
          sum += n.doubleValue();
        }
      }
    }
    return sum;
  }

  private static boolean matches(String id, String scopePart, String name) {
    int dot = id.lastIndexOf('.');
    return id.substring(dot + 1).equals(name)
        && id.substring(0, Math.max(0, dot)).contains(scopePart);
  }

  /** What this reporter (one per local cluster) added, so a closed cluster leaves nothing. */
  private final Map<String, Metric> mine = new ConcurrentHashMap<>();

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {
    // Benches run several clusters one after another in this JVM: a counter left behind by the
    // previous one would be summed into the next one's progress.
    mine.forEach(LIVE::remove);
    mine.clear();
  }

  @Override
  public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
    String id = id(metricName, group);
    LIVE.put(id, metric);
    mine.put(id, metric);
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
    String id = id(metricName, group);
    LIVE.remove(id, metric);
    mine.remove(id, metric);
  }

  private static String id(String metricName, MetricGroup group) {
    return String.join(".", group.getScopeComponents()) + "." + metricName;
  }

  /** What Flink instantiates from {@code metrics.reporter.<name>.factory.class}. */
  public static final class Factory implements MetricReporterFactory {
    @Override
    public MetricReporter createMetricReporter(Properties properties) {
      return new InProcessMetrics();
    }
  }
}
