package io.tinstream.app.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One progress interval's figures, keyed as in the demo's {@code --json} line ({@code elapsed_s},
 * {@code fed}, {@code in_job_p99_ms}, {@code variant.<name>} → {@code progressive_auc}, ...): the
 * report charts exactly what the progress lines showed, and a figure a source cannot measure is
 * simply absent.
 */
public final class ReportSample {

  /** The prefix of a per-variant map's key. */
  public static final String VARIANT_PREFIX = "variant.";

  private final Map<String, Object> figures;

  private ReportSample(Map<String, Object> figures) {
    this.figures = figures;
  }

  /**
   * A copy of {@code figures} (nested maps too): the demo clears and refills its map every
   * interval.
   */
  public static ReportSample of(Map<String, ?> figures) {
    return new ReportSample(deepCopy(figures));
  }

  public double elapsedSeconds() {
    return value("elapsed_s");
  }

  /** The figure as a number; NaN where it is absent, null (not known yet) or not a number. */
  public double value(String key) {
    return number(figures.get(key));
  }

  /** A figure of one variant, e.g. {@code variantValue("tin", "served_auc")}; NaN if absent. */
  public double variantValue(String variant, String key) {
    return figures.get(VARIANT_PREFIX + variant) instanceof Map<?, ?> v
        ? number(v.get(key))
        : Double.NaN;
  }

  /** The variants this sample has figures of, in their order. */
  public List<String> variants() {
    List<String> names = new ArrayList<>();
    for (var e : figures.entrySet()) {
      if (e.getKey().startsWith(VARIANT_PREFIX) && e.getValue() instanceof Map) {
        names.add(e.getKey().substring(VARIANT_PREFIX.length()));
      }
    }
    return names;
  }

  /** The figures, read-only, for the report's JSON. */
  public Map<String, Object> figures() {
    return figures;
  }

  private static double number(Object value) {
    return value instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static Map<String, Object> deepCopy(Map<String, ?> figures) {
    Map<String, Object> copy = new LinkedHashMap<>();
    for (var e : figures.entrySet()) {
      Object v = e.getValue();
      if (v instanceof Map<?, ?> nested) {
        Map<String, Object> inner = new LinkedHashMap<>();
        nested.forEach((k, x) -> inner.put(String.valueOf(k), x));
        v = Collections.unmodifiableMap(inner);
      }
      copy.put(e.getKey(), v);
    }
    return Collections.unmodifiableMap(copy);
  }
}
